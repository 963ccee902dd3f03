"""emails.unsubscribe_url (RFC 8058 one-click) and the notifier's keys

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("emails") as batch:
        batch.add_column(sa.Column("unsubscribe_url", sa.Text, nullable=False, server_default=""))
    op.create_table(
        "keys",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("keys")
    with op.batch_alter_table("emails") as batch:
        batch.drop_column("unsubscribe_url")
