"""The users service's tables (SQLAlchemy Core)."""

from evently_platform.db.types import UtcDateTime
from sqlalchemy import Column, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("display_name", String(100), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("create_time", UtcDateTime(), nullable=False),
    Column("update_time", UtcDateTime(), nullable=False),
    Column("time_zone", String(64), nullable=False, server_default="UTC"),
)

# Sign-in failures per throttled key ("account:<email>", "client:<address>").
failed_attempts = Table(
    "failed_attempts",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure", UtcDateTime(), nullable=False),
    Column("locked_until", UtcDateTime()),
)

# Refresh tokens, by the hash of each (see domain.sessions).
sessions = Table(
    "sessions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user_id", String(32), nullable=False),
    Column("family_id", String(32), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("create_time", UtcDateTime(), nullable=False),
    Column("expire_time", UtcDateTime(), nullable=False),
    Column("used_time", UtcDateTime()),
    Index("ix_sessions_user_id", "user_id"),
    Index("ix_sessions_family_id", "family_id"),
)

# Password reset links, by the hash of each token (see domain.resets).
password_resets = Table(
    "password_resets",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user_id", String(32), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("create_time", UtcDateTime(), nullable=False),
    Column("expire_time", UtcDateTime(), nullable=False),
    Column("used_time", UtcDateTime()),
    Index("ix_password_resets_user_id", "user_id"),
)
