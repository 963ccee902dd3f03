"""The transactional outbox: a committed change always reaches the stream, exactly once in effect."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from evently_events.adapters.protos import to_integration_event
from evently_events.adapters.repository import EventsUnitOfWork
from evently_events.bootstrap import MIGRATIONS
from evently_events.domain.model import EventDraft
from evently_events.service_layer import handlers
from evently_events.service_layer.commands import CreateEvent
from evently_platform.clock import FrozenClock, SystemClock
from evently_platform.db.migrations import upgrade
from evently_platform.messaging.jetstream import STREAM, JetStreamPublisher
from evently_platform.messaging.outbox import OutboxHandOff, OutboxRelay, OutboxRow, unpublished_count
from nats.aio.client import Client as NATS
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import Engine, event

from tests.support import eventually

ROOT = Path(__file__).resolve().parents[2]


def a_draft() -> EventDraft:
    start = datetime.now(UTC) + timedelta(days=3)
    return EventDraft("Meetup", "", "Berlin", start, start + timedelta(hours=2), 10)


def _create_events(engine: Engine, count: int, relay: OutboxHandOff | None = None) -> list[str]:
    upgrade(engine, "events", MIGRATIONS)
    uow = EventsUnitOfWork(engine, translate=to_integration_event, relay=relay)
    return [
        handlers.create_event(CreateEvent("ann", a_draft()), uow=uow, clock=SystemClock()).id
        for _ in range(count)
    ]


async def _stream_messages(nc: NATS) -> list[tuple[str, dict[str, str], dict[str, object]]]:
    js = nc.jetstream()
    info = await js.stream_info(STREAM)
    found: list[tuple[str, dict[str, str], dict[str, object]]] = []
    if not info.state.messages:
        return found
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


class _Claims:
    """Counts the relay's claim statements on an engine."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn: object, cursor: object, statement: str, *args: object) -> None:
        if (
            statement.lstrip().upper().startswith("UPDATE OUTBOX SET LEASE_UNTIL")
            and "RETURNING" in statement.upper()
        ):
            self.count += 1


async def _running(relay: OutboxRelay) -> asyncio.Task[None]:
    task = asyncio.create_task(relay.run())
    await eventually(relay.hand_off_lease)  # its first claim found nothing: it takes rows in hand
    return task


async def test_a_running_relay_publishes_what_its_process_commits_without_claiming_it(
    engine: Engine, js_client: NATS
) -> None:
    await asyncio.to_thread(upgrade, engine, "events", MIGRATIONS)
    relay = OutboxRelay(engine, JetStreamPublisher(js_client.jetstream()), poll_interval=60)
    task = await _running(relay)
    claims = _Claims(engine)

    created = await asyncio.to_thread(_create_events, engine, 5, relay)

    messages = await eventually(lambda: _stream_messages(js_client), until=lambda found: len(found) == 5)
    assert [body["subject"] for _, _, body in messages] == created  # in the order they were written
    await eventually(lambda: unpublished_count(engine) == 0)  # marked a moment later, together
    assert claims.count == 0
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_a_relay_that_stops_marks_what_it_published(engine: Engine, js_client: NATS) -> None:
    await asyncio.to_thread(upgrade, engine, "events", MIGRATIONS)
    relay = OutboxRelay(engine, JetStreamPublisher(js_client.jetstream()), mark_delay=60)
    task = await _running(relay)
    await asyncio.to_thread(_create_events, engine, 3, relay)
    await eventually(lambda: _stream_messages(js_client), until=lambda found: len(found) == 3)
    assert unpublished_count(engine) == 3  # published, to be marked in a minute

    task.cancel()
    await asyncio.gather(task, return_exceptions=True)

    assert unpublished_count(engine) == 0


class _DiesAfterCommitting:
    """A process that leased rows to its relay and died before the relay published them."""

    def hand_off_lease(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=1)

    def offer(self, rows: Sequence[OutboxRow]) -> None:
        pass

    def wake(self) -> None:
        pass


async def test_rows_leased_to_a_relay_that_died_are_published_once_the_lease_runs_out(
    engine: Engine, js_client: NATS
) -> None:
    created = await asyncio.to_thread(_create_events, engine, 3, _DiesAfterCommitting())
    relay = OutboxRelay(engine, JetStreamPublisher(js_client.jetstream()))
    claims = _Claims(engine)
    assert await relay.relay_once() == 0  # still leased to the dead one
    assert claims.count == 1  # (what the test above counts is a claim)
    assert unpublished_count(engine) == 3

    # Once the lease has run out by the relay's clock, a claim takes them.
    later = FrozenClock(datetime.now(UTC) + timedelta(minutes=1))
    after_the_lease = OutboxRelay(engine, JetStreamPublisher(js_client.jetstream()), clock=later)
    assert await after_the_lease.relay_once() == 3

    messages = await _stream_messages(js_client)
    assert [body["subject"] for _, _, body in messages] == created
    assert unpublished_count(engine) == 0


class _FailsOnce:
    def __init__(self, publisher: JetStreamPublisher) -> None:
        self._publisher = publisher
        self.failed = False

    async def publish(self, subject: str, payload: bytes, *, msg_id: str, headers: dict[str, str]) -> None:
        if not self.failed:
            self.failed = True
            raise ConnectionError("the broker went away")
        await self._publisher.publish(subject, payload, msg_id=msg_id, headers=headers)


async def test_a_failed_publish_gives_the_rows_in_hand_back_to_the_table_and_keeps_their_order(
    engine: Engine, js_client: NATS
) -> None:
    await asyncio.to_thread(upgrade, engine, "events", MIGRATIONS)
    publisher = _FailsOnce(JetStreamPublisher(js_client.jetstream()))
    relay = OutboxRelay(engine, publisher, poll_interval=0.2)
    task = await _running(relay)

    created = await asyncio.to_thread(_create_events, engine, 4, relay)

    messages = await eventually(lambda: _stream_messages(js_client), until=lambda found: len(found) == 4)
    assert publisher.failed
    assert [body["subject"] for _, _, body in messages] == created
    await eventually(lambda: unpublished_count(engine) == 0)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def test_rows_written_for_a_hand_off_are_handed_over_as_written(engine: Engine) -> None:
    handed: list[OutboxRow] = []

    class Keeps(_DiesAfterCommitting):
        def offer(self, rows: Sequence[OutboxRow]) -> None:
            handed.extend(rows)

    created = _create_events(engine, 2, Keeps())

    assert [row.type for row in handed] == ["evently.event.created"] * 2
    assert [json.loads(row.payload)["subject"] for row in handed] == created
    assert unpublished_count(engine) == 2  # leased, not published
