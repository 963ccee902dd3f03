"""The messaging tables every service database holds: outbox, inbox and dead letters."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    text,
)

from evently_platform.db.types import UtcDateTime

metadata = MetaData()

# BIGINT on PostgreSQL, but SQLite only auto-increments an INTEGER PRIMARY KEY.
_Seq = BigInteger().with_variant(Integer(), "sqlite")

outbox = Table(
    "outbox",
    metadata,
    Column("seq", _Seq, primary_key=True, autoincrement=True),
    Column("id", String(64), nullable=False, unique=True),  # the domain event's id = Nats-Msg-Id
    Column("type", String(200), nullable=False),  # = NATS subject
    Column("payload", LargeBinary, nullable=False),
    Column("headers", JSON, nullable=False),  # traceparent captured in the writing request
    Column("created_at", UtcDateTime(), nullable=False),
    Column("published_at", UtcDateTime()),
    Column("lease_until", UtcDateTime()),  # a relay's claim; expires if it dies
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("last_error", Text),
    Index(
        "ix_outbox_unpublished",
        "seq",
        sqlite_where=text("published_at IS NULL"),
        postgresql_where=text("published_at IS NULL"),
    ),
)

inbox = Table(
    "inbox",
    metadata,
    Column("consumer", String(100), primary_key=True),
    Column("message_id", String(64), primary_key=True),
    Column("received_at", UtcDateTime(), nullable=False),
)

dead_letters = Table(
    "dead_letters",
    metadata,
    Column("seq", _Seq, primary_key=True, autoincrement=True),
    Column("consumer", String(100), nullable=False),
    Column("message_id", String(64)),
    Column("subject", String(200), nullable=False),
    Column("stream_seq", BigInteger),
    Column("num_delivered", Integer, nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("headers", JSON, nullable=False),
    Column("error", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)


def create_messaging_tables(op: Any) -> None:
    """Version 1 of the messaging tables, for a service's first Alembic migration.

    Later changes to these tables come as new functions, so old migrations stay as they ran.
    """
    bind = op.get_bind()
    metadata.create_all(bind, tables=[outbox, inbox, dead_letters])


def drop_messaging_tables(op: Any) -> None:
    bind = op.get_bind()
    metadata.drop_all(bind, tables=[dead_letters, inbox, outbox])
