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
