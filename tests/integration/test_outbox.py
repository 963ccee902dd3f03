"""The transactional outbox: a committed change always reaches the stream, exactly once in effect."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from evently_events.adapters.protos import to_integration_event
from evently_events.adapters.repository import EventsUnitOfWork
from evently_events.bootstrap import MIGRATIONS
from evently_events.domain.model import EventDraft
from evently_events.service_layer import handlers
from evently_events.service_layer.commands import CreateEvent
from evently_platform.clock import SystemClock
from evently_platform.db.migrations import upgrade
from evently_platform.messaging.jetstream import STREAM, JetStreamPublisher
from evently_platform.messaging.outbox import OutboxRelay, unpublished_count
from nats.aio.client import Client as NATS
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import Engine

ROOT = Path(__file__).resolve().parents[2]


def a_draft() -> EventDraft:
    start = datetime.now(UTC) + timedelta(days=3)
    return EventDraft("Meetup", "", "Berlin", start, start + timedelta(hours=2), 10)


def _create_events(engine: Engine, count: int) -> list[str]:
    upgrade(engine, "events", MIGRATIONS)
    uow = EventsUnitOfWork(engine, translate=to_integration_event)
    return [
        handlers.create_event(CreateEvent("ann", a_draft()), uow=uow, clock=SystemClock()).id
        for _ in range(count)
    ]


async def _stream_messages(nc: NATS) -> list[tuple[str, dict[str, str], dict[str, object]]]:
    js = nc.jetstream()
    info = await js.stream_info(STREAM)
    found = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        msg = await js.get_msg(STREAM, seq)
        found.append((str(msg.subject), dict(msg.headers or {}), json.loads(msg.data or b"{}")))
    return found


async def test_the_relay_publishes_with_the_domain_event_id_and_the_request_trace(
    engine: Engine, js_client: NATS
) -> None:
    upgrade(engine, "events", MIGRATIONS)
    provider = TracerProvider()
    uow = EventsUnitOfWork(engine, translate=to_integration_event)
    with provider.get_tracer("test").start_as_current_span("request") as span:
        event = handlers.create_event(CreateEvent("ann", a_draft()), uow=uow, clock=SystemClock())
        trace_id = format(span.get_span_context().trace_id, "032x")

    relay = OutboxRelay(engine, JetStreamPublisher(js_client.jetstream()))
    assert await relay.relay_once() == 1
    [(subject, headers, body)] = await _stream_messages(js_client)
    assert subject == "evently.event.created"
    assert headers["Nats-Msg-Id"] == body["id"]
    assert body["id"] != event.id  # the domain event's own id, not the id of the event it is about
    assert body["subject"] == event.id
    assert headers["traceparent"].split("-")[1] == trace_id
    assert unpublished_count(engine) == 0


async def test_nothing_is_lost_when_the_writer_dies_between_commit_and_publish(
    db_url: str, engine: Engine, js_client: NATS
) -> None:
    child = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "tests.integration.outbox_writer_then_die", db_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == -9, child.stderr
    event_id = child.stdout.strip()
    assert unpublished_count(engine) == 1

    relay = OutboxRelay(engine, JetStreamPublisher(js_client.jetstream()))
    assert await relay.relay_once() == 1
    [(_, _, body)] = await _stream_messages(js_client)
    assert body["subject"] == event_id
    assert unpublished_count(engine) == 0


async def test_two_relays_on_one_database_publish_each_row_once(engine: Engine, js_client: NATS) -> None:
    created = await asyncio.to_thread(_create_events, engine, 40)
    relays = [OutboxRelay(engine, JetStreamPublisher(js_client.jetstream()), batch_size=7) for _ in range(2)]

    async def drain(relay: OutboxRelay) -> None:
        while await relay.relay_once():
            pass

    await asyncio.gather(*(drain(r) for r in relays))
    messages = await _stream_messages(js_client)
    assert sorted(body["subject"] for _, _, body in messages) == sorted(created)  # type: ignore[type-var]
    assert unpublished_count(engine) == 0
