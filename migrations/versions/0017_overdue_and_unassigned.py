"""cases waiting for an answer tallied by the day it is due, kept by triggers, and an
index of the questions without a deadline, for the count of the view "overdue"; the
unassigned open cases in queue order

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 15:20:00

"""

import sqlalchemy as sa
from alembic import op


revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

COLUMNS = [
    "status",
    "programme",
    "threat_level",
    "screening_status",
    "nationality",
    "country_of_stay",
    "assignee_id",
]
OPEN = "('submitted', 'screening', 'in_review', 'info_requested', 'decision_proposed')"
UNASSIGNED = f"status IN {OPEN} AND assignee_id IS NULL"
WITHOUT_DEADLINE = sa.text("status = 'info_requested' AND answer_due_at IS NULL")
TARGET = f"case_answer_due_tally ({', '.join(COLUMNS)}, due_on, change)"


def _waits(row: str) -> str:
    """``row`` waits for an answer that has a deadline: the rows this tally keeps."""
    return f"({row}status = 'info_requested' AND {row}answer_due_at IS NOT NULL)"


def _day(row: str, postgresql: bool) -> str:
    """The UTC day ``row``'s answer is due (SQLite keeps the UTC time without a zone)."""
    if postgresql:
        return f"({row}answer_due_at AT TIME ZONE 'UTC')::date"
    return f"date({row}answer_due_at)"


def _values(row: str, postgresql: bool) -> str:
    return ", ".join([*(f"{row}.{column}" for column in COLUMNS), _day(f"{row}.", postgresql)])


def _changed(postgresql: bool) -> str:
    """An update that moves a waiting case to another combination or another day."""
    differs = "IS DISTINCT FROM" if postgresql else "IS NOT"
    pairs = [(f"OLD.{c}", f"NEW.{c}") for c in COLUMNS]
    pairs.append((_day("OLD.", postgresql), _day("NEW.", postgresql)))
    moved = " OR ".join(f"{old} {differs} {new}" for old, new in pairs)
    return f"({_waits('OLD.')} OR {_waits('NEW.')}) AND ({moved})"


POSTGRESQL_TRIGGERS = [
    f"""
    CREATE FUNCTION case_answer_due_tally_track() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' AND {_waits("OLD.")} THEN
            INSERT INTO {TARGET} VALUES ({_values("OLD", True)}, -1);
        END IF;
        IF TG_OP <> 'DELETE' AND {_waits("NEW.")} THEN
            INSERT INTO {TARGET} VALUES ({_values("NEW", True)}, 1);
        END IF;
        RETURN NULL;
    END $$
    """,
    'CREATE TRIGGER case_answer_due_tally_insert_delete AFTER INSERT OR DELETE ON "case" '
    "FOR EACH ROW EXECUTE FUNCTION case_answer_due_tally_track()",
    f'CREATE TRIGGER case_answer_due_tally_update AFTER UPDATE ON "case" FOR EACH ROW '
    f"WHEN ({_changed(True)}) EXECUTE FUNCTION case_answer_due_tally_track()",
]
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER case_answer_due_tally_insert AFTER INSERT ON "case"
    WHEN {_waits("NEW.")}
    BEGIN INSERT INTO {TARGET} VALUES ({_values("NEW", False)}, 1); END""",
    f"""CREATE TRIGGER case_answer_due_tally_delete AFTER DELETE ON "case"
    WHEN {_waits("OLD.")}
    BEGIN INSERT INTO {TARGET} VALUES ({_values("OLD", False)}, -1); END""",
    f"""CREATE TRIGGER case_answer_due_tally_update AFTER UPDATE ON "case" WHEN {_changed(False)}
    BEGIN
        INSERT INTO {TARGET} SELECT {_values("OLD", False)}, -1 WHERE {_waits("OLD.")};
        INSERT INTO {TARGET} SELECT {_values("NEW", False)}, 1 WHERE {_waits("NEW.")};
    END""",
]
SQLITE_TRIGGER_NAMES = (
    "case_answer_due_tally_insert",
    "case_answer_due_tally_delete",
    "case_answer_due_tally_update",
)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32)


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "case_answer_due_tally",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "status",
            _enum(
                "casestatus",
                "draft",
                "submitted",
                "screening",
                "in_review",
                "info_requested",
                "decision_proposed",
                "admitted",
                "rejected",
                "visa_issued",
                "arrived",
                "withdrawn",
            ),
            nullable=False,
        ),
        sa.Column("programme", _enum("programme", "local_staff", "at_risk"), nullable=False),
        sa.Column(
            "threat_level",
            _enum("threatlevel", "unassessed", "low", "moderate", "high", "critical"),
            nullable=False,
        ),
        sa.Column(
            "screening_status",
            _enum("screeningstatus", "pending", "clear", "hit", "concern", "failed"),
            nullable=False,
        ),
        sa.Column("nationality", sa.String(length=2), nullable=True),
        sa.Column("country_of_stay", sa.String(length=2), nullable=True),
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("change", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_answer_due_tally")),
    )
    op.create_index("ix_case_answer_due_tally_due_on", "case_answer_due_tally", ["due_on"])
    op.create_index(
        "ix_case_question_without_deadline",
        "case",
        ["status_changed_at"],
        postgresql_where=WITHOUT_DEADLINE,
        postgresql_include=COLUMNS,  # the counts read it alone
        sqlite_where=WITHOUT_DEADLINE,
    )
    op.execute(
        'CREATE INDEX ix_case_queue_unassigned ON "case" ((-priority_score), status_changed_at, id) '
        f"WHERE {UNASSIGNED}"
    )
    if postgresql:  # no case may change between the first count and the triggers
        op.execute('LOCK TABLE "case" IN SHARE MODE')
    day = _day("", postgresql)
    op.execute(
        f'INSERT INTO {TARGET} SELECT {", ".join(COLUMNS)}, {day}, count(*) FROM "case" '
        f"WHERE {_waits('')} GROUP BY {', '.join(COLUMNS)}, {day} ORDER BY {day}"
    )
    for statement in POSTGRESQL_TRIGGERS if postgresql else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute('DROP TRIGGER case_answer_due_tally_update ON "case"')
        op.execute('DROP TRIGGER case_answer_due_tally_insert_delete ON "case"')
        op.execute("DROP FUNCTION case_answer_due_tally_track()")
    else:
        for name in SQLITE_TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_index("ix_case_queue_unassigned", table_name="case")
    op.drop_index("ix_case_question_without_deadline", table_name="case")
    op.drop_index("ix_case_answer_due_tally_due_on", table_name="case_answer_due_tally")
    op.drop_table("case_answer_due_tally")
