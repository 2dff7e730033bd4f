"""How fast ``demo seed`` fills PostgreSQL: a million encrypted cases should take minutes.

    .venv/bin/python bench/seed_demo.py [--cases 1000000] [--workers N] [--batch-size N]
        [--keep] [--instance DIR]

Creates its own database (``portal_bench`` on the server of ``DATABASE_URL``, default
``postgresql://postgres@127.0.0.1/test``), builds the schema with ``flask db upgrade``, seeds
it with development keys in a temporary instance folder (or in ``--instance``, kept), prints cases per second and the
total time, writes ``bench/results/seed_demo.json``, and drops the database again unless
``--keep`` is given.
"""

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import URL, make_url

ROOT = Path(__file__).resolve().parents[1]
RESULT = ROOT / "bench" / "results" / "seed_demo.json"
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1/test"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=None, help="default: one per CPU")
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--database", default="portal_bench", help="created and dropped")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--instance",
        type=Path,
        default=None,
        help="keep the keys here (the search benchmark reads the cases with them)",
    )
    parser.add_argument("--result", type=Path, default=RESULT)
    return parser.parse_args()


def _driver_url(url: str) -> URL:
    return make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))


def _recreate(server: URL, name: str, *, drop_only: bool = False) -> None:
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if not drop_only:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


@contextlib.contextmanager
def _instance_folder(kept: Path | None) -> Iterator[Path]:
    """The keys' folder: ``kept`` as given, or a temporary one that goes with its keys."""
    if kept is not None:
        kept.mkdir(parents=True, exist_ok=True)
        yield kept
        return
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as instance:
        yield Path(instance)


def _environment(database: URL, instance: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database.render_as_string(hide_password=False),
        "PORTAL_INSTANCE_DIR": str(instance),
        "PORTAL_ENV": "development",
    }


def _migrate(environment: dict[str, str]) -> None:
    flask = Path(sys.executable).with_name("flask")
    subprocess.run(
        [str(flask), "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
    )


def _seed(environment: dict[str, str], arguments: argparse.Namespace) -> dict[str, Any]:
    """Seed in this process through the same function the command calls."""
    os.environ.update(environment)
    sys.path.insert(0, str(ROOT))
    from portal import create_app
    from portal.cases.models import (
        BlindIndex,
        Case,
        CaseTransition,
        Decision,
        Employment,
        KeyWrap,
        Message,
        Note,
        Person,
        RiskAssessment,
    )
    from portal.demo.seeder import seed
    from portal.extensions import db

    app = create_app()
    with app.app_context():
        started = time.perf_counter()
        report = seed(arguments.cases, batch_size=arguments.batch_size, workers=arguments.workers)
        wall = time.perf_counter() - started
        rows = {
            model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (
                Case,
                Person,
                Employment,
                KeyWrap,
                CaseTransition,
                RiskAssessment,
                Decision,
                Message,
                Note,
                BlindIndex,
            )
        }
        size = db.session.scalar(text("SELECT pg_database_size(current_database())"))
        version = db.session.scalar(text("SHOW server_version"))
        db.session.remove()
        db.engine.dispose()
    return {
        "cases": report.count,
        "seconds": round(wall, 1),
        "cases_per_second": round(report.count / wall),
        "rows": rows,
        "database_bytes": size,
        "postgresql": version,
    }


def main() -> None:
    arguments = _arguments()
    server = _driver_url(os.environ.get("DATABASE_URL", DEFAULT_SERVER))
    database = server.set(database=arguments.database)
    _recreate(server, arguments.database)
    try:
        with _instance_folder(arguments.instance) as instance:
            environment = _environment(database, instance)
            _migrate(environment)
            measured = _seed(environment, arguments)
    finally:
        if not arguments.keep:
            _recreate(server, arguments.database, drop_only=True)
    result = {
        "benchmark": "demo seed",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        **measured,
        "workers": arguments.workers or os.cpu_count(),
        "batch_size": arguments.batch_size,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    arguments.result.parent.mkdir(parents=True, exist_ok=True)
    arguments.result.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"{result['cases']:,} cases in {result['seconds']:,.1f} s: "
        f"{result['cases_per_second']:,} cases/s ({result['workers']} workers). "
        f"Written to {arguments.result}"
    )


if __name__ == "__main__":
    main()
