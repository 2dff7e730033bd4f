"""insider budgets: the audit trail indexed by actor, the reasons given for exports

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The budgets count one person's openings and exports of the last hour on every case
    # opened: this index makes that a seek, however long the trail grows.
    op.create_index(
        "ix_audit_event_by_actor", "audit_event", ["actor_id", "action", "at"], unique=False
    )
    op.create_table(
        "case_export",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("exported_by_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_case_export_case_id_case"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["exported_by_id"],
            ["staff_user.id"],
            name=op.f("fk_case_export_exported_by_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_export")),
    )
    op.create_index(op.f("ix_case_export_case_id"), "case_export", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_case_export_case_id"), table_name="case_export")
    op.drop_table("case_export")
    op.drop_index("ix_audit_event_by_actor", table_name="audit_event")
