"""What a call leaves behind for whoever runs Evently: a server span in the caller's trace, with
the method and the status it ended with, and one access-log line that names the method, the
caller, the outcome and the trace."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from evently.events.v1 import event_pb2, event_service_pb2, event_service_pb2_grpc
from evently.users.v1 import user_service_pb2, user_service_pb2_grpc
from google.protobuf.timestamp_pb2 import Timestamp
from opentelemetry.proto.trace.v1 import trace_pb2

from tests.e2e.conftest import System
from tests.support import wait_until

PASSWORD = "correct horse battery staple"
CREATE_EVENT = "/evently.events.v1.EventService/CreateEvent"


def _traceparent() -> tuple[str, str, str]:
    trace_id, parent_id = secrets.token_hex(16), secrets.token_hex(8)
    return trace_id, parent_id, f"00-{trace_id}-{parent_id}-01"


def _signed_in(system: System) -> tuple[str, str]:
    users = user_service_pb2_grpc.UserServiceStub(grpc.insecure_channel(system.addrs["users"]))
    email = f"records-{secrets.token_hex(4)}@example.com"
    user = users.CreateUser(
        user_service_pb2.CreateUserRequest(email=email, password=PASSWORD, display_name="Rec")
    )
    token = users.Login(user_service_pb2.LoginRequest(email=email, password=PASSWORD)).access_token
    return user.id, token


def _create_event(system: System, token: str, traceparent: str) -> None:
    events = event_service_pb2_grpc.EventServiceStub(grpc.insecure_channel(system.addrs["events"]))
    start = Timestamp()
    start.FromDatetime(datetime.now(UTC) + timedelta(days=7))
    events.CreateEvent(
        event_service_pb2.CreateEventRequest(
            event=event_pb2.Event(
                title="Recorded",
                location="Oslo",
                start_time=start,
                end_time=Timestamp(seconds=start.seconds + 3600),
            )
        ),
        metadata=[("authorization", f"Bearer {token}"), ("traceparent", traceparent)],
    )


def _attributes(span: trace_pb2.Span) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for a in span.attributes:
        kind = a.value.WhichOneof("value")
        values[a.key] = getattr(a.value, kind) if kind else None
    return values


def _one_span(system: System, trace_id: str) -> trace_pb2.Span:
    found: Callable[[], list[trace_pb2.Span]] = lambda: system.collector.found(  # noqa: E731
        trace_id, "evently-events", CREATE_EVENT
    )
    wait_until(lambda: bool(found()), timeout=30)
    (span,) = found()
    return span


def _log_lines(system: System, trace_id: str) -> list[dict[str, Any]]:
    """The events service's access-log lines in that trace (the users service may have its own:
    the events service fetches the token keys it does not know yet, in the caller's trace)."""
    lines = []
    for text in system.log.read_text(errors="replace").splitlines():
        if trace_id in text and text.lstrip().startswith("{"):
            lines.append(json.loads(text[text.index("{") :]))
    return [
        line
        for line in lines
        if line.get("event") == "rpc" and line.get("trace_id") == trace_id and line.get("service") == "events"
    ]


def test_a_call_is_a_server_span_in_the_callers_trace_and_one_log_line(system: System) -> None:
    user_id, token = _signed_in(system)
    trace_id, parent_id, traceparent = _traceparent()

    _create_event(system, token, traceparent)

    span = _one_span(system, trace_id)
    assert span.kind == trace_pb2.Span.SPAN_KIND_SERVER
    assert span.parent_span_id.hex() == parent_id
    assert _attributes(span) == {
        "rpc.system": "grpc",
        "rpc.service": "evently.events.v1.EventService",
        "rpc.method": "CreateEvent",
        "rpc.grpc.status_code": 0,
    }
    assert span.status.code != trace_pb2.Status.STATUS_CODE_ERROR
    wait_until(lambda: bool(_log_lines(system, trace_id)), timeout=10)
    (line,) = _log_lines(system, trace_id)
    assert line["logger"] == "evently.rpc"
    assert (line["method"], line["code"], line["user_id"]) == (CREATE_EVENT, "OK", user_id)
    assert line["span_id"] == span.span_id.hex()
    assert line["duration_ms"] >= 0


def test_a_refused_call_records_its_code_without_calling_it_a_server_error(system: System) -> None:
    trace_id, _, traceparent = _traceparent()

    with pytest.raises(grpc.RpcError) as refused:
        _create_event(system, "not-a-token", traceparent)
    assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED

    span = _one_span(system, trace_id)
    assert _attributes(span)["rpc.grpc.status_code"] == grpc.StatusCode.UNAUTHENTICATED.value[0]
    assert span.status.code != trace_pb2.Status.STATUS_CODE_ERROR  # the caller's mistake, not ours
    wait_until(lambda: bool(_log_lines(system, trace_id)), timeout=10)
    (line,) = _log_lines(system, trace_id)
    assert (line["method"], line["code"], line["user_id"]) == (CREATE_EVENT, "UNAUTHENTICATED", None)
