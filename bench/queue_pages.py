"""The review queue at a million cases on PostgreSQL: the first and the 500th page.

    .venv/bin/python bench/queue_pages.py [--database portal_bench] [--seed 1000000]

Uses the database the seeding benchmark leaves with ``--keep`` (seeds it with ``--seed N``
when it holds no cases). For each common filter it times, over repeated requests, the whole
server side of ``GET /staff/`` (query, counts, template) through the app, and next to it the
page's own SELECT sent as raw SQL; it prints median and 95th percentile and writes
``bench/results/queue_pages.json``. Target: 95th percentile under 50 ms.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULT = ROOT / "bench" / "results" / "queue_pages.json"
SERVER = "postgresql://postgres@127.0.0.1/test"
TARGET_P95_MS = 50
FILTERS = {
    "open cases": "",
    "local staff": "programme=local_staff",
    "high threat": "threat=high",
    "Afghan nationals in Iran": "nationality=AF&country=IR",
    "watch-list hits": "screening=hit",
    "unassigned, waiting 30 days": "assignee=none&waiting=30",
    "waiting 90 days": "waiting=90",
}


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="portal_bench")
    parser.add_argument("--seed", type=int, default=1_000_000, help="cases, if it has none")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--deep-page", type=int, default=500)
    return parser.parse_args()


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
    }


def _timed(action: Any, repeat: int) -> dict[str, float]:
    action()  # warm the caches once, as a running server would be
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return _percentiles(samples)


def main() -> int:
    arguments = _arguments()
    server = os.environ.get("DATABASE_URL", SERVER)
    url = server.rsplit("/", 1)[0] + f"/{arguments.database}"
    os.environ.update({"DATABASE_URL": url, "PORTAL_ENV": "development"})
    os.environ.setdefault("PORTAL_INSTANCE_DIR", tempfile.mkdtemp(prefix="portal-queue-bench-"))
    from flask_migrate import upgrade
    from sqlalchemy import func, select, text
    from sqlalchemy.exc import OperationalError
    from werkzeug.datastructures import MultiDict

    from portal import create_app
    from portal.accounts.services import create_staff
    from portal.cases.models import Case
    from portal.core.actors import Role
    from portal.extensions import db
    from portal.review.queue import Filters, page, page_query

    app = create_app({"RATELIMIT_ENABLED": False})
    with app.app_context():
        try:
            cases = db.session.scalar(select(func.count()).select_from(Case))
        except OperationalError:  # no such database yet
            cases = 0
        db.session.remove()
        db.engine.dispose()
    if not cases:
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "seed_demo.py"),
                "--keep",
                "--cases",
                str(arguments.seed),
                "--database",
                arguments.database,
                "--result",  # the seeding figures of this run are not the seeding benchmark's
                os.path.join(tempfile.gettempdir(), "queue-bench-seed.json"),
            ],
            check=True,
            env={**os.environ, "DATABASE_URL": server},  # the server it creates the database on
        )
    with app.app_context():
        upgrade()  # a database seeded by an earlier version lacks the newer indexes
        db.session.execute(text("ANALYZE"))
        user, password, secret = create_staff(
            db.session, f"bench-{time.time_ns()}", "Bench", [Role.DECIDER]
        )
        db.session.commit()
        cases = db.session.scalar(select(func.count()).select_from(Case))

        import pyotp

        client = app.test_client()
        app.config["WTF_CSRF_ENABLED"] = False  # the benchmark's own client signs in
        client.post(
            "/staff/sign-in",
            data={
                "username": user.username,
                "password": password,
                "code": pyotp.TOTP(secret).now(),
            },
        )
        results = []
        for name, query in FILTERS.items():
            filters = Filters.from_args(
                MultiDict([pair.split("=") for pair in query.split("&") if pair])
            )
            # Walk to the deep page's cursor, or to the last page if there are fewer.
            cursor, deepest = None, 1
            while deepest < arguments.deep_page:
                _rows, following = page(db.session, user, filters, cursor)
                if following is None:
                    break
                cursor, deepest = following, deepest + 1
            deep_label = f"page {deepest}" + ("" if deepest == arguments.deep_page else " (last)")
            for label, after in (("page 1", None), (deep_label, cursor)):
                path = "/staff/?" + query + (f"&after={after}" if after else "")

                def through_app(path: str = path) -> None:
                    response = client.get(path)
                    assert response.status_code == 200, response.status_code

                statement = page_query(user, filters, after)
                compiled = str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))

                def raw_sql(sql: str = compiled) -> None:
                    with db.engine.connect() as connection:
                        connection.exec_driver_sql(sql).fetchall()

                results.append(
                    {
                        "filter": name,
                        "page": label,
                        "server": _timed(through_app, arguments.repeat),
                        "raw_sql": _timed(raw_sql, arguments.repeat),
                    }
                )
    print(f"queue at {cases:,} cases, {arguments.repeat} requests each (ms)")
    print(f"{'filter':<30} {'page':<16} {'server p50':>10} {'p95':>8} {'raw p50':>9} {'p95':>8}")
    for row in results:
        print(
            f"{row['filter']:<30} {row['page']:<16} {row['server']['median_ms']:>10} "
            f"{row['server']['p95_ms']:>8} {row['raw_sql']['median_ms']:>9} {row['raw_sql']['p95_ms']:>8}"
        )
    RESULT.write_text(
        json.dumps(
            {
                "benchmark": "review queue pages",
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
                "cases": cases,
                "target_p95_ms": TARGET_P95_MS,
                "results": results,
            },
            indent=2,
        )
        + "\n"
    )
    missed = [row for row in results if row["server"]["p95_ms"] >= TARGET_P95_MS]
    for row in missed:
        print(f"target missed: {row['filter']}, {row['page']}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
