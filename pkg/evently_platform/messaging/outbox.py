"""Transactional outbox: domain events are rows written with the change that caused them,
and a relay publishes them to JetStream, marking a row published only after its PubAck."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from opentelemetry import trace
from opentelemetry.trace import SpanKind
from sqlalchemy import Connection, Engine, func, insert, select, update

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


class OutboxWriter:
    """Adds rows inside the caller's open transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, *envelopes: Envelope) -> None:
        headers = current_trace_headers()
        now = datetime.now(UTC)
        self._connection.execute(
            insert(outbox),
            [
                {"id": e.id, "type": e.type, "payload": e.encode(), "headers": headers, "created_at": now}
                for e in envelopes
            ],
        )


@dataclass(frozen=True)
class _Claimed:
    seq: int
    id: str
    type: str
    payload: bytes
    headers: dict[str, str]


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
    ) -> None:
        self._engine = engine
        self._publisher = publisher
        self._batch_size = batch_size
        self._lease = lease
        self._poller = Poller("outbox", self._step, poll_interval=poll_interval)

    def wake(self) -> None:
        """Called after a commit that wrote outbox rows, from any thread."""
        self._poller.wake()

    async def run(self) -> None:
        await self._poller.run()

    async def _step(self) -> bool:
        return await self.relay_once() >= self._batch_size  # a full batch: more is waiting

    async def relay_once(self) -> int:
        """Publish one batch; returns how many rows were published."""
        rows = await asyncio.to_thread(self._claim)
        if not rows:
            return 0
        done: list[int] = []
        failed: dict[int, str] = {}
        for row in rows:
            try:
                await self._publish(row)
                done.append(row.seq)
            except Exception as exc:
                failed[row.seq] = f"{type(exc).__name__}: {exc}"
                log.warning("outbox.publish_failed", event_id=row.id, type=row.type, error=failed[row.seq])
                break  # keep order: the rest waits for the next round
        await asyncio.to_thread(self._finish, done, failed, [r.seq for r in rows])
        return len(done)

    async def _publish(self, row: _Claimed) -> None:
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

    def _claim(self) -> list[_Claimed]:
        now = datetime.now(UTC)
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
        return [_Claimed(r.seq, r.id, r.type, bytes(r.payload), dict(r.headers or {})) for r in rows]

    def _finish(self, done: Sequence[int], failed: dict[int, str], claimed: Sequence[int]) -> None:
        now = datetime.now(UTC)
        with writing(self._engine) as conn:
            if done:
                conn.execute(
                    update(outbox).where(outbox.c.seq.in_(done)).values(published_at=now, lease_until=None)
                )
            for seq, error in failed.items():
                conn.execute(
                    update(outbox)
                    .where(outbox.c.seq == seq)
                    .values(lease_until=None, attempts=outbox.c.attempts + 1, last_error=error)
                )
            settled = set(done) | set(failed)
            untouched = [s for s in claimed if s not in settled]
            if untouched:
                conn.execute(update(outbox).where(outbox.c.seq.in_(untouched)).values(lease_until=None))


def unpublished_count(engine: Engine) -> int:
    """Rows not yet acknowledged by JetStream: the relay's backlog."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).where(outbox.c.published_at.is_(None))).scalar_one())
