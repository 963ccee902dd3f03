"""Transactional outbox: domain events are rows written with the change that caused them,
and a relay publishes them to JetStream, marking a row published only after its PubAck.

Rows reach the relay two ways. Handed off: a writer in the relay's own process asks for a lease
before it commits, writes its rows already leased to this relay, and offers them after the
commit; the relay publishes them from memory, with no claim statement — one transaction per
batch (marking them published) instead of two. Claimed: rows written without a lease (no relay
in the process, or one with a backlog), and rows whose lease ran out because their relay died
with them in memory, are claimed from the table in order of writing. A relay hands off only
while its claims find nothing, and publishes what it has in hand before it claims again, so
that rows do not overtake older ones (a row the broker refuses stays in hand, first in line)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from opentelemetry import trace
from opentelemetry.trace import SpanKind
from sqlalchemy import Connection, Engine, func, insert, select, update

from evently_platform.clock import Clock, SystemClock
from evently_platform.db.engine import writing
from evently_platform.logging import get_logger
from evently_platform.messaging.envelope import Envelope
from evently_platform.messaging.tables import outbox
from evently_platform.messaging.trace_headers import context_from_headers, current_trace_headers
from evently_platform.workers.claims import claim_rows
from evently_platform.workers.poller import Poller

log = get_logger(__name__)
_tracer = trace.get_tracer("evently.outbox")


class Publisher(Protocol):
    async def publish(
        self, subject: str, payload: bytes, *, msg_id: str, headers: dict[str, str]
    ) -> None: ...


@dataclass(frozen=True)
class OutboxRow:
    id: str
    type: str
    payload: bytes
    headers: dict[str, str]


class OutboxHandOff(Protocol):
    """What a unit of work needs of its process's relay (any thread may call these)."""

    def hand_off_lease(self) -> datetime | None:
        """Asked before writing rows: a lease to write them under, for the relay to publish them
        from memory once offered; None when they should wait in the table for a claim."""
        ...

    def offer(self, rows: Sequence[OutboxRow]) -> None:
        """Rows written under a lease from `hand_off_lease`, once their transaction committed."""
        ...

    def wake(self) -> None:
        """Rows were committed without a lease: claim them soon."""
        ...


