"""The review queue at a million cases on PostgreSQL: the first and the 500th page, on a
freshly vacuumed table and again after a day of case updates.

    .venv/bin/python bench/queue_pages.py [--database portal_bench] [--seed 1000000]
        [--updates N] [--batch 100] [--repeat 30]

Uses the database the seeding benchmark leaves with ``--keep`` (seeds it with ``--seed N``
when it holds no cases). It measures two states of the same database in one run:

- vacuumed: the tallies folded, then ``VACUUM ANALYZE`` of the case table and the tallies,
  the state straight after seeding and the best the queue ever meets;
- after a day of updates: a day's worth of moves (7,300 per million cases, in the mix of the
  last four weeks of history, through ``portal.cases.lifecycle.transition``, as
  ``bench/reports.py`` makes them), the tallies folded once as the worker's timer does
  every few minutes, and no VACUUM: the state staff meet the queue in.

The bench account is a decider who holds as many cases as the busiest demo caseworker
(theirs are given to it), so that "my cases" and "waiting for me to confirm" are a working
decider's. For each common filter, saved view and order, and each state, it times, over
repeated requests, the whole server side of ``GET /staff/`` (query, counts, template)
through the app, and next to it the page's own SELECT sent as raw SQL; for the waiting-time
filters also, as a reference, the count of the recently moved open cases from ``case``
itself (how the counts were taken before the waiting tally). The team lead's page
(``GET /staff/team``) is timed the same way, with its aggregates run through the service
beside it. It prints median and 95th percentile and writes
``bench/results/queue_pages.json``. Target: 95th percentile under 50 ms in both states for
the queue's pages (the team page is reported beside them); exits non-zero when one misses
it.

Each run moves another day of cases in the database it uses, as a day in production would.
"""

import argparse
import json
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.figures import TEAM_PAGE  # noqa: E402 - after the root is on the path
from bench.staff_client import signed_in  # noqa: E402
from bench.timing import timed  # noqa: E402

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
    # The saved views, as their links open them, and the other orders.
    "view: my cases": "view=mine",
    "view: waiting for me to confirm": "view=confirm",
    "view: answers received": "view=answers",
    "view: overdue": "view=overdue",
    "open cases, longest waiting": "sort=waiting",
    "open cases, oldest submission": "sort=oldest",
    "open cases, newest submission": "sort=newest",
}


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="portal_bench")
    parser.add_argument("--seed", type=int, default=1_000_000, help="cases, if it has none")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--deep-page", type=int, default=500)
    parser.add_argument(
        "--updates", type=int, default=None, help="moves in a day; default: 7,300 per million cases"
    )
    parser.add_argument("--batch", type=int, default=100, help="moves per commit")
    return parser.parse_args()


def main() -> int:
    arguments = _arguments()
    server = os.environ.get("DATABASE_URL", SERVER)
    url = server.rsplit("/", 1)[0] + f"/{arguments.database}"
    os.environ.update({"DATABASE_URL": url, "PORTAL_ENV": "development"})
    os.environ.setdefault("PORTAL_INSTANCE_DIR", tempfile.mkdtemp(prefix="portal-queue-bench-"))
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from bench.reports import (
        DAILY_MOVES_PER_CASE,
        _day_plan,
        _recent_mix,
        _simulate_day,
        seed_if_empty,
    )
    from portal import create_app
    from portal.cases.models import Case
    from portal.cases.tally import compact
    from portal.core.actors import Role
    from portal.extensions import db

    app = create_app({"RATELIMIT_ENABLED": False})
    seed_if_empty(app, arguments, server, "queue-bench-seed.json")
    with app.app_context():
        upgrade()  # a database seeded by an earlier version lacks the newer tables
        client, user = signed_in(app, db.session, Role.DECIDER, "bench")
        _take_over_the_busiest_caseload(db.session, user)
        cases = db.session.scalar(select(func.count()).select_from(Case))

        _vacuum(db.engine)
        print("state: vacuumed", flush=True)
        vacuumed = _measure(client, user, arguments)

        mix = _recent_mix(db.session)
        updates = arguments.updates or round(cases * DAILY_MOVES_PER_CASE)
        print(f"a day of updates: {updates:,} moves", flush=True)
        day = _simulate_day(db.session, _day_plan(mix, updates), arguments.batch)
        print(f"  made {day['moves']:,} moves in {day['seconds']} s", flush=True)
        compact(db.engine)  # the worker's timer folds the tallies every few minutes
        print("state: after a day of updates", flush=True)
        churned = _measure(client, user, arguments)
        db.session.remove()

    states = {"vacuumed": vacuumed, "after a day of updates": churned}
    _print(cases, arguments.repeat, states)
    RESULT.write_text(
        json.dumps(
            {
                "benchmark": "review queue pages",
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
                "cases": cases,
                "target_p95_ms": TARGET_P95_MS,
                "day_of_updates": {key: day[key] for key in ("moves", "seconds", "by_move")},
                "states": states,
            },
            indent=2,
        )
        + "\n"
    )
    missed = [
        (state, row) for state, rows in states.items() for row in rows
        if row["filter"] != TEAM_PAGE and row["server"]["p95_ms"] >= TARGET_P95_MS
    ]  # fmt: skip
    for state, row in missed:
        print(f"target missed ({state}): {row['filter']}, {row['page']}")
    return 1 if missed else 0


