"""Loading many demo cases into PostgreSQL with the tables' secondary indexes and foreign
keys set aside, as PostgreSQL's "Populating a Database" advises.

A million cases put some 40 million rows into tables whose indexes are keyed by random
values (blind indexes, ids): inserted one row at a time, every index entry lands on a page
of its own, and once the indexes outgrow the server's buffers each insert reads and writes
whole pages (seeding slowed from 750 to 450 cases a second on 2 CPUs as they grew). Built
after the load, an index is one sort. Primary keys and unique constraints stay: they
guard the rows as they go in. Partial indexes stay too: PostgreSQL prints their condition
in a form that, made again, is a different expression than the migration's, and the
planner matches queries to the condition as written. What is set aside is written first to
a file in the instance folder, so that a run killed before it could rebuild them is mended
by the next.
"""

import contextlib
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text

# Below this many cases (or fewer than the database holds already) the rows go in
# through the indexes: rebuilding them would cost more than it saves.
BULK_CASES = 50_000
PENDING = "demo-seed-set-aside.json"


def _definitions(connection: Connection, tables: Sequence[str]) -> dict[str, Any]:
    """The secondary indexes and the foreign keys of ``tables``, as the SQL that makes them,
    and the database they are in."""
    indexes = connection.execute(
        text(
            "SELECT index.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class index ON index.oid = i.indexrelid "
            "JOIN pg_class owner ON owner.oid = i.indrelid "
            "WHERE owner.relname = ANY(:tables) AND owner.relnamespace = 'public'::regnamespace "
            "AND NOT i.indisprimary AND NOT i.indisunique AND i.indpred IS NULL ORDER BY 1"
        ),
        {"tables": list(tables)},
    ).all()
    foreign_keys = connection.execute(
        text(
            "SELECT c.conname, owner.relname, format('ALTER TABLE %I ADD CONSTRAINT %I %s', "
            "owner.relname, c.conname, pg_get_constraintdef(c.oid)) FROM pg_constraint c "
            "JOIN pg_class owner ON owner.oid = c.conrelid "
            "WHERE c.contype = 'f' AND owner.relname = ANY(:tables) "
            "AND owner.relnamespace = 'public'::regnamespace ORDER BY 1"
        ),
        {"tables": list(tables)},
    ).all()
    return {
        "database": connection.scalar(text("SELECT current_database()")),
        "indexes": [list(row) for row in indexes],
        "foreign_keys": [list(row) for row in foreign_keys],
    }


def _drop(connection: Connection, aside: dict[str, Any]) -> None:
    for name, table, _definition in aside["foreign_keys"]:
        connection.exec_driver_sql(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    for name, _definition in aside["indexes"]:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')


def _rebuild(connection: Connection, aside: dict[str, Any]) -> None:
    """Make again what is missing of ``aside``: after a run killed midway, some may be."""
    # One sort per index, in memory where it fits (development servers keep the default 64MB).
    connection.exec_driver_sql("SET maintenance_work_mem = '1GB'")
    for _name, definition in aside["indexes"]:
        connection.exec_driver_sql(
            definition.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1)
        )
    present = set(connection.scalars(text("SELECT conname FROM pg_constraint")))
    for name, _table, definition in aside["foreign_keys"]:
        if name not in present:
            connection.exec_driver_sql(definition)  # checks every row in one join


def mend_interrupted(engine: Engine, instance: Path) -> bool:
    """Rebuild what a killed bulk load left set aside in this database; True if it did.
    What was set aside in another database that shares the instance folder waits for a
    seed of that one."""
    pending = instance / PENDING
    if engine.dialect.name != "postgresql" or not pending.exists():
        return False
    aside = json.loads(pending.read_text())
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if connection.scalar(text("SELECT current_database()")) != aside["database"]:
            return False
        _rebuild(connection, aside)
    pending.unlink()
    return True


def set_aside(engine: Engine, tables: Sequence[str], instance: Path) -> dict[str, Any]:
    """Drop the secondary indexes and foreign keys of ``tables``, having written down first,
    in the instance folder, how to make them again."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        aside = _definitions(connection, tables)
        instance.mkdir(parents=True, exist_ok=True)
        (instance / PENDING).write_text(json.dumps(aside, indent=1))
        _drop(connection, aside)
    return aside


def _pays(engine: Engine, cases: int) -> bool:
    if engine.dialect.name != "postgresql" or cases < BULK_CASES:
        return False
    with engine.connect() as connection:
        return connection.scalar(text('SELECT count(*) FROM "case"')) <= cases


@contextlib.contextmanager
def loading(
    engine: Engine,
    tables: Sequence[str],
    cases: int,
    instance: Path,
    echo: Callable[[str], None],
) -> Iterator[None]:
    """Load ``cases`` more into ``tables`` with their secondary indexes and foreign keys set
    aside when that pays (PostgreSQL, at least ``BULK_CASES``, at least as many as there
    are); rebuilt afterwards, whether the load finished or failed."""
    if not _pays(engine, cases):
        yield
        return
    aside = set_aside(engine, tables, instance)
    echo(
        f"Loading in bulk: {len(aside['indexes'])} indexes and {len(aside['foreign_keys'])} "
        "foreign keys set aside until the rows are in"
    )
    try:
        yield
    finally:
        echo("Rebuilding the indexes and foreign keys")
        mend_interrupted(engine, instance)
