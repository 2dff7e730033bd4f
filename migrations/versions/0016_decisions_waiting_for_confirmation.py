"""an index of the open proposals by proposer, for the team page's waiting confirmations

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 12:00:00

"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Partial: the open proposals only, not the decision of every case ever decided.
    op.execute(
        "CREATE INDEX ix_decision_waiting ON decision (proposed_by_id, proposed_at, case_id) "
        "WHERE state = 'proposed'"
    )


def downgrade() -> None:
    op.drop_index("ix_decision_waiting", table_name="decision")
