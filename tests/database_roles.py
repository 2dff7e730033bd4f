"""The database roles of deploy/postgresql, made on the test's PostgreSQL server for a test
under a prefix of its own (roles belong to the whole server, not to one database)."""

import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("owner", "public", "internal", "worker")


def with_roles_renamed(sql: Path, prefix: str) -> str:
    """``sql`` with the roles ``portal_owner``, ... named ``PREFIX_owner``, ..."""
    return re.sub(r"\bportal_(owner|public|internal|worker)\b", rf"{prefix}_\1", sql.read_text())


def run_sql(url: str, database: str, *statements: str) -> None:
    """Each of ``statements`` through psql, as the deployment's scripts run them."""
    for statement in statements:
        subprocess.run(  # noqa: S603 - the test's own server and statements
            ["psql", make_url(url).set(database=database).render_as_string(hide_password=False)]
            + ["-v", "ON_ERROR_STOP=1", "-q", "-X", "-f", "-"],
            input=statement,
            text=True,
            check=True,
            capture_output=True,
        )


def as_role(url: str, database: str, role: str) -> str:
    """``url`` signed in as ``role`` (whose password the roles below set), on ``database``."""
    login = make_url(url).set(database=database, username=role, password=f"test-{role}")
    return login.render_as_string(hide_password=False)


@contextmanager
def granted_roles(url: str, prefix: str) -> Iterator[list[str]]:
    """The roles under ``prefix``, granted on the database of ``url`` as
    deploy/postgresql/grants.sql grants them after a migration; dropped afterwards with
    whatever they were granted."""
    database = make_url(url).database or ""
    roles = [f"{prefix}_{kind}" for kind in KINDS]

    def drop() -> None:
        run_sql(
            url,
            database,
            "DO $$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = "
            f"'{roles[0]}') THEN DROP OWNED BY {', '.join(roles)}; END IF; END $$",
        )
        run_sql(url, "postgres", f"DROP ROLE IF EXISTS {', '.join(roles)}")

    drop()
    run_sql(url, "postgres", with_roles_renamed(ROOT / "deploy/postgresql/roles.sql", prefix))
    run_sql(url, "postgres", *(f"ALTER ROLE {role} PASSWORD 'test-{role}'" for role in roles))
    run_sql(url, database, with_roles_renamed(ROOT / "deploy/postgresql/grants.sql", prefix))
    try:
        yield roles
    finally:
        drop()
