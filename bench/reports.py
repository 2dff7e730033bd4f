"""The envoy's report pages at a million cases on PostgreSQL, after a day of case updates.

    .venv/bin/python bench/reports.py [--database portal_bench] [--seed 1000000]
        [--updates N] [--repeat 20] [--scratch-repeat 3]

Uses the database the seeding benchmark leaves with ``--keep`` (seeds it with ``--seed N``
when it holds no cases) and makes sure its figures have been refreshed once. Then it puts
the tables in the state the envoy meets them in, not the one straight after seeding: it
moves a day's worth of cases through ``portal.cases.lifecycle.transition`` (which writes
the history row, the audit event and the ``CaseMove``, and updates the case), committing in
batches, without a VACUUM after, and runs the figures refresh once, as the worker's timer
does, timing it; then it times three refreshes with no moves waiting (the snapshot alone).

A day's worth is 7,300 moves at a million cases (``--updates`` to choose another number),
in the mix of the last four weeks of history (requests for information and their answers,
proposals, admissions, visas, arrivals, withdrawals, ...). 7,300 is how many moves a day the
freshly seeded million made in their last four weeks: the pace the portal runs at now. The
average over the five years since September 2021 is only about 2,500, because the demo,
like the real caseload, grows towards the present. The number is fixed per case rather than
measured at each run, since each run's own moves would otherwise raise the next run's pace.
The benchmark records the history's daily volumes beside the number it used.

For every period (week, month, quarter, year, all time; the current one) and a few filters
it then times, over repeated requests, the whole server side of ``GET /staff/reports/``
signed in as an envoy, and next to it, in the same run: the aggregate SQL the page rests
on (the period's flows from ``flow_figure``, its waiting times from ``wait_figure``, the
snapshot from ``state_figure``, the weekly or monthly series the charts draw), and what
the page would cost without figures: the period's flows counted from scratch from
``case_transition`` joined to ``case``. It checks that the two counts of flows agree. It
prints a table and writes ``bench/results/reports.json``. Target: 95th percentile under
300 ms for every page; exits non-zero when a page misses it, when the counts disagree, or
when the app has no reports pages.

Each run moves another day of cases in the database it uses, as a day in production would.
"""

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.staff_client import signed_in  # noqa: E402 - after the root is on the path
from bench.timing import timed  # noqa: E402

RESULT = ROOT / "bench" / "results" / "reports.json"
SERVER = "postgresql://postgres@127.0.0.1/test"
PAGE = "/staff/reports/"
TARGET_P95_MS = 300
MIX_WEEKS = 4
# Moves a day per case: 7,300 a day at a million cases (see above).
DAILY_MOVES_PER_CASE = 0.0073
PERIODS = ("week", "month", "quarter", "year", "all")
# The first country of stay of Afghan nationals that has figures is the one filtered by.
AFGHAN_COUNTRIES = ("PK", "IR")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="portal_bench")
    parser.add_argument("--seed", type=int, default=1_000_000, help="cases, if it has none")
    parser.add_argument(
        "--updates", type=int, default=None, help="moves in a day; default: 7,300 per million cases"
    )
    parser.add_argument("--batch", type=int, default=100, help="moves per commit")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--scratch-repeat", type=int, default=3, help="for the counts from case_transition"
    )
    parser.add_argument("--result", type=Path, default=RESULT)
    return parser.parse_args()


# --- the database ------------------------------------------------------------------------------


def kept_instance(database: str) -> Path:
    """The instance folder whose keys the kept database ``database`` is seeded under: its
    cases and the seeder's blind indexes can be read and searched only with them."""
    return Path(tempfile.gettempdir()) / f"{database}-search"


