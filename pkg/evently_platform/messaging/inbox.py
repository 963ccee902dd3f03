"""Inbox: a consumed message's id is recorded in the same transaction as its effects,
so a redelivery finds it and has no second effect."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from evently_platform.messaging.tables import inbox


def first_delivery(connection: Connection, consumer: str, message_id: str) -> bool:
    """Record the message as handled by `consumer`; False when it already was."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(inbox)
        .values(consumer=consumer, message_id=message_id, received_at=datetime.now(UTC))
        .on_conflict_do_nothing(index_elements=["consumer", "message_id"])
        # RETURNING, not rowcount: psycopg reports -1 for an INSERT .. ON CONFLICT here.
        .returning(inbox.c.message_id)
    )
    return connection.execute(statement).first() is not None
