"""callback_payloads: short keys for long Telegram button payloads

Revision ID: tg01_callback_payloads
Revises: 0001_base
"""

import sqlalchemy as sa
from alembic import op

revision = "tg01_callback_payloads"
down_revision = "0001_base"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "callback_payloads",
        sa.Column("key", sa.String(16), primary_key=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_callback_payloads_last_used_at", "callback_payloads", ["last_used_at"])


def downgrade() -> None:
    op.drop_table("callback_payloads")
