"""information requests carry a deadline; the case keeps the open one's, indexed

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 12:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

WAITING_FOR_ANSWER = sa.text("status = 'info_requested'")


def upgrade() -> None:
    # Plain ADD COLUMN, no batch: on SQLite a batch operation copies the table, and the
    # copy would lose the tally triggers on "case" (migrations 0005 and 0011).
    op.add_column("message", sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("case", sa.Column("answer_due_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_case_answer_due",
        "case",
        ["answer_due_at"],
        postgresql_where=WAITING_FOR_ANSWER,
        sqlite_where=WAITING_FOR_ANSWER,
    )


def downgrade() -> None:
    op.drop_index("ix_case_answer_due", table_name="case")
    op.drop_column("case", "answer_due_at")
    op.drop_column("message", "due_at")
