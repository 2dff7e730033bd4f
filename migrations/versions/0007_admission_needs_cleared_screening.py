"""admission and visas only with a cleared screening; no case held by an inactive account

The database refuses to move a case to ``admitted`` or ``visa_issued`` while its
screening status is anything but ``clear`` (a trigger on each backend), as the CHECK on
``decision`` backs the four-eyes rule: the staff seam refuses it first, with a message.

Existing data is brought in line with the rules this revision starts from:

- a case the intake called ``clear`` only because no watch list was in force (its
  assessment in force carries the reason ``watchlist_missing`` and no security officer has
  set its screening since) becomes ``concern``, the case and that assessment both, so a
  security officer clears it before it is admitted or given a visa;
- cases assigned to a deactivated account are unassigned, so that every caseworker finds
  them in the unassigned queue (deactivating an account does that from now on).

The downgrade drops the trigger and leaves both changes to the data: nothing records
which cases they touched, and a case waiting for a security officer or in the unassigned
queue is the safe side of either.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

NAME = "case_admission_needs_clear_screening"
MESSAGE = "a case is admitted or given a visa only with a cleared screening"
MOVES_ON_WITHOUT_CLEARANCE = (
    "NEW.status IN ('admitted', 'visa_issued') AND NEW.screening_status <> 'clear' AND "
)
POSTGRESQL_TRIGGER = [
    f"""
    CREATE FUNCTION {NAME}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
    END $$
    """,
    f'CREATE TRIGGER {NAME} BEFORE UPDATE OF status ON "case" FOR EACH ROW '
    f"WHEN ({MOVES_ON_WITHOUT_CLEARANCE}NEW.status IS DISTINCT FROM OLD.status) "
    f"EXECUTE FUNCTION {NAME}()",
]
# RAISE(ABORT) is a constraint error in SQLite: IntegrityError, as on PostgreSQL.
SQLITE_TRIGGER = [
    f"""CREATE TRIGGER {NAME} BEFORE UPDATE OF status ON "case"
    WHEN {MOVES_ON_WITHOUT_CLEARANCE}NEW.status IS NOT OLD.status
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]

# The assessment in force (portal.cases.models.in_force): no newer one of its case.
CLEAR_WITHOUT_A_LIST = sa.text(
    """
    SELECT assessment.id, assessment.case_id, assessment.reasons
    FROM risk_assessment AS assessment JOIN "case" ON "case".id = assessment.case_id
    WHERE "case".screening_status = 'clear' AND assessment.screening_status = 'clear'
    AND CAST(assessment.reasons AS TEXT) LIKE '%watchlist_missing%'
    AND NOT EXISTS (
        SELECT 1 FROM risk_assessment AS newer WHERE newer.case_id = assessment.case_id
        AND (newer.created_at > assessment.created_at
             OR (newer.created_at = assessment.created_at AND newer.id > assessment.id))
    )
    """
).columns(
    sa.column("id", sa.Uuid()), sa.column("case_id", sa.Uuid()), sa.column("reasons", sa.JSON())
)
BATCH = 500


def _not_screened_to_concern() -> None:
    """Cases called clear for want of a list, which no security officer has looked at."""
    bind = op.get_bind()
    found = [
        (row.id, row.case_id)
        for row in bind.execute(CLEAR_WITHOUT_A_LIST)
        if any(reason.get("code") == "watchlist_missing" for reason in row.reasons)
        and not any(reason.get("code") == "staff_screening_status" for reason in row.reasons)
    ]
    case = sa.table(
        "case", sa.column("id", sa.Uuid()), sa.column("screening_status"), sa.column("row_version")
    )
    assessment = sa.table(
        "risk_assessment", sa.column("id", sa.Uuid()), sa.column("screening_status")
    )
    for start in range(0, len(found), BATCH):
        assessment_ids, case_ids = zip(*found[start : start + BATCH], strict=True)
        bind.execute(
            sa.update(assessment)
            .where(assessment.c.id.in_(assessment_ids))
            .values(screening_status="concern")
        )
        bind.execute(
            sa.update(case)
            .where(case.c.id.in_(case_ids))
            .values(screening_status="concern", row_version=case.c.row_version + 1)
        )


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    _not_screened_to_concern()
    op.execute(
        'UPDATE "case" SET assignee_id = NULL, row_version = row_version + 1 WHERE assignee_id IN '
        "(SELECT id FROM staff_user WHERE NOT active)"
    )
    for statement in POSTGRESQL_TRIGGER if postgresql else SQLITE_TRIGGER:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f'DROP TRIGGER {NAME} ON "case"')
        op.execute(f"DROP FUNCTION {NAME}()")
    else:
        op.execute(f"DROP TRIGGER {NAME}")
