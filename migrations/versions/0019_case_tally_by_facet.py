"""every case but a draft tallied a second time by the queue's facets alone (no nationality
or country of stay), kept by triggers, for the counts without those filters

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 01:45:00

"""

import sqlalchemy as sa
from alembic import op


revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

COLUMNS = ["status", "programme", "threat_level", "screening_status", "assignee_id"]
TARGET = f"case_facet_tally ({', '.join(COLUMNS)}, change)"


def _values(row: str) -> str:
    return ", ".join(f"{row}.{column}" for column in COLUMNS)


def _changed(postgresql: bool) -> str:
    """An update that moves a case other than a draft to another combination."""
    differs = "IS DISTINCT FROM" if postgresql else "IS NOT"
    moved = " OR ".join(f"OLD.{c} {differs} NEW.{c}" for c in COLUMNS)
    return f"(OLD.status <> 'draft' OR NEW.status <> 'draft') AND ({moved})"


POSTGRESQL_TRIGGERS = [
    f"""
    CREATE FUNCTION case_facet_tally_track() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' AND OLD.status <> 'draft' THEN
            INSERT INTO {TARGET} VALUES ({_values("OLD")}, -1);
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.status <> 'draft' THEN
            INSERT INTO {TARGET} VALUES ({_values("NEW")}, 1);
        END IF;
        RETURN NULL;
    END $$
    """,
    'CREATE TRIGGER case_facet_tally_insert_delete AFTER INSERT OR DELETE ON "case" '
    "FOR EACH ROW EXECUTE FUNCTION case_facet_tally_track()",
    f'CREATE TRIGGER case_facet_tally_update AFTER UPDATE ON "case" FOR EACH ROW '
    f"WHEN ({_changed(True)}) EXECUTE FUNCTION case_facet_tally_track()",
]
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER case_facet_tally_insert AFTER INSERT ON "case"
    WHEN NEW.status <> 'draft'
    BEGIN INSERT INTO {TARGET} VALUES ({_values("NEW")}, 1); END""",
    f"""CREATE TRIGGER case_facet_tally_delete AFTER DELETE ON "case"
    WHEN OLD.status <> 'draft'
    BEGIN INSERT INTO {TARGET} VALUES ({_values("OLD")}, -1); END""",
    f"""CREATE TRIGGER case_facet_tally_update AFTER UPDATE ON "case"
    WHEN {_changed(False)}
    BEGIN
        INSERT INTO {TARGET} SELECT {_values("OLD")}, -1 WHERE OLD.status <> 'draft';
        INSERT INTO {TARGET} SELECT {_values("NEW")}, 1 WHERE NEW.status <> 'draft';
    END""",
]
SQLITE_TRIGGER_NAMES = (
    "case_facet_tally_insert",
    "case_facet_tally_delete",
    "case_facet_tally_update",
)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32)


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "case_facet_tally",
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
        sa.Column("change", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_facet_tally")),
    )
    if postgresql:  # no case may change between the first count and the triggers
        op.execute('LOCK TABLE "case" IN SHARE MODE')
    op.execute(
        f'INSERT INTO {TARGET} SELECT {", ".join(COLUMNS)}, count(*) FROM "case" '
        f"WHERE status <> 'draft' GROUP BY {', '.join(COLUMNS)}"
    )
    for statement in POSTGRESQL_TRIGGERS if postgresql else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute('DROP TRIGGER case_facet_tally_update ON "case"')
        op.execute('DROP TRIGGER case_facet_tally_insert_delete ON "case"')
        op.execute("DROP FUNCTION case_facet_tally_track()")
    else:
        for name in SQLITE_TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("case_facet_tally")
