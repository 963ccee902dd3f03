"""known_events (projection), reminders

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from evently_platform.db.types import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "known_events",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("organizer_id", sa.String(32), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("start_time", UtcDateTime(), nullable=False),
        sa.Column("cancelled", sa.Boolean, nullable=False),
    )
    op.create_table(
        "reminders",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("event_id", sa.String(32), nullable=False),
        sa.Column("before_start_seconds", sa.Integer, nullable=False),
        sa.Column("remind_time", UtcDateTime(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("is_default", sa.Boolean, nullable=False),
        sa.Column("create_time", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_reminders_due", "reminders", ["state", "remind_time"])
    op.create_index("ix_reminders_user", "reminders", ["user_id", "remind_time"])
    op.create_index("ix_reminders_event", "reminders", ["event_id"])


def downgrade() -> None:
    op.drop_table("reminders")
    op.drop_table("known_events")
