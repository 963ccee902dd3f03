"""Inbox: a consumed message's id is recorded in the same transaction as its effects, so a
redelivery finds it and has no second effect. `handled_once` puts that check around a batch
handler, so no handler has to remember it."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Protocol, TypeVar

from sqlalchemy import Connection, String, TextualSelect, bindparam, text

from evently_platform.messaging.tables import inbox


@functools.cache
def _record(rows: int) -> TextualSelect:
    """`INSERT .. ON CONFLICT DO NOTHING RETURNING` for `rows` messages, the same SQL on SQLite
    and PostgreSQL. Written as text because SQLAlchemy 2.0 never caches its dialects' ON CONFLICT
    inserts (`inherit_cache = False`): built with them, the statement was compiled afresh for
    every consumed batch, ~0.2 ms each time. A text statement is compiled once per row count."""
    values = ", ".join(f"(:consumer, :m{i}, :received_at)" for i in range(rows))
    return (
        text(
            f"INSERT INTO {inbox.name} (consumer, message_id, received_at) VALUES {values} "
            "ON CONFLICT (consumer, message_id) DO NOTHING RETURNING message_id"
        )
        .bindparams(bindparam("received_at", type_=inbox.c.received_at.type))
        .columns(message_id=String)
    )


def _chunks(ids: Sequence[str]) -> list[Sequence[str]]:
    """Powers of two, largest first: at most eight statement shapes for batches up to 255, so
    a handful of compiled statements serve every batch size."""
    chunks: list[Sequence[str]] = []
    start = 0
    size = 128
    while start < len(ids):
        while size > len(ids) - start:
            size //= 2
        chunks.append(ids[start : start + size])
        start += size
    return chunks


def first_deliveries(connection: Connection, consumer: str, message_ids: Sequence[str]) -> set[str]:
    """Record the messages as handled by `consumer`; the ids not handled before. RETURNING, not
    rowcount: psycopg reports -1 for an INSERT .. ON CONFLICT."""
    now = datetime.now(UTC)
    fresh: set[str] = set()
    for chunk in _chunks(message_ids):
        params: dict[str, object] = {f"m{i}": m for i, m in enumerate(chunk)}
        params.update(consumer=consumer, received_at=now)
        fresh.update(connection.execute(_record(len(chunk)), params).scalars())
    return fresh


def first_delivery(connection: Connection, consumer: str, message_id: str) -> bool:
    """Record one message as handled by `consumer`; False when it already was."""
    return bool(first_deliveries(connection, consumer, [message_id]))


class Identified(Protocol):
    @property
    def id(self) -> str: ...


class Inbox(Protocol):
    def first_deliveries(self, consumer: str, message_ids: Sequence[str]) -> set[str]: ...


U = TypeVar("U", bound=Inbox)
M = TypeVar("M", bound=Identified)
R = TypeVar("R")


def handled_once(consumer: str, handle: Callable[[U, list[M]], R]) -> Callable[[U, list[M]], R]:
    """Middleware: `handle` (inside the caller's transaction) sees only the messages of the batch
    that `consumer` has not handled before; the inbox rows commit with its effects. A message
    repeated within one batch counts once."""

    def first_time_only(uow: U, batch: list[M]) -> R:
        fresh = uow.first_deliveries(consumer, list(dict.fromkeys(m.id for m in batch)))
        new = []
        for message in batch:
            if message.id in fresh:
                fresh.discard(message.id)
                new.append(message)
        return handle(uow, new)

    return first_time_only
