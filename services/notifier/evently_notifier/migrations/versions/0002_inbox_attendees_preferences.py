"""notifications (in-app inbox), attendees (projection), preferences

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from evently_platform.db.types import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("event_id", sa.String(32), nullable=False),
        sa.Column("source_event_id", sa.String(64), nullable=False),
        sa.Column("create_time", UtcDateTime(), nullable=False),
        sa.Column("read_time", UtcDateTime()),
    )
    op.create_index("ix_notifications_user_time", "notifications", ["user_id", "create_time", "id"])
    op.create_table(
        "attendees",
        sa.Column("registration_id", sa.String(32), primary_key=True),
        sa.Column("event_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("update_time", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_attendees_event", "attendees", ["event_id", "status"])
    op.create_index("ix_attendees_user", "attendees", ["user_id"])
    op.create_table(
        "preferences",
        sa.Column("user_id", sa.String(32), primary_key=True),
        sa.Column("email", sa.Boolean, nullable=False),
        sa.Column("in_app", sa.Boolean, nullable=False),
        sa.Column("muted_kinds", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("preferences")
    op.drop_table("attendees")
    op.drop_table("notifications")
