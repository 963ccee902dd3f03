"""Tracing that costs little: with the defaults (no EVENTLY_TRACE_SQL), an idle system exports no
spans of its own — its pollers claim in silence — while a request is still followed from its
RPC through the outbox and the broker to the consumer."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from evently.events.v1 import event_pb2, event_service_pb2, event_service_pb2_grpc
from evently.users.v1 import user_service_pb2, user_service_pb2_grpc
from google.protobuf.timestamp_pb2 import Timestamp

from tests.e2e.conftest import System, fresh_databases, running_system
from tests.support import wait_until

PASSWORD = "correct horse battery staple"


@pytest.fixture
def quiet_system(tmp_path: Path, backend: str) -> Iterator[System]:
    with contextlib.ExitStack() as stack:
        databases = fresh_databases(backend, stack)
        with running_system(tmp_path, databases, {"EVENTLY_TRACE_SQL": "false"}) as system:
            yield system


def _create_event(system: System, traceparent: str) -> None:
    users = user_service_pb2_grpc.UserServiceStub(grpc.insecure_channel(system.addrs["users"]))
    events = event_service_pb2_grpc.EventServiceStub(grpc.insecure_channel(system.addrs["events"]))
    email = f"quiet-{secrets.token_hex(4)}@example.com"
    users.CreateUser(user_service_pb2.CreateUserRequest(email=email, password=PASSWORD, display_name="Q"))
    token = users.Login(user_service_pb2.LoginRequest(email=email, password=PASSWORD)).access_token
    start = Timestamp()
    start.FromDatetime(datetime.now(UTC) + timedelta(days=7))
    end = Timestamp(seconds=start.seconds + 3600)
    events.CreateEvent(
        event_service_pb2.CreateEventRequest(
            event=event_pb2.Event(title="Quiet", location="Oslo", start_time=start, end_time=end)
        ),
        metadata=[("authorization", f"Bearer {token}"), ("traceparent", traceparent)],
    )


def test_an_idle_system_exports_only_the_traces_of_requests(quiet_system: System) -> None:
    trace_id = secrets.token_hex(16)
    _create_event(quiet_system, f"00-{trace_id}-{secrets.token_hex(8)}-01")
    followed = {
        ("evently-events", "/evently.events.v1.EventService/CreateEvent"),
        ("evently-events", "evently.event.created publish"),
        ("evently-notifier", "evently.event.created process"),
    }
    # By the time the consumer's span is in, every worker has polled its table many times over
    # (start-up took seconds; they poll each second).
    wait_until(lambda: followed <= set(quiet_system.collector.in_trace(trace_id)), timeout=30)
    in_the_request = set(quiet_system.collector.in_trace(trace_id))
    assert not any(name.split()[0] in {"BEGIN", "SELECT", "UPDATE", "INSERT"} for _, name in in_the_request)
    spans = quiet_system.collector.every()
    # Everything else came from the test's own calls (sign-up and login): RPC spans, no pollers.
    others = {(service, name) for service, name, trace in spans if trace != trace_id}
    assert others <= {
        ("evently-users", "/evently.users.v1.UserService/CreateUser"),
        ("evently-users", "/evently.users.v1.UserService/Login"),
        ("evently-users", "evently.user.created publish"),
        ("evently-notifier", "evently.user.created process"),
        ("evently-gateway", "GET /readyz"),
    }, others
