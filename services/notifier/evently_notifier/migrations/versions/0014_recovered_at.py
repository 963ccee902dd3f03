"""subscriptions.recovered_at: the last RecoverDeliveries, so that an event it already sent
again is not sent a second time by a consumer that reaches it later

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op
from evently_platform.db.types import UtcDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(sa.Column("recovered_at", UtcDateTime()))


def downgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("recovered_at")
