"""Where a message goes when its consumer gives up on it: a row to see and replay, not silence."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update

from evently_platform.clock import Clock, SystemClock
from evently_platform.db.engine import writing
from evently_platform.messaging.tables import dead_letters


@dataclass(frozen=True)
class DeadLetter:
    consumer: str
    message_id: str | None
    subject: str
    stream_seq: int | None
    num_delivered: int
    payload: bytes
    headers: dict[str, str]
    error: str


@dataclass(frozen=True)
class StoredDeadLetter:
    id: int
    letter: DeadLetter
    create_time: datetime


class SqlDeadLetters:
    def __init__(self, engine: Engine, *, clock: Clock | None = None) -> None:
        self._engine = engine
        self._clock = clock or SystemClock()

    async def record(self, letter: DeadLetter) -> None:
        await asyncio.to_thread(self._insert, letter)

    def _insert(self, letter: DeadLetter) -> None:
        with writing(self._engine) as conn:
            conn.execute(
                insert(dead_letters).values(
                    # Bounded to the columns: anything may arrive, and the letter must be written
                    # (the full Nats-Msg-Id stays in `headers`, everything else in `payload`).
                    consumer=letter.consumer[:100],
                    message_id=letter.message_id[:64] if letter.message_id is not None else None,
                    subject=letter.subject[:200],
                    stream_seq=letter.stream_seq,
                    num_delivered=letter.num_delivered,
                    payload=letter.payload,
                    headers=letter.headers,
                    error=letter.error[:4000],
                    created_at=self._clock.now(),
                )
            )

    def letters(self, consumer: str | None = None) -> list[DeadLetter]:
        """Every letter, oldest first."""
        query = select(dead_letters).order_by(dead_letters.c.seq)
        if consumer is not None:
            query = query.where(dead_letters.c.consumer == consumer)
        with self._engine.connect() as conn:
            return [_stored(r).letter for r in conn.execute(query)]

    def page(self, *, before: int | None, limit: int) -> list[StoredDeadLetter]:
        """Newest first: up to `limit` letters older than the one numbered `before`."""
        query = select(dead_letters).order_by(dead_letters.c.seq.desc()).limit(limit)
        if before is not None:
            query = query.where(dead_letters.c.seq < before)
        with self._engine.connect() as conn:
            return [_stored(r) for r in conn.execute(query)]

    def get(self, letter_id: int) -> StoredDeadLetter | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(dead_letters).where(dead_letters.c.seq == letter_id)).first()
        return _stored(row) if row is not None else None

    def discard(self, letter_id: int) -> None:
        """A replayed letter, handled at last."""
        with writing(self._engine) as conn:
            conn.execute(delete(dead_letters).where(dead_letters.c.seq == letter_id))

    def failed_again(self, letter_id: int, error: str) -> None:
        with writing(self._engine) as conn:
            conn.execute(
                update(dead_letters).where(dead_letters.c.seq == letter_id).values(error=error[:4000])
            )


def _stored(row: Any) -> StoredDeadLetter:
    return StoredDeadLetter(
        id=int(row.seq),
        letter=DeadLetter(
            consumer=row.consumer,
            message_id=row.message_id,
            subject=row.subject,
            stream_seq=row.stream_seq,
            num_delivered=row.num_delivered,
            payload=bytes(row.payload),
            headers=dict(row.headers or {}),
            error=row.error,
        ),
        create_time=row.created_at,
    )
