"""merge the feature branches (reminders, checklists, callback payloads) into one head

Revision ID: 0003_merge_features
Revises: 0002_reminders, mat01_checklists, tg01_callback_payloads
"""

revision = "0003_merge_features"
down_revision = ("0002_reminders", "mat01_checklists", "tg01_callback_payloads")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