def seed_if_empty(
    app: Any,
    arguments: argparse.Namespace,
    server: str,
    result_name: str = "reports-bench-seed.json",
    instance: Path | None = None,
) -> None:
    """Seed ``arguments.seed`` demo cases into ``arguments.database`` if it has none, under
    the keys of ``instance``, by default ``kept_instance`` of the database, which keeps them
    for the search benchmark."""
    instance = instance or kept_instance(arguments.database)
    from sqlalchemy import func, select
    from sqlalchemy.exc import OperationalError

    from portal.cases.models import Case
    from portal.extensions import db

    with app.app_context():
        try:
            cases = db.session.scalar(select(func.count()).select_from(Case))
        except OperationalError:  # no such database yet
            cases = 0
        db.session.remove()
        db.engine.dispose()
    if cases:
        return
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
            os.path.join(tempfile.gettempdir(), result_name),
            "--instance",
            str(instance),
        ],
        check=True,
        env={**os.environ, "DATABASE_URL": server},  # the server it creates the database on
    )


def _refresh(session: Any) -> None:
    """The worker's refresh: the employer ticks, then the moves and the snapshot."""
    from flask import current_app

    from portal.core.db import utcnow
    from portal.intake.employers import refresh_figures

    if not refresh_figures(session, current_app.extensions["portal.keyring"], utcnow()):
        raise RuntimeError("another figures refresh is running on this database")


def _ensure_refreshed(session: Any) -> bool:
    """Refresh once if the figures were never refreshed or moves wait; True if it did."""
    from sqlalchemy import func, select

    from portal.cases.models import CaseMove, FiguresRefresh

    refreshed = session.scalar(select(FiguresRefresh.refreshed_at))
    waiting = session.scalar(select(func.count()).select_from(CaseMove))
    session.commit()
    if refreshed is not None and not waiting:
        return False
    _refresh(session)
    return True


# --- a day of updates --------------------------------------------------------------------------


def _daily_volumes(session: Any) -> dict[str, Any]:
    """Moves a day in the history: on average since the first, and in the last weeks."""
    from sqlalchemy import text

    first, last, total = session.execute(
        text("SELECT min(at), max(at), count(*) FROM case_transition")
    ).one()
    recent = session.scalar(
        text("SELECT count(*) FROM case_transition WHERE at >= :since"),
        {"since": last - timedelta(weeks=MIX_WEEKS)},
    )
    days = max(1.0, (last - first).total_seconds() / 86400)
    return {
        "cases": session.scalar(text('SELECT count(*) FROM "case"')),
        "transitions": total,
        "since": first.date().isoformat(),
        "average_per_day": round(total / days),
        f"last_{MIX_WEEKS}_weeks_per_day": round(recent / (7 * MIX_WEEKS)),
    }


def _recent_mix(session: Any) -> Counter[tuple[str, str]]:
    from sqlalchemy import text

    rows = session.execute(
        text(
            "SELECT from_status, to_status, count(*) FROM case_transition"
            " WHERE from_status IS NOT NULL"
            " AND at >= (SELECT max(at) FROM case_transition) - make_interval(weeks => :weeks)"
            " GROUP BY from_status, to_status"
        ),
        {"weeks": MIX_WEEKS},
    )
    return Counter({(old, new): count for old, new, count in rows})


def _day_plan(mix: Counter[tuple[str, str]], moves: int) -> dict[tuple[str, str], int]:
    """``moves`` moves shared out like ``mix``, by largest remainder, so they add up."""
    total = sum(mix.values())
    shares = {pair: moves * count / total for pair, count in mix.items()}
    plan = {pair: int(share) for pair, share in shares.items()}
    short = moves - sum(plan.values())
    for pair in sorted(shares, key=lambda p: shares[p] - plan[p], reverse=True)[:short]:
        plan[pair] += 1
    return {pair: count for pair, count in plan.items() if count}


def _actor(old: str, new: str) -> str:
    """Who makes such a move: the applicant, the intake job, or staff."""
    from portal.cases.states import ActorKind
    from portal.cases.states import CaseStatus as S

    if new in (S.SUBMITTED, S.WITHDRAWN) or (old, new) == (S.INFO_REQUESTED, S.IN_REVIEW):
        return ActorKind.APPLICANT
    if new == S.SCREENING or (old, new) == (S.SCREENING, S.IN_REVIEW):
        return ActorKind.SYSTEM
    return ActorKind.STAFF


