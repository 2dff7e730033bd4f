"""queue order indexes for open cases, waiting-time index, case tally kept by triggers

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 09:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

OPEN = "('submitted', 'screening', 'in_review', 'info_requested', 'decision_proposed')"
QUEUE_ORDER = "(-priority_score), status_changed_at, id"
QUEUE_INDEXES = {
    "open": "",
    "threat": "threat_level, ",
    "screening": "screening_status, ",
    "assignee": "assignee_id, ",
    "origin": "nationality, country_of_stay, ",
}
COLUMNS = (
    "status, programme, threat_level, screening_status, nationality, country_of_stay, assignee_id"
)
OLD = ", ".join(f"OLD.{c.strip()}" for c in COLUMNS.split(","))
NEW = ", ".join(f"NEW.{c.strip()}" for c in COLUMNS.split(","))
CHANGED = " OR ".join(
    f"OLD.{c.strip()} IS DISTINCT FROM NEW.{c.strip()}" for c in COLUMNS.split(",")
)

POSTGRESQL_TRIGGERS = [
    f"""
    CREATE FUNCTION case_tally_track() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' AND OLD.status <> 'draft' THEN
            INSERT INTO case_tally ({COLUMNS}, change) VALUES ({OLD}, -1);
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.status <> 'draft' THEN
            INSERT INTO case_tally ({COLUMNS}, change) VALUES ({NEW}, 1);
        END IF;
        RETURN NULL;
    END $$
    """,
    'CREATE TRIGGER case_tally_insert_delete AFTER INSERT OR DELETE ON "case" '
    "FOR EACH ROW EXECUTE FUNCTION case_tally_track()",
    f'CREATE TRIGGER case_tally_update AFTER UPDATE ON "case" FOR EACH ROW '
    f"WHEN ({CHANGED}) EXECUTE FUNCTION case_tally_track()",
]
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER case_tally_insert AFTER INSERT ON "case" WHEN NEW.status <> 'draft'
    BEGIN INSERT INTO case_tally ({COLUMNS}, change) VALUES ({NEW}, 1); END""",
    f"""CREATE TRIGGER case_tally_delete AFTER DELETE ON "case" WHEN OLD.status <> 'draft'
    BEGIN INSERT INTO case_tally ({COLUMNS}, change) VALUES ({OLD}, -1); END""",
    f"""CREATE TRIGGER case_tally_update AFTER UPDATE ON "case" WHEN {CHANGED.replace("IS DISTINCT FROM", "IS NOT")}
    BEGIN
        INSERT INTO case_tally ({COLUMNS}, change) SELECT {OLD}, -1 WHERE OLD.status <> 'draft';
        INSERT INTO case_tally ({COLUMNS}, change) SELECT {NEW}, 1 WHERE NEW.status <> 'draft';
    END""",
]


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.drop_index("ix_case_queue", table_name="case")
    op.execute(f'CREATE INDEX ix_case_queue ON "case" (status, {QUEUE_ORDER})')
    for name, leading in QUEUE_INDEXES.items():
        op.execute(
            f'CREATE INDEX ix_case_queue_{name} ON "case" ({leading}{QUEUE_ORDER}) WHERE status IN {OPEN}'
        )
    include = f" INCLUDE ({COLUMNS})" if postgresql else ""
    op.execute(
        f'CREATE INDEX ix_case_waiting ON "case" (status_changed_at){include} WHERE status IN {OPEN}'
    )
    if postgresql:
        # The queue's counts group by these columns: without statistics on them together,
        # the planner foresees tens of thousands of groups where there are hundreds, and
        # sorts on disk instead of hashing.
        op.execute(
            "CREATE STATISTICS st_case_queue_dims (ndistinct) ON status, programme, "
            'threat_level, screening_status, assignee_id FROM "case"'
        )
    op.create_table(
        "case_tally",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
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
                name="casestatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "programme",
            sa.Enum("local_staff", "at_risk", name="programme", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "threat_level",
            sa.Enum(
                "unassessed",
                "low",
                "moderate",
                "high",
                "critical",
                name="threatlevel",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "screening_status",
            sa.Enum(
                "pending",
                "clear",
                "hit",
                "concern",
                "failed",
                name="screeningstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("nationality", sa.String(length=2), nullable=True),
        sa.Column("country_of_stay", sa.String(length=2), nullable=True),
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        sa.Column("change", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_tally")),
    )
    if postgresql:  # no case may change between the first count and the triggers
        op.execute('LOCK TABLE "case" IN SHARE MODE')
    op.execute(
        f'INSERT INTO case_tally ({COLUMNS}, change) SELECT {COLUMNS}, count(*) FROM "case" '
        f"WHERE status <> 'draft' GROUP BY {COLUMNS}"
    )
    for statement in POSTGRESQL_TRIGGERS if postgresql else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade():
    op.drop_index("ix_case_waiting", table_name="case")
    for name in QUEUE_INDEXES:
        op.drop_index(f"ix_case_queue_{name}", table_name="case")
    op.drop_index("ix_case_queue", table_name="case")
    op.execute(
        'CREATE INDEX ix_case_queue ON "case" (status, priority_score DESC, status_changed_at)'
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute('DROP TRIGGER case_tally_update ON "case"')
        op.execute('DROP TRIGGER case_tally_insert_delete ON "case"')
        op.execute("DROP FUNCTION case_tally_track()")
    else:
        for name in ("case_tally_insert", "case_tally_delete", "case_tally_update"):
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("case_tally")
