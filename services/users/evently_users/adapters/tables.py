"""The users service's tables (SQLAlchemy Core)."""

from evently_platform.db.types import UtcDateTime
from sqlalchemy import Column, MetaData, String, Table, Text

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("display_name", String(100), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("create_time", UtcDateTime(), nullable=False),
)
