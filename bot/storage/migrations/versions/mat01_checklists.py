"""checklists: the latest materials answers per user

Revision ID: mat01_checklists
Revises: 0001_base
"""

import sqlalchemy as sa
from alembic import op

revision = "mat01_checklists"
down_revision = "0001_base"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checklists",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_checklists_user_id_users"),
            nullable=False,
        ),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_checklists_user_id", "checklists", ["user_id"])


def downgrade() -> None:
    op.drop_table("checklists")
