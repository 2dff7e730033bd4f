"""open cases tallied a second time by the day they entered their stage, by the queue's
facets alone (no nationality or country of stay), kept by triggers, for the waiting-time
counts without those filters

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 22:00:00

"""

import sqlalchemy as sa
from alembic import op


revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

OPEN = "('submitted', 'screening', 'in_review', 'info_requested', 'decision_proposed')"
COLUMNS = ["status", "programme", "threat_level", "screening_status", "assignee_id"]
TARGET = f"case_waiting_facet_tally ({', '.join(COLUMNS)}, entered_on, change)"


def _day(row: str, postgresql: bool) -> str:
    """The UTC day ``row``'s stage began (SQLite keeps the UTC time without a zone)."""
    if postgresql:
        return f"({row}status_changed_at AT TIME ZONE 'UTC')::date"
    return f"date({row}status_changed_at)"


def _values(row: str, postgresql: bool) -> str:
    return ", ".join([*(f"{row}.{column}" for column in COLUMNS), _day(f"{row}.", postgresql)])


def _changed(postgresql: bool) -> str:
    """An update that moves an open case to another combination or another day."""
    differs = "IS DISTINCT FROM" if postgresql else "IS NOT"
    pairs = [(f"OLD.{c}", f"NEW.{c}") for c in COLUMNS]
    pairs.append((_day("OLD.", postgresql), _day("NEW.", postgresql)))
    moved = " OR ".join(f"{old} {differs} {new}" for old, new in pairs)
    return f"(OLD.status IN {OPEN} OR NEW.status IN {OPEN}) AND ({moved})"


POSTGRESQL_TRIGGERS = [
    f"""
    CREATE FUNCTION case_waiting_facet_tally_track() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' AND OLD.status IN {OPEN} THEN
            INSERT INTO {TARGET} VALUES ({_values("OLD", True)}, -1);
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.status IN {OPEN} THEN
            INSERT INTO {TARGET} VALUES ({_values("NEW", True)}, 1);
        END IF;
        RETURN NULL;
    END $$
    """,
    'CREATE TRIGGER case_waiting_facet_tally_insert_delete AFTER INSERT OR DELETE ON "case" '
    "FOR EACH ROW EXECUTE FUNCTION case_waiting_facet_tally_track()",
    f'CREATE TRIGGER case_waiting_facet_tally_update AFTER UPDATE ON "case" FOR EACH ROW '
    f"WHEN ({_changed(True)}) EXECUTE FUNCTION case_waiting_facet_tally_track()",
]
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER case_waiting_facet_tally_insert AFTER INSERT ON "case"
    WHEN NEW.status IN {OPEN}
    BEGIN INSERT INTO {TARGET} VALUES ({_values("NEW", False)}, 1); END""",
    f"""CREATE TRIGGER case_waiting_facet_tally_delete AFTER DELETE ON "case"
    WHEN OLD.status IN {OPEN}
    BEGIN INSERT INTO {TARGET} VALUES ({_values("OLD", False)}, -1); END""",
    f"""CREATE TRIGGER case_waiting_facet_tally_update AFTER UPDATE ON "case"
    WHEN {_changed(False)}
    BEGIN
        INSERT INTO {TARGET} SELECT {_values("OLD", False)}, -1 WHERE OLD.status IN {OPEN};
        INSERT INTO {TARGET} SELECT {_values("NEW", False)}, 1 WHERE NEW.status IN {OPEN};
    END""",
]
SQLITE_TRIGGER_NAMES = (
    "case_waiting_facet_tally_insert",
    "case_waiting_facet_tally_delete",
    "case_waiting_facet_tally_update",
)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32)


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "case_waiting_facet_tally",
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
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        sa.Column("entered_on", sa.Date(), nullable=False),
        sa.Column("change", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_waiting_facet_tally")),
    )
    op.create_index(
        "ix_case_waiting_facet_tally_entered_on", "case_waiting_facet_tally", ["entered_on"]
    )
    if postgresql:  # no case may change between the first count and the triggers
        op.execute('LOCK TABLE "case" IN SHARE MODE')
    day = _day("", postgresql)
    # In order of the day, so that the recent days counting reads lie together.
    op.execute(
        f'INSERT INTO {TARGET} SELECT {", ".join(COLUMNS)}, {day}, count(*) FROM "case" '
        f"WHERE status IN {OPEN} GROUP BY {', '.join(COLUMNS)}, {day} ORDER BY {day}"
    )
    for statement in POSTGRESQL_TRIGGERS if postgresql else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute('DROP TRIGGER case_waiting_facet_tally_update ON "case"')
        op.execute('DROP TRIGGER case_waiting_facet_tally_insert_delete ON "case"')
        op.execute("DROP FUNCTION case_waiting_facet_tally_track()")
    else:
        for name in SQLITE_TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_index("ix_case_waiting_facet_tally_entered_on", table_name="case_waiting_facet_tally")
    op.drop_table("case_waiting_facet_tally")
