"""Where a message goes when its consumer gives up on it: a row to see and replay, not silence."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select

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


class SqlDeadLetters:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

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
                    created_at=datetime.now(UTC),
                )
            )

    def list(self, consumer: str | None = None) -> list[DeadLetter]:
        query = select(dead_letters).order_by(dead_letters.c.seq)
        if consumer is not None:
            query = query.where(dead_letters.c.consumer == consumer)
        with self._engine.connect() as conn:
            return [
                DeadLetter(
                    consumer=r.consumer,
                    message_id=r.message_id,
                    subject=r.subject,
                    stream_seq=r.stream_seq,
                    num_delivered=r.num_delivered,
                    payload=bytes(r.payload),
                    headers=dict(r.headers or {}),
                    error=r.error,
                )
                for r in conn.execute(query)
            ]
