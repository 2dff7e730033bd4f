"""Time from submit to "in review" at 20 submissions a second for one minute.

    .venv/bin/python bench/submit_latency.py [--rate 20] [--seconds 60] [--workers 2]
        [--in-process] [--reuse]

Uses the database of bench/screening_setup.py (100,000 demo cases, indexed; a 10,000-entry
watch list). Complete draft applications are made first through the portal's services and
signed in as ``apply.session.sign_in`` does (their access codes are not what is measured).
Then, as deployed: the public face under gunicorn with the deployment's settings
(deploy/gunicorn.conf.py) and ``--workers`` intake workers (``flask --app wsgi worker``,
relay on its timer), on PostgreSQL and Redis; the load generator (bench/load.py) sends
``POST /application/submit`` of one draft after the other at a steady rate, each on time
however long the ones before it take, as applicants' last clicks arrive. ``--in-process``
submits through ``apply.services.submit_case`` in this process instead, with one worker
(how this benchmark measured before).

The latency of each case is the time between its "submitted" and its "in review"
transitions, both written by the portal. Prints the median, 95th percentile and maximum,
beside the web answer's own, and writes ``bench/results/submit_latency.json``. The
target: 95th percentile under 2 seconds; exits non-zero when it is missed, a submission
is refused or a case does not reach review.
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import load, served  # noqa: E402
from bench import screening_setup as setup  # noqa: E402

RESULT = setup.ROOT / "bench" / "results" / "submit_latency.json"
TARGET_P95_SECONDS = 2.0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    setup.add_arguments(parser)
    parser.add_argument("--rate", type=float, default=20.0, help="submissions per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2, help="intake workers")
    parser.add_argument(
        "--processes", type=int, default=None, help="web processes (the deployment's default)"
    )
    parser.add_argument(
        "--in-process", action="store_true", help="submit in this process, not through HTTP"
    )
    parser.add_argument("--result", type=Path, default=RESULT)
    return parser.parse_args()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _submitted(status: int, headers: Any) -> bool:
    return status == 302 and "submitted=1" in headers.get("Location", "")


def _through_web(
    app: Any, env: dict[str, str], arguments: argparse.Namespace, count: int, log: Path
) -> tuple[list[Any], dict[str, Any]]:
    """Submit ``count`` drafts over HTTP at the rate, gunicorn and workers running."""
    applicants = served.ready_drafts(app, count, int.from_bytes(os.urandom(4), "big"))
    requests = served.submissions(applicants)
    processes = arguments.processes or (os.cpu_count() or 1) * 2 + 1
    web_env = served.environment_for_web(env)
    with (
        served.gunicorn("wsgi:app", web_env, processes=processes, log=log) as (base, _),
        served.workers(env, arguments.workers, log),
    ):
        served.wait_for_workers(app, arguments.workers)
        # Every web process builds its app and compiles its templates first, as a server
        # that has run for a while has.
        warm = load.Request("GET", "/")
        load.closed_loop(base, lambda: warm, lambda *_: True, connections=8, seconds=3)
        web = load.open_loop(
            base, lambda: next(requests, None), _submitted, rate=arguments.rate, count=count
        )
        _wait_for_review(app, [a.case_id for a in applicants])
    return [a.case_id for a in applicants], web


def _in_process(
    app: Any, env: dict[str, str], arguments: argparse.Namespace, count: int, log: Path
) -> tuple[list[Any], dict[str, Any]]:
    """Submit ``count`` drafts through the service in this process, one worker running."""
    from portal.apply.services import submit_case
    from portal.cases.models import Case
    from portal.extensions import db

    with app.app_context():  # one session throughout: the drafts stay unlocked in it
        ids = setup.new_cases(
            count, random.Random(int.from_bytes(os.urandom(4), "big")), submit=False, keep=True
        )
        drafts = [db.session.get(Case, case_id) for case_id in ids]
        with served.workers(env, 1, log):
            time.sleep(5)  # the worker builds its app and connects
            started = time.perf_counter()
            for n, case in enumerate(drafts):
                delay = started + n / arguments.rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                submit_case(db.session, case)
                db.session.commit()
            submitting = time.perf_counter() - started
            _wait_for_review(app, ids)
        db.session.remove()
    return ids, {"achieved_rate_per_second": round(count / submitting, 1)}


def _wait_for_review(app: Any, ids: list[Any], seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while served.waiting_for_intake(app, ids) and time.monotonic() < deadline:
        time.sleep(0.5)


def _latencies(app: Any, ids: list[Any]) -> list[float]:
    from sqlalchemy import select

    from portal.cases.models import Case, CaseTransition
    from portal.extensions import db

    with app.app_context():
        rows = db.session.execute(
            select(Case.submitted_at, CaseTransition.at)
            .join(CaseTransition, CaseTransition.case_id == Case.id)
            .where(Case.id.in_(ids), CaseTransition.to_status == "in_review")
        ).all()
        db.session.remove()
    return [(at - submitted).total_seconds() for submitted, at in rows]


def main() -> int:
    arguments = _arguments()
    env = setup.prepare(arguments)
    app = setup.make_app(env)
    count = round(arguments.rate * arguments.seconds)
    log = Path(tempfile.gettempdir()) / f"bench-submit-latency-{os.getpid()}.log"

    from portal.core.redis import get_redis

    with app.app_context():
        get_redis().flushdb()
    load_before = served.load_average()
    submit = _in_process if arguments.in_process else _through_web
    ids, web = submit(app, env, arguments, count, log)
    latencies = _latencies(app, ids)
    result = {
        "benchmark": "submit to in review"
        + (", in process, one worker" if arguments.in_process else ", through gunicorn"),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "submissions": count,
        "reached_review": len(latencies),
        "workers": 1 if arguments.in_process else arguments.workers,
        "target_rate_per_second": arguments.rate,
        "achieved_rate_per_second": web["achieved_rate_per_second"],
        "median_seconds": round(statistics.median(latencies), 3) if latencies else None,
        "p95_seconds": round(_percentile(latencies, 0.95), 3) if latencies else None,
        "max_seconds": round(max(latencies), 3) if latencies else None,
        "target_p95_seconds": TARGET_P95_SECONDS,
        "web": web,
        "load_average_before": load_before,
        "load_average_after": served.load_average(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    arguments.result.parent.mkdir(parents=True, exist_ok=True)
    arguments.result.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"{count} submissions at {result['achieved_rate_per_second']}/s: submit to in review "
        f"median {result['median_seconds']} s, 95th percentile {result['p95_seconds']} s "
        f"(target < {TARGET_P95_SECONDS} s), max {result['max_seconds']} s; "
        f"{len(latencies)} reached review. Written to {arguments.result}"
    )
    if "p95_ms" in web:
        print(f"web answer: median {web['median_ms']} ms, p95 {web['p95_ms']} ms, {web}")
    refused = web.get("unexpected", 0) + web.get("errors", 0)
    missed = result["p95_seconds"] is None or result["p95_seconds"] >= TARGET_P95_SECONDS
    return 1 if missed or refused or len(latencies) != count else 0


if __name__ == "__main__":
    sys.exit(main())
