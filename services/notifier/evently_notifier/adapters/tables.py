"""The notifier's tables (SQLAlchemy Core)."""

from evently_platform.db.types import UtcDateTime
from sqlalchemy import JSON, Boolean, Column, Index, Integer, LargeBinary, MetaData, String, Table, Text

metadata = MetaData()

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("owner_id", String(32), nullable=False),
    Column("url", String(2000), nullable=False),
    Column("event_types", JSON, nullable=False),
    Column("description", String(500), nullable=False),
    Column("secret", String(200), nullable=False),
    Column("state", String(16), nullable=False),
    Column("create_time", UtcDateTime(), nullable=False),
    Column("previous_secret", String(200), nullable=False, server_default=""),
    Column("previous_secret_expire_time", UtcDateTime()),
    Column("format", String(16), nullable=False, server_default="CLOUDEVENTS"),
    Column("failing_since", UtcDateTime()),
    Column("rate_limit", Integer, nullable=False, server_default="1000"),
    Column("recovered_at", UtcDateTime()),
    Index("ix_subscriptions_owner", "owner_id", "create_time"),
)

# One row: bumped with every change of `subscriptions` (see SubscriptionIndex).
subscriptions_version = Table(
    "subscriptions_version",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("subscription_id", String(32), nullable=False),
    Column("event_id", String(64), nullable=False),
    Column("event_type", String(200), nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("trace_headers", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_status_code", Integer, nullable=False),
    Column("last_error", Text, nullable=False),
    Column("next_attempt_time", UtcDateTime()),
    Column("create_time", UtcDateTime(), nullable=False),
    Column("update_time", UtcDateTime(), nullable=False),
    Index("ix_deliveries_subscription", "subscription_id", "create_time"),
    Index("ix_deliveries_due", "next_attempt_time"),
)

# The in-app inbox.
notifications = Table(
    "notifications",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user_id", String(32), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("title", String(500), nullable=False),
    Column("body", Text, nullable=False),
    Column("event_id", String(32), nullable=False),
    Column("source_event_id", String(64), nullable=False),
    Column("create_time", UtcDateTime(), nullable=False),
    Column("read_time", UtcDateTime()),
    Index("ix_notifications_user_time", "user_id", "create_time", "id"),
)

# The notifier's own view of who is registered where, kept from evently.registration.* events.
attendees = Table(
    "attendees",
    metadata,
    Column("registration_id", String(32), primary_key=True),
    Column("event_id", String(32), nullable=False),
    Column("user_id", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("update_time", UtcDateTime(), nullable=False),
    Index("ix_attendees_event", "event_id", "status"),
    Index("ix_attendees_user", "user_id"),
)

preferences = Table(
    "preferences",
    metadata,
    Column("user_id", String(32), primary_key=True),
    Column("email", Boolean, nullable=False),
    Column("in_app", Boolean, nullable=False),
    Column("muted_kinds", JSON, nullable=False),
)

# Whom to e-mail: kept from evently.user.created, forgotten on evently.user.deleted.
recipients = Table(
    "recipients",
    metadata,
    Column("user_id", String(32), primary_key=True),
    Column("email", String(254), nullable=False),
    Column("display_name", String(100), nullable=False),
    Column("time_zone", String(64), nullable=False, server_default="UTC"),  # for stating times
)

# Outgoing e-mail, sent by the mail worker with retries.
emails = Table(
    "emails",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user_id", String(32), nullable=False),
    Column("to_address", String(254), nullable=False),
    Column("to_name", String(100), nullable=False),
    Column("subject", String(500), nullable=False),
    Column("text", Text, nullable=False),
    Column("html", Text, nullable=False),
    Column("calendar", LargeBinary),
    Column("message_id", String(300), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text, nullable=False),
    Column("next_attempt_time", UtcDateTime()),
    Column("create_time", UtcDateTime(), nullable=False),
    Column("update_time", UtcDateTime(), nullable=False),
    Column("unsubscribe_url", Text, nullable=False, server_default=""),
    Index("ix_emails_due", "status", "next_attempt_time"),
    Index("ix_emails_user", "user_id"),
)

# What the notifier knows of events (title, start), kept from the events service's events.
known_events = Table(
    "known_events",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("organizer_id", String(32), nullable=False),
    Column("title", String(200), nullable=False),
    Column("start_time", UtcDateTime(), nullable=False),
    Column("cancelled", Boolean, nullable=False),
    Column("end_time", UtcDateTime()),
    Column("time_zone", String(64), nullable=False, server_default="UTC"),
)

reminders = Table(
    "reminders",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user_id", String(32), nullable=False),
    Column("event_id", String(32), nullable=False),
    Column("before_start_seconds", Integer, nullable=False),
    Column("remind_time", UtcDateTime(), nullable=False),
    Column("state", String(16), nullable=False),
    Column("is_default", Boolean, nullable=False),
    Column("create_time", UtcDateTime(), nullable=False),
    Index("ix_reminders_due", "state", "remind_time"),
    Index("ix_reminders_user", "user_id", "remind_time"),
    Index("ix_reminders_event", "event_id"),
)

# Every attempt of every delivery, for the delivery log.
delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column("delivery_id", String(32), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("status_code", Integer, nullable=False),
    Column("error", Text, nullable=False),
    Column("attempt_time", UtcDateTime(), nullable=False),
    Column("response", Text, nullable=False, server_default=""),
)

# The notifier's own secrets, made once and shared by every instance (the one-click unsubscribe
# links' signing key).
keys = Table(
    "keys",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", LargeBinary, nullable=False),
)