def _pick_cases(session: Any, plan: dict[tuple[str, str], int]) -> list[tuple[Any, str, str]]:
    """Distinct random cases for every planned move, in a random order: (id, from, to).

    A case is admitted (or given its visa) only with a cleared screening, as the database
    insists: those moves go to cleared cases, the others to the rest.
    """
    from sqlalchemy import text

    from portal.cases.states import CaseStatus

    needs_clear = (CaseStatus.ADMITTED, CaseStatus.VISA_ISSUED)
    moves: list[tuple[Any, str, str]] = []
    for old in sorted({old for old, _new in plan}):
        targets = [
            new for (source, new), count in plan.items() if source == old for _ in range(count)
        ]
        picked = session.execute(
            text(
                "SELECT id, screening_status = 'clear' FROM \"case\" WHERE status = :status"
                " ORDER BY random() LIMIT :count"
            ),
            {"status": old, "count": len(targets)},
        ).all()
        cleared = [case_id for case_id, clear in picked if clear]
        others = [case_id for case_id, clear in picked if not clear]
        for new in sorted(targets, key=lambda new: new not in needs_clear):
            pool = cleared if new in needs_clear else (others or cleared)
            if pool:
                moves.append((pool.pop(), old, new))
    random.shuffle(moves)
    return moves


def _simulate_day(session: Any, plan: dict[tuple[str, str], int], batch: int) -> dict[str, Any]:
    """Make the planned moves through the lifecycle, committing every ``batch`` moves."""
    from sqlalchemy import select

    from portal.accounts.services import create_staff
    from portal.cases.lifecycle import transition
    from portal.cases.models import Case
    from portal.cases.states import ActorKind, CaseStatus
    from portal.core.actors import Role

    staff, _password, _secret = create_staff(
        session, f"bench-staff-{time.time_ns()}", "Bench", [Role.CASEWORKER, Role.DECIDER]
    )
    session.commit()
    moves = _pick_cases(session, plan)
    session.commit()
    started = time.perf_counter()
    done: Counter[str] = Counter()
    for first in range(0, len(moves), batch):
        chunk = moves[first : first + batch]
        cases = {
            case.id: case
            for case in session.scalars(select(Case).where(Case.id.in_([m[0] for m in chunk])))
        }
        for case_id, old, new in chunk:
            case = cases[case_id]
            if case.status != old:  # moved by someone else since it was picked
                continue
            kind = _actor(old, new)
            transition(
                session,
                case,
                CaseStatus(new),
                actor_kind=kind,
                actor_id=staff.id if kind == ActorKind.STAFF else None,
            )
            _keep_the_proposal(session, case, old, new, staff.id)
            done[f"{old} -> {new}"] += 1
        session.commit()
    seconds = time.perf_counter() - started
    return {
        "moves": sum(done.values()),
        "seconds": round(seconds, 1),
        "moves_per_second": round(sum(done.values()) / seconds),
        "by_move": dict(done.most_common()),
    }


def _keep_the_proposal(session: Any, case: Any, old: str, new: str, staff_id: Any) -> None:
    """The proposal beside the move, as the review services keep it (the database closes a
    withdrawn case's): one made with the move into "decision proposed", confirmed or
    returned with the move out of it, so that the team page's waiting proposals stay those
    of the cases that wait. Each run has a bench account of its own and moves a case once,
    so a proposal is never settled by its proposer."""
    from sqlalchemy import update

    from portal.cases.models import Decision
    from portal.cases.states import CaseStatus as S
    from portal.cases.states import DecisionOutcome, DecisionState
    from portal.core.db import utcnow

    if new == S.DECISION_PROPOSED:
        session.add(Decision(case=case, outcome=DecisionOutcome.REJECT, proposed_by_id=staff_id))
    elif old == S.DECISION_PROPOSED and new != S.WITHDRAWN:
        settled = {"state": DecisionState.CONFIRMED, "decided_by_id": staff_id}
        if new == S.IN_REVIEW:
            settled["state"] = DecisionState.RETURNED
        else:  # confirmed as the move went: admitted or rejected
            settled["outcome"] = (
                DecisionOutcome.ADMIT if new == S.ADMITTED else DecisionOutcome.REJECT
            )
        session.execute(
            update(Decision)
            .where(Decision.case_id == case.id, Decision.state == DecisionState.PROPOSED)
            .values(**settled, decided_at=utcnow())
        )


