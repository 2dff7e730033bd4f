"""Time from submit to "in review" at 20 submissions a second for one minute.

    .venv/bin/python bench/submit_latency.py [--rate 20] [--seconds 60] [--reuse]

Uses the database of bench/screening_setup.py (100,000 demo cases, indexed; a 10,000-entry
watch list). Complete draft applications are prepared first (their access codes are not
what is measured); then one worker (``flask --app wsgi worker``, relay on its timer) runs
while this process submits them at a steady rate through ``apply.services.submit_case``,
as the applicant's last click does. The latency of each case is the time between its
"submitted" and its "in review" transitions, both written by the portal. Prints the
median, 95th percentile and maximum, and writes ``bench/results/submit_latency.json``.
The target: 95th percentile under 2 seconds.
"""

import argparse
import json
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import screening_setup as setup  # noqa: E402

RESULT = setup.ROOT / "bench" / "results" / "submit_latency.json"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    setup.add_arguments(parser)
    parser.add_argument("--rate", type=float, default=20.0, help="submissions per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--result", type=Path, default=RESULT)
    return parser.parse_args()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    arguments = _arguments()
    env = setup.prepare(arguments)
    app = setup.make_app(env)
    count = round(arguments.rate * arguments.seconds)

    from sqlalchemy import func, select

    from portal.apply.services import submit_case
    from portal.cases.models import Case, CaseTransition
    from portal.core.redis import get_redis
    from portal.extensions import db

    context = app.app_context()  # one session throughout: the drafts stay unlocked in it
    context.push()
    get_redis().flushdb()
    ids = setup.new_cases(
        count, random.Random(int.from_bytes(os.urandom(4), "big")), submit=False, keep=True
    )
    drafts = [db.session.get(Case, case_id) for case_id in ids]

    flask = Path(sys.executable).with_name("flask")
    worker = subprocess.Popen(
        [str(flask), "--app", "wsgi", "worker"],
        cwd=setup.ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(5)  # the worker builds its app and connects
        started = time.perf_counter()
        for n, case in enumerate(drafts):
            delay = started + n / arguments.rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            submit_case(db.session, case)
            db.session.commit()
        submitting = time.perf_counter() - started
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            done = db.session.scalar(
                select(func.count()).where(Case.id.in_(ids), Case.status == "in_review")
            )
            db.session.rollback()
            if done == count:
                break
            time.sleep(0.5)
        rows = db.session.execute(
            select(Case.id, Case.submitted_at, CaseTransition.at)
            .join(CaseTransition, CaseTransition.case_id == Case.id)
            .where(Case.id.in_(ids), CaseTransition.to_status == "in_review")
        ).all()
    finally:
        worker.send_signal(signal.SIGTERM)  # RQ's warm shutdown
        worker.wait(timeout=60)
        db.session.remove()
        context.pop()

    latencies = [(at - submitted).total_seconds() for _id, submitted, at in rows]
    assert len(latencies) == count, f"only {len(latencies)} of {count} reached review"
    result = {
        "benchmark": "submit to in review, one worker",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "submissions": count,
        "target_rate_per_second": arguments.rate,
        "achieved_rate_per_second": round(count / submitting, 1),
        "median_seconds": round(statistics.median(latencies), 3),
        "p95_seconds": round(_percentile(latencies, 0.95), 3),
        "max_seconds": round(max(latencies), 3),
        "target_p95_seconds": 2.0,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    arguments.result.parent.mkdir(parents=True, exist_ok=True)
    arguments.result.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"{count} submissions at {result['achieved_rate_per_second']}/s: submit to in review "
        f"median {result['median_seconds']} s, 95th percentile {result['p95_seconds']} s "
        f"(target < 2 s), max {result['max_seconds']} s. Written to {arguments.result}"
    )


if __name__ == "__main__":
    main()
