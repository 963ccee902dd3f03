"""delivery_attempts: every attempt of every delivery

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from evently_platform.db.types import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delivery_attempts",
        sa.Column("delivery_id", sa.String(32), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("status_code", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("attempt_time", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("delivery_attempts")
