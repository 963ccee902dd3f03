"""subscriptions.previous_secret, previous_secret_expire_time (secret rotation)

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
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(sa.Column("previous_secret", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("previous_secret_expire_time", UtcDateTime()))


def downgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("previous_secret_expire_time")
        batch.drop_column("previous_secret")
