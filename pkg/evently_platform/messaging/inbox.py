"""Inbox: a consumed message's id is recorded in the same transaction as its effects, so a
redelivery finds it and has no second effect. `handled_once` puts that check around a batch
handler, so no handler has to remember it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Protocol, TypeVar

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from evently_platform.messaging.tables import inbox


def first_deliveries(connection: Connection, consumer: str, message_ids: Sequence[str]) -> set[str]:
    """Record the messages as handled by `consumer`, in one statement; the ids not handled before."""
    if not message_ids:
        return set()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    now = datetime.now(UTC)
    statement = (
        dialect.insert(inbox)
        .values([{"consumer": consumer, "message_id": m, "received_at": now} for m in message_ids])
        .on_conflict_do_nothing(index_elements=["consumer", "message_id"])
        # RETURNING, not rowcount: psycopg reports -1 for an INSERT .. ON CONFLICT here.
        .returning(inbox.c.message_id)
    )
    return set(connection.execute(statement).scalars())


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