# --- what the page rests on --------------------------------------------------------------------


def _period(code: str, today: date) -> tuple[str | None, date | None, date | None]:
    """The grain the figures are read in, and the period's first day and the day after it."""
    from portal.cases.figures import next_period, period_start
    from portal.cases.models import Grain

    if code == "all":
        return None, None, None
    grain = Grain(code)
    start = period_start(grain, today)
    return grain.value, start, next_period(grain, start)


def _filtered(query: Any, model: Any, filters: dict[str, str]) -> Any:
    """The report's filters, on the clear columns ``model`` has."""
    if "programme" in filters:
        query = query.where(model.programme == filters["programme"])
    if "nationality" in filters:
        query = query.where(model.nationality == filters["nationality"])
    if "country" in filters:
        query = query.where(model.country_of_stay == filters["country"])
    return query


def _figure_queries(
    grain: str | None, start: date | None, filters: dict[str, str]
) -> dict[str, Any]:
    """The aggregates over the figures a report of one period needs, as plain statements."""
    from sqlalchemy import func, select

    from portal.cases.models import FlowFigure as F
    from portal.cases.models import Grain, StateFigure
    from portal.cases.models import WaitFigure as W

    def in_period(model: Any) -> Any:
        if grain is None:  # all time: the years added up
            return model.grain == Grain.YEAR
        return (model.grain == grain) & (model.start == start)

    flow_sums = (func.sum(F.cases), func.sum(F.people), func.sum(F.key_sum))
    # The charts: weeks up to a quarter (a week's page shows the twelve weeks up to it),
    # months beyond, from the period's start or, for all time, from the first figure.
    series_grain = Grain.WEEK if grain in ("week", "month", "quarter") else Grain.MONTH
    series_from = start - timedelta(weeks=11) if grain == "week" and start else start
    series = select(F.start, F.from_status, F.to_status, *flow_sums).where(
        F.grain == series_grain, F.start >= (series_from or date(2000, 1, 1))
    )
    statements = {
        "flows": select(F.from_status, F.to_status, *flow_sums)
        .where(in_period(F))
        .group_by(F.from_status, F.to_status),
        "waits": select(W.stage, W.bucket, func.sum(W.cases), func.sum(W.key_sum))
        .where(in_period(W))
        .group_by(W.stage, W.bucket),
        "states": select(
            StateFigure.status,
            func.sum(StateFigure.cases),
            func.sum(StateFigure.people),
            func.sum(StateFigure.key_sum),
        ).group_by(StateFigure.status),
        "series": series.group_by(F.start, F.from_status, F.to_status),
    }
    models = {"flows": F, "waits": W, "states": StateFigure, "series": F}
    return {part: _filtered(query, models[part], filters) for part, query in statements.items()}


def _scratch_flows(start: date | None, end: date | None, filters: dict[str, str]) -> Any:
    """The period's flows counted from the history itself: the page without figures."""
    from sqlalchemy import func, select

    from portal.cases.models import Case
    from portal.cases.models import CaseTransition as T

    query = (
        select(
            T.from_status,
            T.to_status,
            func.count(),
            func.sum(Case.people_count),
            func.sum(Case.report_key),
        )
        .join(Case, Case.id == T.case_id)
        .group_by(T.from_status, T.to_status)
    )
    if start and end:
        query = query.where(
            T.at >= datetime.combine(start, clock(), UTC),
            T.at < datetime.combine(end, clock(), UTC),
        )
    return _filtered(query, Case, filters)