def _take_over_the_busiest_caseload(session: Any, user: Any) -> None:
    """Give the bench account the open cases of whoever holds the most (through the ORM's
    table, so that the tally triggers count the move as any reassignment)."""
    from sqlalchemy import String, func, select, update

    from portal.cases.models import Case
    from portal.cases.states import OPEN_STATUSES

    busiest = session.scalar(
        select(Case.assignee_id)
        .where(Case.assignee_id.is_not(None), Case.status.in_(OPEN_STATUSES))
        .group_by(Case.assignee_id)
        .order_by(func.count().desc())
        .limit(1)
    )
    if busiest is not None:
        taken = Case.assignee_id == busiest
    else:  # a database seeded without staff: a caseworker's share among twenty
        taken = Case.status.in_(OPEN_STATUSES) & (
            func.abs(func.hashtext(func.cast(Case.id, String))) % 20 == 0
        )
    moved = session.execute(update(Case).where(taken).values(assignee_id=user.id)).rowcount
    session.commit()
    print(f"the bench account holds {moved:,} cases", flush=True)


def _vacuum(engine: Any) -> None:
    """Fold the tallies and vacuum what the queue reads: the best state it is ever in."""
    from sqlalchemy import text

    from portal.cases.tally import TALLIES, compact

    compact(engine)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in ('"case"', *(tally.table.__tablename__ for tally in TALLIES)):
            connection.execute(text(f"VACUUM ANALYZE {table}"))


def _recent_from_case(user: Any, filters: Any) -> Any:
    """The reference: the open cases moved within the waiting time, counted in ``case``."""
    from sqlalchemy import func, select

    from portal.cases.models import Case

    columns = [
        Case.status, Case.programme, Case.threat_level, Case.screening_status, Case.assignee_id
    ]  # fmt: skip
    conditions = filters.conditions(user, Case, facets=False)
    return (
        select(*columns, func.count())
        .where(*conditions, Case.status_changed_at > filters.waiting_since)
        .group_by(*columns)
    )


def _explained(engine: Any, user: Any, filters: Any) -> dict[str, dict[str, Any]]:
    """What each query of the waiting-time counts reads (EXPLAIN ANALYZE, BUFFERS): time,
    shared buffers hit and read, and heap fetches of index-only scans, which the visibility
    map saves only on a vacuumed table; beside them the reference's."""
    from sqlalchemy import event

    from portal.extensions import db
    from portal.review.counts import facet_counts

    sent: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        facet_counts(db.session, user, filters)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    reference = str(
        _recent_from_case(user, filters).compile(engine, compile_kwargs={"literal_binds": True})
    )
    named = {"tally": sent[0], "waiting tally, later days": sent[1], "case, boundary day": sent[2]}
    named["reference: recent from case"] = (reference, {})
    found = {}
    with engine.connect() as connection:
        for name, (statement, parameters) in named.items():
            plan = connection.exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, parameters
            ).scalar_one()[0]
            found[name] = {
                "ms": round(plan["Execution Time"], 2),
                "buffers_hit": plan["Plan"].get("Shared Hit Blocks", 0),
                "buffers_read": plan["Plan"].get("Shared Read Blocks", 0),
                "heap_fetches": _heap_fetches(plan["Plan"]),
                "scans": sorted(_scans(plan["Plan"])),
            }
    return found


def _heap_fetches(node: dict[str, Any]) -> int:
    return node.get("Heap Fetches", 0) + sum(_heap_fetches(n) for n in node.get("Plans", []))


