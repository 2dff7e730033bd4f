"""figures for the envoy's reports: moves waiting to be counted, counts per period, a random
report key per case; the history so far becomes moves for the first refresh

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 06:05:49.429774

"""

import sqlalchemy as sa
from alembic import op


revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_move",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column(
            "from_status",
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
            "to_status",
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
        sa.Column("nationality", sa.String(length=2), nullable=False),
        sa.Column("country_of_stay", sa.String(length=2), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("report_key", sa.BigInteger(), nullable=False),
        sa.Column("stage_days", sa.Float(), nullable=False),
        sa.Column("decision_days", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_move")),
    )
    op.create_table(
        "employer_figure",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "grain",
            sa.Enum("week", "month", "quarter", "year", name="grain", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("nationality", sa.String(length=2), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("key_sum", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employer_figure")),
    )
    with op.batch_alter_table("employer_figure", schema=None) as batch_op:
        batch_op.create_index(
            "uq_employer_figure_cell", ["grain", "start", "nationality", "category"], unique=True
        )

    op.create_table(
        "employer_tick",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("key_version", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employer_tick")),
    )
    op.create_table(
        "figures_refresh",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figures_refresh")),
    )
    op.create_table(
        "flow_figure",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "grain",
            sa.Enum("week", "month", "quarter", "year", name="grain", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column(
            "from_status",
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
            "to_status",
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
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("key_sum", sa.BigInteger(), nullable=False),
        sa.Column(
            "programme",
            sa.Enum("local_staff", "at_risk", name="programme", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("nationality", sa.String(length=2), nullable=False),
        sa.Column("country_of_stay", sa.String(length=2), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flow_figure")),
    )
    with op.batch_alter_table("flow_figure", schema=None) as batch_op:
        batch_op.create_index(
            "uq_flow_figure_cell",
            [
                "grain",
                "start",
                "from_status",
                "to_status",
                "programme",
                "nationality",
                "country_of_stay",
            ],
            unique=True,
        )

    op.create_table(
        "state_figure",
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
        sa.Column("identity_to_be_clarified", sa.Boolean(), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("key_sum", sa.BigInteger(), nullable=False),
        sa.Column(
            "programme",
            sa.Enum("local_staff", "at_risk", name="programme", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("nationality", sa.String(length=2), nullable=False),
        sa.Column("country_of_stay", sa.String(length=2), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_state_figure")),
    )
    op.create_table(
        "wait_figure",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "grain",
            sa.Enum("week", "month", "quarter", "year", name="grain", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("bucket", sa.SmallInteger(), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("key_sum", sa.BigInteger(), nullable=False),
        sa.Column(
            "programme",
            sa.Enum("local_staff", "at_risk", name="programme", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("nationality", sa.String(length=2), nullable=False),
        sa.Column("country_of_stay", sa.String(length=2), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wait_figure")),
    )
    with op.batch_alter_table("wait_figure", schema=None) as batch_op:
        batch_op.create_index(
            "uq_wait_figure_cell",
            ["grain", "start", "stage", "programme", "nationality", "country_of_stay", "bucket"],
            unique=True,
        )

    # Added in place (a batch copy of "case" on SQLite would drop the tally's triggers),
    # then each existing case draws its own random key.
    op.add_column(
        "case", sa.Column("report_key", sa.BigInteger(), nullable=False, server_default="0")
    )
    random_key = (
        "floor(random() * 2147483648)::bigint" if _postgresql() else "abs(random()) % 2147483648"
    )
    op.execute(f'UPDATE "case" SET report_key = {random_key}')
    if _postgresql():
        op.alter_column("case", "report_key", server_default=None)
    op.execute("INSERT INTO figures_refresh (id, refreshed_at) VALUES (1, NULL)")
    _moves_from_history()


def downgrade() -> None:
    op.execute('ALTER TABLE "case" DROP COLUMN report_key')  # in place: triggers stay

    with op.batch_alter_table("wait_figure", schema=None) as batch_op:
        batch_op.drop_index("uq_wait_figure_cell")

    op.drop_table("wait_figure")
    op.drop_table("state_figure")
    with op.batch_alter_table("flow_figure", schema=None) as batch_op:
        batch_op.drop_index("uq_flow_figure_cell")

    op.drop_table("flow_figure")
    op.drop_table("figures_refresh")
    op.drop_table("employer_tick")
    with op.batch_alter_table("employer_figure", schema=None) as batch_op:
        batch_op.drop_index("uq_employer_figure_cell")

    op.drop_table("employer_figure")
    op.drop_table("case_move")


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _moves_from_history() -> None:
    """Every move already made, as a move waiting to be counted, with the time before it."""
    if _postgresql():
        week, month = "date_trunc('week', t.at)::date", "date_trunc('month', t.at)::date"
        days = "extract(epoch from ({later} - {earlier})) / 86400.0"
    else:
        week = "date(t.at, '-' || ((CAST(strftime('%w', t.at) AS INTEGER) + 6) % 7) || ' days')"
        month = "date(t.at, 'start of month')"
        days = "julianday({later}) - julianday({earlier})"
    entered = "coalesce(lag(t.at) OVER (PARTITION BY t.case_id ORDER BY t.at, t.id), c.created_at)"
    stage = days.format(later="t.at", earlier=entered)
    decision = days.format(later="t.at", earlier="c.submitted_at")
    op.execute(
        f"""
        INSERT INTO case_move (week, month, from_status, to_status, programme, nationality,
            country_of_stay, people, report_key, stage_days, decision_days)
        SELECT week, month, from_status, to_status, programme, nationality, country_of_stay,
            people, report_key, CASE WHEN stage_days < 0 THEN 0 ELSE stage_days END,
            CASE WHEN to_status IN ('admitted', 'rejected') AND decision_days >= 0
                THEN decision_days END
        FROM (
            SELECT {week} AS week, {month} AS month, t.from_status, t.to_status, c.programme,
                coalesce(c.nationality, '') AS nationality,
                coalesce(c.country_of_stay, '') AS country_of_stay,
                c.people_count AS people, c.report_key, {stage} AS stage_days,
                {decision} AS decision_days, t.at, t.id
            FROM case_transition t JOIN "case" c ON c.id = t.case_id
            WHERE t.from_status IS NOT NULL
        ) AS moved
        ORDER BY at, id
        """
    )
