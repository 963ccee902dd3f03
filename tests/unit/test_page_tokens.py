"""Page tokens are opaque: what this service made comes back as its cursor, for the filters it
was made with; anything else a client sends — however crafted, or reused with other filters —
is INVALID_ARGUMENT on page_token, never an error of ours."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from evently.events.v1 import event_service_pb2
from evently_platform.errors import InvalidArgument
from evently_platform.grpc.pagination import decode_time_cursor, encode_time_cursor, filters_of

MEETUPS = event_service_pb2.ListEventsRequest(query="meetup", page_size=10)


def _token(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _crafted(cursor: dict[str, Any]) -> str:
    """A cursor of the right shape for MEETUPS, with the values an attacker chose."""
    return _token(json.dumps({**cursor, "f": filters_of(MEETUPS)}).encode())


def test_a_token_of_ours_comes_back_as_its_cursor() -> None:
    at = datetime(2027, 3, 1, 18, 30, tzinfo=UTC)
    assert decode_time_cursor(encode_time_cursor((at, "e1"), MEETUPS), MEETUPS) == (at, "e1")
    elsewhere = datetime(2027, 3, 1, 19, 30, tzinfo=timezone(timedelta(hours=1)))
    assert decode_time_cursor(encode_time_cursor((elsewhere, "e1"), MEETUPS), MEETUPS) == (at, "e1")


def test_a_token_goes_on_with_another_page_size_but_not_with_other_filters() -> None:
    token = encode_time_cursor((datetime(2027, 3, 1, tzinfo=UTC), "e1"), MEETUPS)
    bigger_pages = event_service_pb2.ListEventsRequest(query="meetup", page_size=50, page_token=token)
    assert decode_time_cursor(token, bigger_pages) is not None
    for other in (
        event_service_pb2.ListEventsRequest(query="workshop", page_size=10),
        event_service_pb2.ListEventsRequest(query="meetup", organizer_id="me", page_size=10),
    ):
        with pytest.raises(InvalidArgument) as refused:
            decode_time_cursor(token, other)
        assert {v.field: v.description for v in refused.value.violations} == {
            "page_token": "was made for other filters: start again without it"
        }


@pytest.mark.parametrize(
    "token",
    [
        "forged",
        _token(b"[" * 50_000 + b"]" * 50_000),  # nested past the parser's recursion limit
        _token(json.dumps({"t": "2027-01-01T00:00:00Z", "i": "e1"}).encode()),  # bound to nothing
        _crafted({"t": "2027-01-01T00:00:00", "i": "e1"}),  # no zone
        _crafted({"t": "9999-12-31T23:59:59-14:00", "i": "e1"}),  # past 9999 in UTC
        _crafted({"t": "2027-01-01T00:00:00Z", "i": {"a": 1}}),
        _crafted({"t": 5, "i": "e1"}),
        _token(b'{"t": "2027-01-01T00:00:00Z", "i": "' + b"9" * 10 + b'"'),  # cut short
    ],
)
def test_anything_else_is_invalid_argument_on_the_page_token(token: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        decode_time_cursor(token, MEETUPS)
    assert [v.field for v in refused.value.violations] == ["page_token"]
