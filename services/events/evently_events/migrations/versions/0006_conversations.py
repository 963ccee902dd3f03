"""comments as a conversation: replies, edits, deletions, mentions

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
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("parent_id", sa.String(32), nullable=False, server_default=""))
        batch.add_column(sa.Column("update_time", UtcDateTime()))
        batch.add_column(sa.Column("state", sa.String(16), nullable=False, server_default="VISIBLE"))
        batch.add_column(sa.Column("mention_ids", sa.JSON, nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("comments") as batch:
        for column in ("mention_ids", "state", "update_time", "parent_id"):
            batch.drop_column(column)
