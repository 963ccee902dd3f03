"""subscriptions.failing_since: a subscription is disabled after failing for days, not at once

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op
from evently_platform.db.types import UtcDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(sa.Column("failing_since", UtcDateTime()))


def downgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("failing_since")