def _scans(node: dict[str, Any]) -> set[str]:
    here = {f"{node['Node Type']} on {node.get('Index Name') or node.get('Relation Name')}"}
    found = here if "Scan" in node["Node Type"] else set()
    return found.union(*(_scans(n) for n in node.get("Plans", [])))


def _measure(client: Any, user: Any, arguments: argparse.Namespace) -> list[dict[str, Any]]:
    from werkzeug.datastructures import MultiDict

    from portal.extensions import db
    from portal.review.counts import facet_counts
    from portal.review.queue import Filters, page, page_query

    def sql_of(statement: Any) -> Any:
        compiled = str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))

        def raw_sql() -> None:
            with db.engine.connect() as connection:
                connection.exec_driver_sql(compiled).fetchall()

        return raw_sql

    results = []
    for name, query in FILTERS.items():
        filters = Filters.from_args(
            MultiDict([pair.split("=") for pair in query.split("&") if pair]), may_confirm=True
        )
        # Walk to the deep page's cursor, or to the last page if there are fewer.
        cursor, deepest = None, 1
        while deepest < arguments.deep_page:
            _rows, following = page(db.session, user, filters, cursor)
            if following is None:
                break
            cursor, deepest = following, deepest + 1
        db.session.commit()
        deep_label = f"page {deepest}" + ("" if deepest == arguments.deep_page else " (last)")
        for label, after in (("page 1", None), (deep_label, cursor)):
            path = "/staff/?" + query + (f"&after={after}" if after else "")

            def through_app(path: str = path) -> None:
                response = client.get(path)
                assert response.status_code == 200, response.status_code

            row = {
                "filter": name,
                "page": label,
                "server": timed(through_app, arguments.repeat),
                "raw_sql": timed(sql_of(page_query(user, filters, after)), arguments.repeat),
            }
            if filters.waiting_since is not None and after is None:
                row["counts"] = timed(
                    lambda filters=filters: facet_counts(db.session, user, filters),
                    arguments.repeat,
                )
                recent = sql_of(_recent_from_case(user, filters))
                row["reference_recent_from_case"] = timed(recent, arguments.repeat)
                row["explain"] = _explained(db.engine, user, filters)
            results.append(row)
    results.append(_team_page(client, user, arguments.repeat))
    return results


def _team_page(client: Any, user: Any, repeat: int) -> dict[str, Any]:
    """The team lead's page (cases per person and stage, proposals waiting): through the
    app, and beside it its aggregates through the service that runs them. Reported, not
    held to the queue's target: the issue sets the team page none."""
    from portal.extensions import db
    from portal.review.team import team_overview

    def through_app() -> None:
        response = client.get("/staff/team")
        assert response.status_code == 200, response.status_code

    def aggregates() -> None:
        team_overview(db.session, user)  # the proposals waiting included
        db.session.commit()

    return {
        "filter": TEAM_PAGE,
        "page": "page 1",
        "server": timed(through_app, repeat),
        "raw_sql": timed(aggregates, repeat),
    }


def _print(cases: int, repeat: int, states: dict[str, list[dict[str, Any]]]) -> None:
    print(f"queue at {cases:,} cases, {repeat} requests each (ms); target p95 < {TARGET_P95_MS}")
    print(
        f"{'filter':<30} {'page':<16} {'state':<24} {'server p50':>10} {'p95':>8} "
        f"{'raw p50':>8} {'p95':>8} {'ref: recent from case p95':>26}"
    )
    for state, rows in states.items():
        for row in rows:
            reference = row.get("reference_recent_from_case", {}).get("p95_ms", "")
            print(
                f"{row['filter']:<30} {row['page']:<16} {state:<24} "
                f"{row['server']['median_ms']:>10} {row['server']['p95_ms']:>8} "
                f"{row['raw_sql']['median_ms']:>8} {row['raw_sql']['p95_ms']:>8} {reference:>26}"
            )
    print("\nwaiting-time counts: what each query reads (EXPLAIN ANALYZE, BUFFERS)")
    for state, rows in states.items():
        for row in rows:
            if "counts" in row:
                print(f"{row['filter']}, {state}: counts p95 {row['counts']['p95_ms']} ms")
            for part, plan in row.get("explain", {}).items():
                print(
                    f"  {part:<30} {plan['ms']:>8} ms  hit {plan['buffers_hit']:>7}"
                    f"  read {plan['buffers_read']:>6}  heap fetches {plan['heap_fetches']:>7}"
                    f"  {', '.join(plan['scans'])}"
                )


if __name__ == "__main__":
    sys.exit(main())
