"""The gateway's JSON of a service's answer: exactly what Starlette's JSONResponse makes of
protobuf's JSON mapping, whether made now or remembered from the same answer before."""

from __future__ import annotations

from typing import cast

from evently.events.v1 import event_pb2
from evently_gateway.json_replies import JsonReplies
from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor
from google.protobuf.timestamp_pb2 import Timestamp
from starlette.responses import JSONResponse

EVENT_TYPE = cast(Descriptor, event_pb2.Event.DESCRIPTOR)
EVENT = event_pb2.Event(
    id="e-1",
    title="Café Rust — Zürich 🦀",
    location="Online",
    capacity=40,
    start_time=Timestamp(seconds=1_800_000_000),
)


def test_the_json_is_what_starlette_renders_of_the_json_mapping() -> None:
    wire = EVENT.SerializeToString()
    expected = JSONResponse(json_format.MessageToDict(EVENT)).body
    replies = JsonReplies()
    assert replies.render(EVENT_TYPE, wire, remember=True) == expected
    assert replies.render(EVENT_TYPE, wire, remember=True) == expected  # remembered


def test_a_changed_answer_gets_its_own_json() -> None:
    replies = JsonReplies()
    before = replies.render(EVENT_TYPE, EVENT.SerializeToString(), remember=True)
    changed = event_pb2.Event()
    changed.CopyFrom(EVENT)
    changed.capacity = 41
    after = replies.render(EVENT_TYPE, changed.SerializeToString(), remember=True)
    assert b'"capacity":40' in before
    assert b'"capacity":41' in after


def test_only_reads_small_answers_are_remembered_and_never_more_than_the_bound() -> None:
    replies = JsonReplies(entries=3, max_bytes=200)
    replies.render(EVENT_TYPE, EVENT.SerializeToString(), remember=False)
    assert len(replies) == 0
    large = event_pb2.Event(id="e-big", description="x" * 500)
    replies.render(EVENT_TYPE, large.SerializeToString(), remember=True)
    assert len(replies) == 0
    for n in range(10):
        event = event_pb2.Event(id=f"e-{n}", title="Meetup")
        rendered = replies.render(EVENT_TYPE, event.SerializeToString(), remember=True)
        assert f'"id":"e-{n}"'.encode() in rendered
    assert len(replies) == 3
