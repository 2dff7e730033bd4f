"""a proposal whose case the applicant withdraws is closed as "withdrawn", by the database,
so that a proposal is open exactly while its case waits for the decision

A confirmation or a return closes a proposal in the review services; a withdrawal left it
open. The withdrawal is the applicant's, made through the public face, whose database role
may not touch decisions (deploy/postgresql/grants.sql): so a trigger on ``case`` closes
it, with its owner's rights on PostgreSQL (SECURITY DEFINER, its search path fixed). The
proposals that withdrawals left open before are closed the same way.

The downgrade drops the trigger and opens those proposals again.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 04:40:00

"""

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

NAME = "case_withdrawal_closes_proposal"
WITHDRAWN_WHILE_PROPOSED = "OLD.status = 'decision_proposed' AND NEW.status = 'withdrawn'"
CLOSE = "UPDATE decision SET state = 'withdrawn' WHERE case_id = NEW.id AND state = 'proposed'"
POSTGRESQL_TRIGGER = [
    f"""
    CREATE FUNCTION {NAME}() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = public, pg_temp AS $$
    BEGIN
        {CLOSE};
        RETURN NULL;
    END $$
    """,
    f'CREATE TRIGGER {NAME} AFTER UPDATE OF status ON "case" FOR EACH ROW '
    f"WHEN ({WITHDRAWN_WHILE_PROPOSED}) EXECUTE FUNCTION {NAME}()",
]
SQLITE_TRIGGER = [
    f"""CREATE TRIGGER {NAME} AFTER UPDATE OF status ON "case"
    WHEN {WITHDRAWN_WHILE_PROPOSED}
    BEGIN {CLOSE}; END""",
]


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRESQL_TRIGGER if postgresql else SQLITE_TRIGGER:
        op.execute(statement)
    # Before this revision only a withdrawal left a proposal open (a confirmation or a
    # return closes it), so every open proposal of a case that no longer waits for the
    # decision is one the applicant withdrew.
    op.execute(
        "UPDATE decision SET state = 'withdrawn' WHERE state = 'proposed' AND NOT EXISTS "
        '(SELECT 1 FROM "case" WHERE "case".id = decision.case_id '
        "AND \"case\".status = 'decision_proposed')"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f'DROP TRIGGER {NAME} ON "case"')
        op.execute(f"DROP FUNCTION {NAME}()")
    else:
        op.execute(f"DROP TRIGGER {NAME}")
    op.execute("UPDATE decision SET state = 'proposed' WHERE state = 'withdrawn'")
