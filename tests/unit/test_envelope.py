"""Domain events travel as CloudEvents 1.0 structured JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from evently_platform.messaging.envelope import Envelope, EnvelopeError


def test_encoding_is_a_cloudevents_structured_json_document() -> None:
    envelope = Envelope(
        type="evently.event.created",
        source="//evently/events",
        subject="e1",
        data={"event": {"id": "e1"}},
        id="abc",
        time=datetime(2027, 1, 1, 12, 0, tzinfo=UTC),
    )
    body = json.loads(envelope.encode())
    assert body == {
        "specversion": "1.0",
        "id": "abc",
        "source": "//evently/events",
        "type": "evently.event.created",
        "time": "2027-01-01T12:00:00Z",
        "datacontenttype": "application/json",
        "subject": "e1",
        "data": {"event": {"id": "e1"}},
    }


def test_decoding_round_trips() -> None:
    envelope = Envelope(type="evently.user.created", source="//evently/users", data={"user": {"id": "u"}})
    assert Envelope.decode(envelope.encode()) == envelope


def test_every_envelope_gets_its_own_id() -> None:
    first = Envelope(type="t.x", source="s", data={})
    second = Envelope(type="t.x", source="s", data={})
    assert first.id != second.id


_HEAD = b'{"specversion":"1.0","id":"x","source":"s","type":"t","time":"2027-01-01T00:00:00Z",'


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"not json", "not JSON"),
        (b"[]", "not a JSON object"),
        (b'{"specversion":"0.3"}', "unsupported specversion"),
        (b'{"specversion":"1.0","id":"x"}', "missing attributes"),
        (b'{"specversion":"1.0","id":"x","source":"s","type":"t","time":"yesterday"}', "bad time"),
        # What an attacker or a bug can send: none of it may escape as anything but EnvelopeError.
        (_HEAD + b'"data":{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}}", "nested too deeply"),
        (_HEAD + b'"data":{"a":' + b"[" * 40 + b"]" * 40 + b"}}", "nested deeper than 32"),
        (_HEAD + b'"data":{"n":' + b"9" * 5_000 + b"}}", "not JSON"),
        (_HEAD + b'"data":{"s":"' + b"x" * (1024 * 1024) + b'"}}', "more than 1048576"),
        (b"\xff\xfe", "not JSON"),
    ],
)
def test_malformed_envelopes_are_refused_with_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(EnvelopeError, match=reason):
        Envelope.decode(raw)
