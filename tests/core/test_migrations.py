"""The migrations build exactly the models' schema, and every step goes up and down."""

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from portal.extensions import db


def _differences() -> list:
    with db.engine.connect() as connection, warnings.catch_warnings():
        opts: dict = {"compare_type": True}
        if connection.dialect.name == "sqlite":
            # SQLite's reflection cannot read indexes on expressions (the queue's negated
            # priority); PostgreSQL compares them, and the test below finds them here.
            opts["include_object"] = lambda item, name, kind, *_: (
                not (kind == "index" and name in EXPRESSION_INDEXES)
            )
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
        context = MigrationContext.configure(connection, opts=opts)
        return compare_metadata(context, db.metadata)


EXPRESSION_INDEXES = {
    "ix_case_queue",
    *(f"ix_case_queue_{name}" for name in ("open", "threat", "screening", "assignee", "origin")),
}


def test_the_expression_indexes_exist(app: Flask) -> None:
    with db.engine.connect() as connection:
        found = {
            name: sql
            for name, sql in connection.execute(
                text("SELECT indexname, indexdef FROM pg_indexes")
                if connection.dialect.name == "postgresql"
                else text("SELECT name, sql FROM sqlite_master WHERE type = 'index'")
            )
            if name in EXPRESSION_INDEXES
        }
    assert set(found) == EXPRESSION_INDEXES
    assert all("priority_score" in sql for sql in found.values())
    assert all("WHERE" in sql for name, sql in found.items() if name != "ix_case_queue")


def test_models_match_the_migration_head(app: Flask) -> None:
    assert _differences() == []


def test_every_migration_goes_down_and_up_again(app: Flask) -> None:
    script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    revisions = list(reversed(list(script.walk_revisions())))  # oldest first
    assert revisions, "no migrations found"
    db.session.remove()
    for revision in reversed(revisions):
        downgrade(revision=revision.down_revision or "base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    for revision in revisions:
        upgrade(revision=revision.revision)
    assert _differences() == []


def test_links_stored_from_both_sides_are_kept_once(app: Flask) -> None:
    """0006: a link stored from both sides keeps the side with the smaller case id; a link
    that only had its other side gets that one."""
    import uuid

    import sqlalchemy as sa

    from portal.core.db import utcnow
    from tests.factories import make_case

    low, middle, high = sorted(make_case(db.session)[0].id for _ in range(3))
    db.session.commit()
    db.session.remove()
    downgrade(revision="0005")
    link = sa.table(
        "duplicate_link",
        *(sa.column(name, sa.Uuid()) for name in ("id", "case_id", "other_case_id")),
        *(sa.column(name) for name in ("matched_on", "reason", "created_at")),
    )

    def stored(case_id: uuid.UUID, other_case_id: uuid.UUID) -> dict:
        return {
            "id": uuid.uuid4(),
            "case_id": case_id,
            "other_case_id": other_case_id,
            "matched_on": "phone",
            "reason": "phone",
            "created_at": utcnow(),
        }

    with db.engine.begin() as connection:
        connection.execute(
            sa.insert(link), [stored(low, middle), stored(middle, low), stored(high, low)]
        )
    upgrade()
    with db.engine.connect() as connection:
        kept = connection.execute(sa.select(link.c.case_id, link.c.other_case_id)).all()
    assert sorted(kept) == [(low, middle), (low, high)]
