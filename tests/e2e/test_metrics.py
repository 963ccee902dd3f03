"""Every component serves Prometheus metrics: calls per method and status, the outbox backlog,
the consumer's lag, webhook delivery outcomes, and the gateway's HTTP requests."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.accounts import new_event, signed_in, subscribe
from tests.e2e.conftest import System
from tests.e2e.webhook_receiver import WebhookReceiver
from tests.support import wait_until

Samples = list[tuple[str, dict[str, str], float]]


def _scrape(url: str) -> Samples:
    answer = httpx.get(url, timeout=10)
    assert answer.status_code == 200, answer.text
    return [
        (sample.name, dict(sample.labels), sample.value)
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    ]


def _value(samples: Samples, name: str, **labels: str) -> float | None:
    found = [v for n, lbl, v in samples if n == name and labels.items() <= lbl.items()]
    return sum(found) if found else None


def test_each_component_reports_its_work_to_prometheus(system: System, receiver: WebhookReceiver) -> None:
    http = httpx.Client(base_url=system.gateway, timeout=30)
    organizer = signed_in(http, "Mira")
    subscribe(http, organizer, receiver, ["evently.event.created"])
    event_id = new_event(http, organizer, "Metrics meetup", location="Hamburg")["id"]
    wait_until(
        lambda: any(d["body"]["data"]["event"]["id"] == event_id for d in receiver.received), timeout=30
    )

    events = _scrape(system.metrics["events"])
    created_calls = _value(
        events,
        "rpc_server_duration_milliseconds_count",
        rpc_method="CreateEvent",
        rpc_response_status_code="OK",
    )
    assert created_calls is not None and created_calls >= 1
    assert _value(events, "evently_outbox_backlog", service="events") is not None

    users = _scrape(system.metrics["users"])
    logins = _value(users, "rpc_server_duration_milliseconds_count", rpc_method="Login")
    assert logins is not None and logins >= 1

    def notifier_counted_the_delivery() -> Samples | None:
        samples = _scrape(system.metrics["notifier"])
        succeeded = _value(samples, "evently_webhook_attempts_total", outcome="succeeded")
        return samples if succeeded is not None and succeeded >= 1 else None

    notifier = wait_until(notifier_counted_the_delivery, timeout=30)
    assert notifier is not None
    assert _value(notifier, "evently_consumer_lag", consumer="notifier", state="pending") is not None
    assert _value(notifier, "evently_outbox_backlog", service="notifier") is not None

    gateway = _scrape(system.metrics["gateway"])
    created = _value(
        gateway,
        "http_server_request_duration_seconds_count",
        http_request_method="POST",
        http_response_status_code="200",
    )
    assert created is not None and created >= 3, sorted({n for n, _, _ in gateway})  # sign-up, login, event
