"""registrations

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from evently_platform.db.types import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registrations",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("event_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("create_time", UtcDateTime(), nullable=False),
        sa.Column("update_time", UtcDateTime(), nullable=False),
        sa.Column("queued_time", UtcDateTime(), nullable=False),
        sa.UniqueConstraint("event_id", "user_id", name="uq_registrations_event_user"),
    )
    op.create_index(
        "ix_registrations_event_status_queue", "registrations", ["event_id", "status", "queued_time", "id"]
    )
    op.create_index("ix_registrations_user", "registrations", ["user_id", "create_time"])


def downgrade() -> None:
    op.drop_table("registrations")