class OutboxWriter:
    """Adds rows inside the caller's open transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, *envelopes: Envelope, lease_until: datetime | None = None) -> list[OutboxRow]:
        """With `lease_until`, the rows are written leased (to be handed off) and returned."""
        headers = current_trace_headers()
        now = datetime.now(UTC)
        payloads = [e.encode() for e in envelopes]
        values = [
            {
                "id": e.id,
                "type": e.type,
                "payload": payload,
                "headers": headers,
                "created_at": now,
                "lease_until": lease_until,
            }
            for e, payload in zip(envelopes, payloads, strict=True)
        ]
        self._connection.execute(insert(outbox), values)
        if lease_until is None:
            return []
        # (No RETURNING of their sequence numbers: rows are marked by id, and a process's
        # commits reach its relay in the order they were made.)
        return [
            OutboxRow(e.id, e.type, payload, headers) for e, payload in zip(envelopes, payloads, strict=True)
        ]


class OutboxRelay:
    """Publishes unpublished rows in order of writing. Safe with several relays on one database:
    each claims rows with a lease (and `SKIP LOCKED` on PostgreSQL); a relay that dies after
    publishing but before marking leaves a row that is published again — JetStream drops that
    duplicate by its `Nats-Msg-Id`."""

    def __init__(
        self,
        engine: Engine,
        publisher: Publisher,
        *,
        batch_size: int = 200,
        poll_interval: float = 1.0,
        lease: timedelta = timedelta(seconds=30),
        max_offered: int = 1000,
        mark_delay: float = 0.05,
        clock: Clock | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._clock = clock or SystemClock()
        self._publisher = publisher
        self._batch_size = batch_size
        self._lease = lease
        self._max_offered = max_offered
        self._poll_interval = poll_interval
        self._monotonic = monotonic
        self._last_claim = float("-inf")
        self._poller = Poller("outbox", self._step, poll_interval=poll_interval)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._offered: deque[OutboxRow] = deque()
        # Whether the last claim found nothing: only then may new rows skip the table.
        self._caught_up = False
        self._mark_delay = mark_delay
        self._published: list[str] = []  # ids published, not marked yet
        self._marker: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Called after a commit that wrote outbox rows without a lease, from any thread: rows
        wait in the table, so hand-offs stop until claims have caught up (keeping the order)."""
        self._caught_up = False
        self._poller.wake()

    def hand_off_lease(self) -> datetime | None:
        if self._loop is None or not self._caught_up or len(self._offered) >= self._max_offered:
            return None
        return self._clock.now() + self._lease

    def offer(self, rows: Sequence[OutboxRow]) -> None:
        if self._loop is None:  # not running (any more): the rows' lease runs out, a claim takes them
            return
        if threading.get_ident() == self._loop_thread:  # a use case run on the loop (MessageBus)
            self._accept(list(rows))
            return
        self._loop.call_soon_threadsafe(self._accept, list(rows))

    def _accept(self, rows: list[OutboxRow]) -> None:
        self._offered.extend(rows)
        self._poller.wake_here()

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        try:
            await self._poller.run()
        finally:
            self._loop = None
            self._caught_up = False
            if self._marker is not None:
                self._marker.cancel()
            # Stopping: mark what was published, and give what is in memory back to the table
            # now rather than when its lease runs out (quick local statements).
            published, self._published = self._published, []
            left, self._offered = [row.id for row in self._offered], deque()
            if published or left:
                try:
                    self._finish(published, {}, published + left)
                except Exception as exc:  # their leases run out instead
                    log.warning("outbox.release_failed", rows=len(left), error=f"{type(exc).__name__}: {exc}")

    async def _step(self) -> bool:
        """Publishes what was handed off; once nothing is in hand, claims from the table until
        a claim finds nothing (it has caught up), then once per poll interval (rows of a relay
        that died, or written while this one had a backlog).
        Rows in hand go first: they were leased while the table had nothing waiting, so they are
        older than any row a claim could find meanwhile (written while this relay had a backlog,
        or left by a relay that died)."""
        if self._offered:
            count = min(len(self._offered), self._batch_size)
            rows = [self._offered.popleft() for _ in range(count)]
            published, _ = await self._publish_in_order(rows)
            self._mark_soon([row.id for row in rows[:published]])
            if published < len(rows):
                # The broker refused: keep the rest in hand, in order, and try again when woken
                # or after the poll interval. (Should this last beyond their lease, another relay
                # may claim them too; JetStream drops the duplicates by their Nats-Msg-Id.)
                self._offered.extendleft(reversed(rows[published:]))
                return False
            return bool(self._offered)
        if self._caught_up and self._monotonic() - self._last_claim < self._poll_interval:
            return False  # woken for rows already published: the table had nothing a moment ago
        self._last_claim = self._monotonic()
        rows = await asyncio.to_thread(self._claim)
        self._caught_up = not rows
        if not rows:
            return bool(self._offered)
        # All published: more may be waiting (the next claim finds out). A failure: wait.
        return await self._publish_all(rows, defer=True) == len(rows)

    async def relay_once(self) -> int:
        """Claim one batch from the table and publish it; returns how many rows were published."""
        rows = await asyncio.to_thread(self._claim)
        if not rows:
            return 0
        return await self._publish_all(rows)

    async def _publish_all(self, rows: Sequence[OutboxRow], *, defer: bool = False) -> int:
        """Publishes claimed rows in order until one fails, then records what was published in
        one transaction (the failed row, and those after it, are released for a later claim);
        `defer`: when all were published, they are marked a moment later, with others (see
        _mark_soon)."""
        published, error = await self._publish_in_order(rows)
        done = [row.id for row in rows[:published]]
        failed = {rows[published].id: error} if published < len(rows) else {}
        if defer and not failed:
            self._mark_soon(done)
        else:
            await asyncio.to_thread(self._finish, done, failed, [r.id for r in rows])
        return published

    async def _publish_in_order(self, rows: Sequence[OutboxRow]) -> tuple[int, str]:
        """How many of `rows` were published before one failed (the rest keep their order), and
        why that one failed ("" when none did)."""
        for published, row in enumerate(rows):
            try:
                await self._publish(row)
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
                log.warning("outbox.publish_failed", event_id=row.id, type=row.type, error=error)
                return published, error
        return len(rows), ""

    def _mark_soon(self, ids: list[str]) -> None:
        """Marks published rows a moment later, together with the others published meanwhile:
        one transaction for several steps at a steady trickle. Until marked they stay leased to
        this relay (for far longer than the moment), so no claim takes them; should it die
        first, they are published again after the lease, and JetStream drops the duplicates
        (by `Nats-Msg-Id`, within its window), or consumers' inboxes do."""
        if not ids:
            return
        self._published.extend(ids)
        if self._marker is None or self._marker.done():
            self._marker = asyncio.create_task(self._mark_published())

    async def _mark_published(self) -> None:
        await asyncio.sleep(self._mark_delay)
        while self._published:
            ids, self._published = self._published, []
            try:
                await asyncio.to_thread(self._finish, ids, {}, ids)
            except Exception as exc:  # their leases run out; they are published again, once in effect
                log.warning("outbox.mark_failed", rows=len(ids), error=f"{type(exc).__name__}: {exc}")

    async def _publish(self, row: OutboxRow) -> None:
        parent = context_from_headers(row.headers)
        with _tracer.start_as_current_span(
            f"{row.type} publish",
            context=parent,
            kind=SpanKind.PRODUCER,
            attributes={
                "messaging.system": "nats",
                "messaging.destination.name": row.type,
                "messaging.message.id": row.id,
                "messaging.operation.type": "send",
            },
        ):
            headers = {**row.headers, **current_trace_headers()}
            await self._publisher.publish(row.type, row.payload, msg_id=row.id, headers=headers)

    def _claim(self) -> list[OutboxRow]:
        now = self._clock.now()
        with writing(self._engine) as conn:
            rows = claim_rows(
                conn,
                outbox,
                where=[
                    outbox.c.published_at.is_(None),
                    (outbox.c.lease_until.is_(None)) | (outbox.c.lease_until < now),
                ],
                order_by=outbox.c.seq,
                limit=self._batch_size,
                values={"lease_until": now + self._lease},
            )
        return [OutboxRow(r.id, r.type, bytes(r.payload), dict(r.headers or {})) for r in rows]

    def _finish(self, done: Sequence[str], failed: dict[str, str], claimed: Sequence[str]) -> None:
        """By the rows' ids (unique): published, failed (released with the error), released."""
        now = self._clock.now()
        with writing(self._engine) as conn:
            if done:
                conn.execute(
                    update(outbox).where(outbox.c.id.in_(done)).values(published_at=now, lease_until=None)
                )
            for row_id, error in failed.items():
                conn.execute(
                    update(outbox)
                    .where(outbox.c.id == row_id)
                    .values(lease_until=None, attempts=outbox.c.attempts + 1, last_error=error)
                )
            settled = set(done) | set(failed)
            untouched = [s for s in claimed if s not in settled]
            if untouched:
                conn.execute(update(outbox).where(outbox.c.id.in_(untouched)).values(lease_until=None))


def unpublished_count(engine: Engine) -> int:
    """Rows not yet acknowledged by JetStream: the relay's backlog."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).where(outbox.c.published_at.is_(None))).scalar_one())
