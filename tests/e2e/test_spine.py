"""End to end, as a user would: `evently up` runs everything; a change made through gRPC or
HTTP travels through the outbox and JetStream to a signed webhook, in one trace."""

from __future__ import annotations

import json
import secrets
import subprocess
import sysconfig
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
from evently.events.v1 import event_pb2, event_service_pb2, event_service_pb2_grpc
from evently.notifier.v1 import notifier_service_pb2, notifier_service_pb2_grpc, subscription_pb2
from evently.users.v1 import user_service_pb2, user_service_pb2_grpc
from google.protobuf.timestamp_pb2 import Timestamp

from tests.e2e.accounts import subscribe
from tests.e2e.conftest import System
from tests.e2e.webhook_receiver import WebhookReceiver
from tests.support import wait_until

GRPCURL = str(Path(sysconfig.get_path("scripts")) / "grpcurl")
PASSWORD = "correct horse battery staple"


def _traceparent() -> tuple[str, str]:
    trace_id = secrets.token_hex(16)
    return trace_id, f"00-{trace_id}-{secrets.token_hex(8)}-01"


def _in_a_week() -> tuple[datetime, datetime]:
    start = (datetime.now(UTC) + timedelta(days=7)).replace(microsecond=0)
    return start, start + timedelta(hours=2)


