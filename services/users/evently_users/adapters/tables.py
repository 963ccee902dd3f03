"""The users service's tables (SQLAlchemy Core)."""

from evently_platform.db.types import UtcDateTime
from sqlalchemy import Column, Integer, MetaData, String, Table, Text

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
