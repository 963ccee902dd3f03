"""The events service's tables (SQLAlchemy Core)."""

from evently_platform.db.types import UtcDateTime
from sqlalchemy import JSON, Column, Index, Integer, MetaData, String, Table, Text, UniqueConstraint

metadata = MetaData()

events = Table(
    "events",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("organizer_id", String(32), nullable=False),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("location", String(500), nullable=False),
    Column("start_time", UtcDateTime(), nullable=False),
    Column("end_time", UtcDateTime(), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("create_time", UtcDateTime(), nullable=False),
    Column("update_time", UtcDateTime(), nullable=False),
    Column("cancel_reason", Text, nullable=False, server_default=""),
    Column("time_zone", String(64), nullable=False, server_default="UTC"),
    Column("revision", Integer, nullable=False, server_default="0"),
    Index("ix_events_start_time_id", "start_time", "id"),
    Index("ix_events_organizer_id", "organizer_id"),
)

registrations = Table(
    "registrations",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("event_id", String(32), nullable=False),
    Column("user_id", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("create_time", UtcDateTime(), nullable=False),
    Column("update_time", UtcDateTime(), nullable=False),
    Column("queued_time", UtcDateTime(), nullable=False),
    # One registration per person and event: registering twice finds the first.
    UniqueConstraint("event_id", "user_id", name="uq_registrations_event_user"),
    Index("ix_registrations_event_status_queue", "event_id", "status", "queued_time", "id"),
    Index("ix_registrations_user", "user_id", "create_time"),
)

comments = Table(
    "comments",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("event_id", String(32), nullable=False),
    Column("author_id", String(32), nullable=False),
    Column("text", Text, nullable=False),
    Column("create_time", UtcDateTime(), nullable=False),
    Column("parent_id", String(32), nullable=False, server_default=""),
    Column("update_time", UtcDateTime()),
    Column("state", String(16), nullable=False, server_default="VISIBLE"),
    Column("mention_ids", JSON, nullable=False, server_default="[]"),
    Index("ix_comments_event_time", "event_id", "create_time", "id"),
)

polls = Table(
    "polls",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("event_id", String(32), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("options", JSON, nullable=False),  # [{id, start_time, end_time, location, text}]
    Column("close_time", UtcDateTime()),
    Column("create_time", UtcDateTime(), nullable=False),
    Column("winner_option_id", String(32), nullable=False, server_default=""),
    Column("closed_time", UtcDateTime()),
    Index("ix_polls_event", "event_id", "create_time"),
    Index("ix_polls_due", "state", "close_time"),
)

# One row per person and option: a changed answer replaces the row.
poll_answers = Table(
    "poll_answers",
    metadata,
    Column("poll_id", String(32), primary_key=True),
    Column("user_id", String(32), primary_key=True),
    Column("option_id", String(32), primary_key=True),
    Column("answer", String(16), nullable=False),
    Column("update_time", UtcDateTime(), nullable=False),
)
