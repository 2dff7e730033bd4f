"""the queue sorted by waiting time and by submission, and its saved views: who made a
case's last move, and the indexes of the new orders and views

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 12:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

OPEN = "('submitted', 'screening', 'in_review', 'info_requested', 'decision_proposed')"
ANSWERED = "status = 'in_review' AND status_changed_by = 'applicant'"
FACETS = "programme, threat_level, screening_status, assignee_id, nationality, country_of_stay"
COLUMNS = f"status, {FACETS}"


def _include(columns: str) -> str:
    return f" INCLUDE ({columns})" if op.get_bind().dialect.name == "postgresql" else ""


def _waiting(key: str) -> None:
    op.execute(
        f'CREATE INDEX ix_case_waiting ON "case" ({key}){_include(COLUMNS)} WHERE status IN {OPEN}'
    )


def upgrade() -> None:
    op.add_column(
        "case",
        sa.Column(
            "status_changed_by",
            sa.Enum(
                "applicant", "staff", "system", name="actorkind", native_enum=False, length=32
            ),
            nullable=True,
        ),
    )
    # The open cases' last move, from their history (closed cases are in no queue view).
    op.execute(
        'UPDATE "case" SET status_changed_by = (SELECT t.actor_kind FROM case_transition t '
        'WHERE t.case_id = "case".id AND t.to_status = "case".status '
        "ORDER BY t.at DESC LIMIT 1) "
        f"WHERE status IN {OPEN}"
    )
    # The waiting-time index gains the id: it then holds the queue's order by waiting time
    # (a total order) as well as serving the counts.
    op.drop_index("ix_case_waiting", table_name="case")
    _waiting("status_changed_at, id")
    op.execute(
        f'CREATE INDEX ix_case_queue_submitted ON "case" (submitted_at, id) WHERE status IN {OPEN}'
    )
    op.execute(
        'CREATE INDEX ix_case_queue_status_waiting ON "case" (status, status_changed_at, id)'
        f"{_include(FACETS)} WHERE status IN {OPEN}"
    )
    op.execute(
        'CREATE INDEX ix_case_answered ON "case" ((-priority_score), status_changed_at, id) '
        f"WHERE {ANSWERED}"
    )
    op.execute(
        'CREATE INDEX ix_case_answered_waiting ON "case" (status_changed_at, id)'
        f"{_include(COLUMNS)} WHERE {ANSWERED}"
    )


def downgrade() -> None:
    op.drop_index("ix_case_answered_waiting", table_name="case")
    op.drop_index("ix_case_answered", table_name="case")
    op.drop_index("ix_case_queue_status_waiting", table_name="case")
    op.drop_index("ix_case_queue_submitted", table_name="case")
    op.drop_index("ix_case_waiting", table_name="case")
    _waiting("status_changed_at")
    op.drop_column("case", "status_changed_by")