def _flows_agree(engine: Any, figures: Any, scratch: Any) -> bool:
    """Whether the figures count the same moves (cases and people) as the history holds."""

    def counted(query: Any) -> dict[tuple[str, str], tuple[int, int]]:
        with engine.connect() as connection:
            rows = connection.execute(query)
            return {(old, new): (int(cases), int(people)) for old, new, cases, people, _ in rows}

    return counted(figures) == counted(scratch)


def _sql_action(engine: Any, query: Any) -> Callable[[], None]:
    def run() -> None:
        with engine.connect() as connection:
            connection.execute(query).fetchall()

    return run


# --- the pages ---------------------------------------------------------------------------------


def _page_action(client: Any, path: str) -> Callable[[], None]:
    def request() -> None:
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code}")

    return request


def _filters(session: Any) -> dict[str, dict[str, str]]:
    from sqlalchemy import text

    found = set(
        session.scalars(
            text(
                "SELECT DISTINCT country_of_stay FROM state_figure WHERE nationality = 'AF'"
                " AND cases > 0"
            )
        )
    )
    chosen = {
        "all cases": {},
        "local staff": {"programme": "local_staff"},
        "Afghan nationals": {"nationality": "AF"},
    }
    country = next((code for code in AFGHAN_COUNTRIES if code in found), None)
    if country:
        chosen[f"Afghan nationals in {country}"] = {"nationality": "AF", "country": country}
    return chosen


def _measure(
    client: Any, arguments: argparse.Namespace, filters: dict[str, dict[str, str]]
) -> list[dict[str, Any]]:
    """Every period and filter: the page, the figures' SQL, and the count from scratch."""
    from portal.core.db import utcnow

    today = utcnow().date()
    results = []
    for code in PERIODS:
        for name, chosen in filters.items():
            results.append(_measure_report(client, arguments, code, today, name, chosen))
            _print_row(results[-1])
    return results


def _measure_report(
    client: Any,
    arguments: argparse.Namespace,
    code: str,
    today: date,
    name: str,
    chosen: dict[str, str],
) -> dict[str, Any]:
    from urllib.parse import urlencode

    from portal.extensions import db

    grain, start, end = _period(code, today)
    queries = _figure_queries(grain, start, chosen)
    scratch = _scratch_flows(start, end, chosen)
    path = (
        PAGE + "?" + urlencode({"period": code} | ({"start": str(start)} if start else {}) | chosen)
    )
    return {
        "period": code,
        "start": start and start.isoformat(),
        "filter": name,
        "path": path,
        "page": timed(_page_action(client, path), arguments.repeat) if client else None,
        "figures_sql": {
            part: timed(_sql_action(db.engine, statement), arguments.repeat)
            for part, statement in queries.items()
        },
        "from_scratch_flows": timed(
            _sql_action(db.engine, scratch), arguments.scratch_repeat, warm=False
        ),
        "flows_agree": _flows_agree(db.engine, queries["flows"], scratch),
    }


# --- output ------------------------------------------------------------------------------------

_HEADER = (
    f"{'period':<8} {'filter':<26} {'page p50':>9} {'p95':>7} {'flows':>7} {'waits':>7}"
    f" {'states':>7} {'series':>7} {'scratch p50':>12} agree"
)


def _print_row(row: dict[str, Any]) -> None:
    page = row["page"]
    sql = row["figures_sql"]
    print(
        f"{row['period']:<8} {row['filter']:<26}"
        f" {page['median_ms'] if page else '-':>9} {page['p95_ms'] if page else '-':>7}"
        + "".join(
            f" {sql[part]['median_ms']:>7}" for part in ("flows", "waits", "states", "series")
        )
        + f" {row['from_scratch_flows']['median_ms']:>12} {'yes' if row['flows_agree'] else 'NO'}",
        flush=True,
    )


