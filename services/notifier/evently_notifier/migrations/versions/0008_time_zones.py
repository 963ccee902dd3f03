"""known_events.end_time and time_zone, recipients.time_zone: times stated in words

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

from evently_platform.db.types import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("known_events") as batch:
        batch.add_column(sa.Column("end_time", UtcDateTime(), nullable=True))
        batch.add_column(sa.Column("time_zone", sa.String(64), nullable=False, server_default="UTC"))
    with op.batch_alter_table("recipients") as batch:
        batch.add_column(sa.Column("time_zone", sa.String(64), nullable=False, server_default="UTC"))


def downgrade() -> None:
    with op.batch_alter_table("recipients") as batch:
        batch.drop_column("time_zone")
    with op.batch_alter_table("known_events") as batch:
        batch.drop_column("time_zone")
        batch.drop_column("end_time")
