"""duplicate links stored once for both cases, the smaller case id first

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 11:00:00

"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

COLUMNS = "case_id, other_case_id, person_id, other_person_id, matched_on, reason, created_at"
# SQLite rebuilds the table to add a check; the tables its keys refer to are left alone.
NO_REFERRED = {"resolve_fks": False}
MIRRORED = (
    "link.other_case_id AS case_id, link.case_id AS other_case_id,"
    " link.other_person_id AS person_id, link.person_id AS other_person_id,"
    " link.matched_on, link.reason, link.created_at"
)


def _same(left: str, right: str) -> str:
    """Equal, a missing person equal to a missing person (the phone's links)."""
    if op.get_bind().dialect.name == "postgresql":
        return f"{left} IS NOT DISTINCT FROM {right}"
    return f"{left} IS {right}"


def _add_mirrors(where: str) -> None:
    """Store the other side of each link ``where`` selects that lacks it, under a new id."""

    def columns() -> list[sa.ColumnClause]:
        return [
            *(sa.column(name, sa.Uuid()) for name in COLUMNS.split(", ")[:4]),
            sa.column("matched_on", sa.String()),
            sa.column("reason", sa.String()),
            sa.column("created_at", sa.DateTime(timezone=True)),
        ]

    unmatched = sa.text(
        f"SELECT {MIRRORED} FROM duplicate_link AS link WHERE {where} AND NOT EXISTS ("
        "SELECT 1 FROM duplicate_link AS mirror WHERE mirror.case_id = link.other_case_id"
        " AND mirror.other_case_id = link.case_id"
        f" AND {_same('mirror.person_id', 'link.other_person_id')}"
        f" AND {_same('mirror.other_person_id', 'link.person_id')}"
        " AND mirror.matched_on = link.matched_on)"
    ).columns(*columns())
    rows = [{"id": uuid.uuid4(), **row._asdict()} for row in op.get_bind().execute(unmatched)]
    if rows:
        op.bulk_insert(sa.table("duplicate_link", sa.column("id", sa.Uuid()), *columns()), rows)


def upgrade() -> None:
    # Links were stored from both sides: keep the side with the smaller case id, after
    # giving any link that only had its other side the one it keeps.
    _add_mirrors("link.case_id > link.other_case_id")
    op.execute("DELETE FROM duplicate_link WHERE case_id > other_case_id")
    with op.batch_alter_table("duplicate_link", reflect_kwargs=NO_REFERRED) as batch_op:
        # The unique constraint starts with case_id and serves its lookups.
        batch_op.drop_index(batch_op.f("ix_duplicate_link_case_id"))
        batch_op.create_check_constraint("stored_once", "case_id < other_case_id")


def downgrade() -> None:
    with op.batch_alter_table("duplicate_link", reflect_kwargs=NO_REFERRED) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_duplicate_link_stored_once"), type_="check")
        batch_op.create_index(batch_op.f("ix_duplicate_link_case_id"), ["case_id"], unique=False)
    _add_mirrors("link.case_id < link.other_case_id")