def _environment(session: Any) -> dict[str, Any]:
    from sqlalchemy import func, select, text

    from portal.cases.models import Case

    return {
        "cases": session.scalar(select(func.count()).select_from(Case)),
        "postgresql": session.scalar(text("SHOW server_version")),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }


def _missed(results: Iterable[dict[str, Any]]) -> list[str]:
    return [
        f"{row['period']}, {row['filter']}: p95 {row['page']['p95_ms']} ms"
        for row in results
        if row["page"] and row["page"]["p95_ms"] >= TARGET_P95_MS
    ]


def main() -> int:
    arguments = _arguments()
    server = os.environ.get("DATABASE_URL", SERVER)
    url = server.rsplit("/", 1)[0] + f"/{arguments.database}"
    os.environ.update({"DATABASE_URL": url, "PORTAL_ENV": "development"})
    os.environ.setdefault("PORTAL_INSTANCE_DIR", tempfile.mkdtemp(prefix="portal-reports-bench-"))
    from flask_migrate import upgrade
    from sqlalchemy import text

    from portal import create_app
    from portal.core.actors import Role
    from portal.extensions import db

    app = create_app({"RATELIMIT_ENABLED": False})
    seed_if_empty(app, arguments, server)
    with app.app_context():
        upgrade()  # a database seeded by an earlier version lacks the newer tables
        session = db.session
        caught_up = _ensure_refreshed(session)
        # Statistics as autovacuum keeps them; no VACUUM: the day's dead rows stay.
        session.execute(text("ANALYZE"))
        session.commit()
        volumes = _daily_volumes(session)
        mix = _recent_mix(session)
        session.commit()
        updates = arguments.updates or round(volumes["cases"] * DAILY_MOVES_PER_CASE)
        print(f"a day of updates: {updates:,} moves (history: {volumes})", flush=True)
        day = _simulate_day(session, _day_plan(mix, updates), arguments.batch)
        print(f"  made {day['moves']:,} moves in {day['seconds']} s", flush=True)
        started = time.perf_counter()
        _refresh(session)
        refresh_after_day = round((time.perf_counter() - started) * 1000, 1)
        print(f"figures refresh after the day: {refresh_after_day:,} ms", flush=True)
        refresh_idle = timed(lambda: _refresh(session), 3, warm=False)
        print(f"figures refresh with no moves waiting: {refresh_idle}", flush=True)
        environment = _environment(session)
        session.commit()
        pages = "reports" in app.blueprints
        client = signed_in(app, session, Role.ENVOY, "bench-envoy")[0] if pages else None
        if not pages:
            print(f"no reports blueprint in this app: {PAGE} is not timed", flush=True)
        print(f"\nreports at {environment['cases']:,} cases, {arguments.repeat} requests each (ms)")
        print(_HEADER, flush=True)
        results = _measure(client, arguments, _filters(session))
        db.session.remove()
    arguments.result.parent.mkdir(parents=True, exist_ok=True)
    arguments.result.write_text(
        json.dumps(
            {
                "benchmark": "envoy report pages",
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
                **environment,
                "target_p95_ms": TARGET_P95_MS,
                "repeat": arguments.repeat,
                "scratch_repeat": arguments.scratch_repeat,
                "pages_timed": pages,
                "caught_up_refresh_before_the_day": caught_up,
                "history": volumes,
                "day_of_updates": {"planned": updates, **day},
                "refresh_after_the_day_ms": refresh_after_day,
                "refresh_nothing_waiting": refresh_idle,
                "results": results,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"written to {arguments.result}")
    missed = _missed(results)
    for line in missed:
        print(f"target missed: {line}")
    disagree = [f"{row['period']}, {row['filter']}" for row in results if not row["flows_agree"]]
    for line in disagree:
        print(f"figures and history disagree: {line}")
    return 1 if missed or disagree or not pages else 0


if __name__ == "__main__":
    sys.exit(main())
