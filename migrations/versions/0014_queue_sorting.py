"""the queue sorted by waiting time and by submission, and its saved views: indexes

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 12:00:00

"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

OPEN = "('submitted', 'screening', 'in_review', 'info_requested', 'decision_proposed')"
COLUMNS = (
    "status, programme, threat_level, screening_status, assignee_id, nationality, country_of_stay"
)
ANSWERED = "from_status = 'info_requested' AND to_status = 'in_review'"


def _waiting(key: str) -> None:
    include = f" INCLUDE ({COLUMNS})" if op.get_bind().dialect.name == "postgresql" else ""
    op.execute(f'CREATE INDEX ix_case_waiting ON "case" ({key}){include} WHERE status IN {OPEN}')


def upgrade() -> None:
    # The waiting-time index gains the id: it then holds the queue's order by waiting time
    # (a total order) as well as serving the counts.
    op.drop_index("ix_case_waiting", table_name="case")
    _waiting("status_changed_at, id")
    op.execute(
        f'CREATE INDEX ix_case_queue_submitted ON "case" (submitted_at, id) WHERE status IN {OPEN}'
    )
    op.execute(
        'CREATE INDEX ix_case_queue_status_waiting ON "case" (status, status_changed_at, id) '
        f"WHERE status IN {OPEN}"
    )
    op.execute(
        "CREATE INDEX ix_case_transition_answered ON case_transition (case_id, at) "
        f"WHERE {ANSWERED}"
    )


def downgrade() -> None:
    op.drop_index("ix_case_transition_answered", table_name="case_transition")
    op.drop_index("ix_case_queue_status_waiting", table_name="case")
    op.drop_index("ix_case_queue_submitted", table_name="case")
    op.drop_index("ix_case_waiting", table_name="case")
    _waiting("status_changed_at")