def _grpcurl(*args: str) -> str:
    done = subprocess.run([GRPCURL, "-plaintext", *args], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _delivery_for(receiver: WebhookReceiver, event_id: str) -> Any:
    return next((d for d in receiver.received if d["body"]["data"]["event"]["id"] == event_id), None)


def _assert_signed_cloudevent(delivery: dict[str, Any], trace_id: str) -> None:
    body, headers = delivery["body"], delivery["headers"]
    assert body["specversion"] == "1.0"
    assert body["type"] == "evently.event.created"
    assert body["datacontenttype"] == "application/json"
    assert headers["webhook-id"] == body["id"]
    assert headers["webhook-signature"].startswith("v1,")
    assert headers["traceparent"].split("-")[1] == trace_id


def _assert_one_trace(system: System, trace_id: str, *, through_gateway: bool) -> None:
    wanted = {
        ("evently-events", "/evently.events.v1.EventService/CreateEvent"),
        ("evently-events", "evently.event.created publish"),
        ("evently-notifier", "evently.event.created process"),
        ("evently-notifier", "evently.event.created deliver"),
        ("evently-notifier", "POST"),
    }
    if through_gateway:
        wanted.add(("evently-gateway", "POST /v1/events"))

    def complete() -> bool:
        spans = set(system.collector.in_trace(trace_id))
        database = any(s == "evently-events" and n.split()[0] in {"INSERT", "BEGIN"} for s, n in spans)
        return wanted <= spans and database

    try:
        wait_until(complete, timeout=30)
    except AssertionError:
        raise AssertionError(
            f"spans of trace {trace_id}: {sorted(set(system.collector.in_trace(trace_id)))}"
        ) from None


def test_services_answer_reflection_and_health(system: System) -> None:
    assert "evently.events.v1.EventService" in _grpcurl(system.addrs["events"], "list").split()
    assert "rpc CreateEvent" in _grpcurl(system.addrs["events"], "describe", "evently.events.v1.EventService")
    for name in ("users", "events", "notifier"):
        answer = json.loads(_grpcurl(system.addrs[name], "grpc.health.v1.Health/Check"))
        assert answer == {"status": "SERVING"}


def test_a_grpc_created_event_reaches_a_signed_webhook_in_one_trace(
    system: System, receiver: WebhookReceiver
) -> None:
    users = user_service_pb2_grpc.UserServiceStub(grpc.insecure_channel(system.addrs["users"]))
    events = event_service_pb2_grpc.EventServiceStub(grpc.insecure_channel(system.addrs["events"]))
    notifier = notifier_service_pb2_grpc.NotifierServiceStub(grpc.insecure_channel(system.addrs["notifier"]))

    email = f"grpc-{secrets.token_hex(4)}@example.com"
    users.CreateUser(user_service_pb2.CreateUserRequest(email=email, password=PASSWORD, display_name="Ann"))
    login = users.Login(user_service_pb2.LoginRequest(email=email, password=PASSWORD))
    assert login.access_token.count(".") == 2  # a JWT
    auth = [("authorization", f"Bearer {login.access_token}")]

    subscription = notifier.CreateSubscription(
        notifier_service_pb2.CreateSubscriptionRequest(
            subscription=subscription_pb2.Subscription(url=receiver.url, event_types=["evently.event.*"])
        ),
        metadata=auth,
    )
    assert subscription.secret.startswith("whsec_")
    receiver.secret = subscription.secret

    with pytest.raises(grpc.RpcError) as anonymous:
        events.CreateEvent(event_service_pb2.CreateEventRequest(event=event_pb2.Event(title="x")))
    assert anonymous.value.code() == grpc.StatusCode.UNAUTHENTICATED

    start, end = _in_a_week()
    start_ts, end_ts = Timestamp(), Timestamp()
    start_ts.FromDatetime(start)
    end_ts.FromDatetime(end)
    trace_id, traceparent = _traceparent()
    event = events.CreateEvent(
        event_service_pb2.CreateEventRequest(
            event=event_pb2.Event(
                title="gRPC meetup", location="Berlin", start_time=start_ts, end_time=end_ts
            )
        ),
        metadata=[*auth, ("traceparent", traceparent)],
    )
    assert event.organizer_id == login.user.id

    delivery = wait_until(lambda: _delivery_for(receiver, event.id), timeout=30)
    _assert_signed_cloudevent(delivery, trace_id)
    assert receiver.rejected == []
    _assert_one_trace(system, trace_id, through_gateway=False)

    # The receiver answers before the notifier records the outcome, so the log is polled.
    def delivery_log() -> list[tuple[str, int, int]]:
        log = notifier.ListDeliveries(
            notifier_service_pb2.ListDeliveriesRequest(subscription_id=subscription.id), metadata=auth
        )
        return [(d.event_id, d.status, d.last_status_code) for d in log.deliveries]

    succeeded = [(delivery["body"]["id"], subscription_pb2.Delivery.Status.SUCCEEDED, 204)]
    try:
        wait_until(lambda: delivery_log() == succeeded, timeout=30)
    except AssertionError:
        assert delivery_log() == succeeded  # shows the difference
        raise


def test_the_same_flow_works_over_http_through_the_gateway(system: System, receiver: WebhookReceiver) -> None:
    http = httpx.Client(base_url=system.gateway, timeout=10)
    email = f"http-{secrets.token_hex(4)}@example.com"
    created = http.post("/v1/users", json={"email": email, "password": PASSWORD, "displayName": "Bo"})
    assert created.status_code == 200, created.text
    login = http.post("/v1/users:login", json={"email": email, "password": PASSWORD}).json()
    auth = {"authorization": f"Bearer {login['accessToken']}"}

    subscribe(http, auth, receiver, ["evently.event.*"])

    invalid = http.post("/v1/events", json={"title": "", "capacity": -1}, headers=auth)
    assert invalid.status_code == 400
    violations = {v["field"] for v in invalid.json()["details"][0]["fieldViolations"]}
    assert {"event.title", "event.capacity", "event.start_time"} <= violations

    start, end = _in_a_week()
    trace_id, traceparent = _traceparent()
    response = http.post(
        "/v1/events",
        json={
            "title": "HTTP meetup",
            "location": "Lisbon",
            "startTime": start.isoformat().replace("+00:00", "Z"),
            "endTime": end.isoformat().replace("+00:00", "Z"),
            "capacity": 20,
        },
        headers={**auth, "traceparent": traceparent},
    )
    assert response.status_code == 200, response.text
    event = response.json()
    read_trace, read_traceparent = _traceparent()
    read = http.get(f"/v1/events/{event['id']}", headers={"traceparent": read_traceparent})
    assert read.json()["title"] == "HTTP meetup"
    assert http.get("/v1/events/does-not-exist").status_code == 404
    calendar = http.get(f"/v1/events/{event['id']}/calendar.ics")
    assert calendar.headers["content-type"].startswith("text/calendar")
    assert calendar.content.startswith(b"BEGIN:VCALENDAR") and b"SUMMARY:HTTP meetup" in calendar.content

    delivery = wait_until(lambda: _delivery_for(receiver, event["id"]), timeout=30)
    _assert_signed_cloudevent(delivery, trace_id)
    _assert_one_trace(system, trace_id, through_gateway=True)
    # A read's span is named after its route, not after the id it asked for.
    read_spans = {
        ("evently-gateway", "GET /v1/events/{id}"),
        ("evently-events", "/evently.events.v1.EventService/GetEvent"),
    }
    wait_until(lambda: read_spans <= set(system.collector.in_trace(read_trace)), timeout=30)


def test_the_gateway_serves_its_openapi_document(system: System) -> None:
    from openapi_spec_validator import validate

    spec = httpx.get(f"{system.gateway}/openapi.json", timeout=10).json()
    validate(spec)
    assert "/v1/events/{event_id}:register" in spec["paths"]


def test_the_api_docs_page_needs_nothing_from_outside(system: System) -> None:
    page = httpx.get(f"{system.gateway}/docs", timeout=10)
    assert page.status_code == 200 and "/openapi.json" in page.text
    assert "http" not in page.text.replace("http-equiv", "")  # every asset is served from here
    script = httpx.get(f"{system.gateway}/docs/assets/swagger-ui-bundle.js", timeout=10)
    assert script.status_code == 200 and len(script.content) > 100_000
