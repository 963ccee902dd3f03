"""polls and poll_answers

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from evently_platform.db.types import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "polls",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("event_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("options", sa.JSON, nullable=False),
        sa.Column("close_time", UtcDateTime()),
        sa.Column("create_time", UtcDateTime(), nullable=False),
        sa.Column("winner_option_id", sa.String(32), nullable=False, server_default=""),
        sa.Column("closed_time", UtcDateTime()),
    )
    op.create_index("ix_polls_event", "polls", ["event_id", "create_time"])
    op.create_index("ix_polls_due", "polls", ["state", "close_time"])
    op.create_table(
        "poll_answers",
        sa.Column("poll_id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(32), primary_key=True),
        sa.Column("option_id", sa.String(32), primary_key=True),
        sa.Column("answer", sa.String(16), nullable=False),
        sa.Column("update_time", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("poll_answers")
    op.drop_index("ix_polls_due", "polls")
    op.drop_index("ix_polls_event", "polls")
    op.drop_table("polls")
