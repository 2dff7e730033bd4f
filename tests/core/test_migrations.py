"""The migrations build exactly the models' schema, and every step goes up and down."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from portal.extensions import db


def _differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


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
