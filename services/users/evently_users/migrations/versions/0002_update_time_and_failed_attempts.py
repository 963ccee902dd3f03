"""users.update_time; failed_attempts for sign-in throttling

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
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("update_time", UtcDateTime(), nullable=True))
    op.execute("UPDATE users SET update_time = create_time")
    with op.batch_alter_table("users") as batch:
        batch.alter_column("update_time", existing_type=UtcDateTime(), nullable=False)
    op.create_table(
        "failed_attempts",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_failure", UtcDateTime(), nullable=False),
        sa.Column("locked_until", UtcDateTime()),
    )


def downgrade() -> None:
    op.drop_table("failed_attempts")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("update_time")
