"""Control characters are refused in every string field of a request, wherever it is nested."""

from __future__ import annotations

import pytest
from evently.events.v1 import event_pb2, event_service_pb2
from evently.notifier.v1 import notifier_service_pb2, subscription_pb2
from evently_platform.errors import InvalidArgument
from evently_platform.grpc.text_guard import check_text


def test_ordinary_text_with_lines_and_tabs_passes() -> None:
    check_text(
        event_service_pb2.CreateEventRequest(
            event=event_pb2.Event(title="Café ☕", description="Line one\n\tLine two\r\n", location="Room 1")
        )
    )


def test_a_nul_in_a_nested_field_is_named() -> None:
    event = event_pb2.Event(title="T\x00", location="x\x1b")
    with pytest.raises(InvalidArgument) as refused:
        check_text(event_service_pb2.CreateEventRequest(event=event))
    assert [v.field for v in refused.value.violations] == ["event.title", "event.location"]
    assert "control characters" in refused.value.violations[0].description


def test_repeated_fields_are_named_by_index() -> None:
    request = notifier_service_pb2.CreateSubscriptionRequest(
        subscription=subscription_pb2.Subscription(
            url="https://example.com/", event_types=["evently.event.*", "evently.\x07"]
        )
    )
    with pytest.raises(InvalidArgument) as refused:
        check_text(request)
    assert [v.field for v in refused.value.violations] == ["subscription.event_types[1]"]


def test_a_query_string_is_checked_like_any_field() -> None:
    with pytest.raises(InvalidArgument):
        check_text(event_service_pb2.ListEventsRequest(query="a\x00b"))


def test_a_request_without_fields_has_nothing_to_check() -> None:
    check_text(b"raw \x00 bytes")  # generic handlers without a deserializer see bytes
