"""Screening throughput of one worker process, next to the same worker running empty jobs.

    .venv/bin/python bench/screening_throughput.py [--jobs 1000] [--reuse] [--profile]

Setup (bench/screening_setup.py): PostgreSQL with 100,000 demo cases, indexed, and a
10,000-entry watch list. Then one worker (the AppWorker that ``flask worker`` runs, here in
this process, logging to a file as a deployed worker would) works through three kinds of
jobs, the same number of each, in interleaved rounds of one run:

1. empty jobs (``bench.jobs.noop``): what RQ and the worker cost per job;
2. intake jobs with the screening step left out (decrypt, index, move to review: the job
   as it was before screening), for context;
3. full intake jobs: the same plus duplicates (and the update of every earlier case a new
   link touches), watch list, checks and the rubric.

An intake job screens the cases queued behind it too (``PORTAL_INTAKE_BATCH_SIZE``), so
intake is counted in cases a second and empty jobs in jobs a second: how fast the worker
gets through what the queue holds. Prints both and writes
``bench/results/screening_throughput.json``. The target: cases screened at least at half
the empty-job rate.
"""

import argparse
import cProfile
import json
import logging
import os
import platform
import pstats
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import screening_setup as setup  # noqa: E402

RESULT = setup.ROOT / "bench" / "results" / "screening_throughput.json"
PROFILE = Path(tempfile.gettempdir()) / "screening-throughput.prof"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    setup.add_arguments(parser)
    parser.add_argument("--jobs", type=int, default=1000, help="jobs of each kind")
    parser.add_argument("--rounds", type=int, default=10, help="interleaved rounds")
    parser.add_argument("--profile", action="store_true", help="profile the screening batch")
    parser.add_argument("--result", type=Path, default=RESULT)
    return parser.parse_args()


def _quiet_worker_logs(path: Path) -> None:
    """RQ logs a few lines per job; write them to a file, as a deployed worker would."""
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
    for name in ("rq.worker", "rq.job", "rq.queue", "portal"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def _burst(app: Any, enqueue: Any, ids: list[Any], profile: bool = False) -> float:
    from portal.intake.worker import make_worker

    with app.app_context():
        for case_id in ids:
            enqueue(case_id)
    worker = make_worker(app)
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    worker.work(burst=True, logging_level="INFO")
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
        profiler.dump_stats(PROFILE)
        print(f"profile written to {PROFILE}")
    return time.perf_counter() - started


def main() -> None:
    arguments = _arguments()
    env = setup.prepare(arguments)
    app = setup.make_app(env)
    log_file = Path(tempfile.mkstemp(prefix="bench-worker-", suffix=".log")[1])
    _quiet_worker_logs(log_file)

    from sqlalchemy import func, select

    from portal.cases.models import BlindIndex, Case, RiskAssessment
    from portal.core.audit import AuditEvent
    from portal.core.redis import get_redis
    from portal.extensions import db
    from portal.intake import queue, tasks
    from portal.intake.duplicates import links_of
    from portal.watchlist.matcher import CACHE, current_matcher

    # New people on every run: a rerun with --reuse must not screen copies of the last run's.
    case_seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(case_seed)
    with app.app_context():
        get_redis().flushdb()
        baseline_ids = setup.new_cases(arguments.jobs, rng, submit=True)
        screened_ids = setup.new_cases(arguments.jobs, rng, submit=True)
        started = time.perf_counter()
        matcher = current_matcher(db.session)  # the worker's one decryption of the list
        load_seconds = time.perf_counter() - started
        assert matcher is not None
        db.session.commit()
        entries = len(matcher.entries)
        index_rows = db.session.scalar(select(func.count()).select_from(BlindIndex))
        events_before = db.session.scalar(select(func.max(AuditEvent.id))) or 0
        cases = db.session.scalar(select(func.count()).select_from(Case))

    def enqueue_noop(case_id: Any) -> None:
        queue.intake_queue().enqueue_call(
            "bench.jobs.noop", args=[str(case_id)], job_id=f"noop-{case_id}", result_ttl=3600
        )

    def enqueue_intake(case_id: Any) -> None:
        queue.enqueue(queue.INTAKE_JOB, case_id)

    from portal.intake.worker import own_process

    own_process(app)  # as under `flask worker`: the process is the worker's
    # Interleaved rounds, so that whatever else the machine does weighs on all three alike.
    chunk = -(-arguments.jobs // arguments.rounds)
    empty = without = full = 0.0
    real_screen = tasks.screen_cases

    def without_screening(_session: Any, cases: list[Any], *_a: Any, **_k: Any) -> Any:
        return {case.id: SimpleNamespace(screening_status="skipped") for case in cases}

    for first in range(0, arguments.jobs, chunk):
        baseline, screened = (
            baseline_ids[first : first + chunk],
            screened_ids[first : first + chunk],
        )
        empty += _burst(app, enqueue_noop, baseline)
        tasks.screen_cases = without_screening  # type: ignore[assignment]
        try:
            without += _burst(app, enqueue_intake, baseline)
        finally:
            tasks.screen_cases = real_screen
        assert app.extensions.get(CACHE) is matcher  # warm, as in a worker that has run before
        full += _burst(app, enqueue_intake, screened, profile=arguments.profile)

    with app.app_context():
        in_review = db.session.scalar(
            select(func.count()).where(Case.id.in_(screened_ids), Case.status == "in_review")
        )
        # Cases, not assessments: a case linked to by a later one gets a second assessment.
        hits = db.session.scalar(
            select(func.count(func.distinct(RiskAssessment.case_id))).where(
                RiskAssessment.case_id.in_(screened_ids), RiskAssessment.screening_status == "hit"
            )
        )
        # Earlier cases whose screening changed because a screened case linked to them.
        updated = db.session.scalar(
            select(func.count()).where(
                AuditEvent.id > events_before, AuditEvent.action == "case.screening_updated"
            )
        )
        linked = sum(1 for found in links_of(db.session, screened_ids).values() if found)
    assert in_review == arguments.jobs, f"only {in_review} of {arguments.jobs} screened"
    # Intake jobs screen the cases queued behind them too (PORTAL_INTAKE_BATCH_SIZE), so
    # their rate is of cases screened, against empty jobs run: the work the queue holds.
    rates = {
        "empty_jobs_per_second": round(arguments.jobs / empty, 1),
        "intake_without_screening_cases_per_second": round(arguments.jobs / without, 1),
        "screening_cases_per_second": round(arguments.jobs / full, 1),
    }
    ratio = rates["screening_cases_per_second"] / rates["empty_jobs_per_second"]
    result = {
        "benchmark": "screening throughput, one worker process",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "jobs_of_each_kind": arguments.jobs,
        "intake_batch_size": app.config["PORTAL_INTAKE_BATCH_SIZE"],
        "interleaved_rounds": arguments.rounds,
        "case_seed": case_seed,
        **rates,
        "screening_ms_per_case": round(1000 * full / arguments.jobs, 2),
        "empty_ms_per_job": round(1000 * empty / arguments.jobs, 2),
        "ratio_to_empty": round(ratio, 3),
        "ratio_to_intake_without_screening": round(
            rates["screening_cases_per_second"]
            / rates["intake_without_screening_cases_per_second"],
            3,
        ),
        "target_ratio_to_empty": 0.5,
        "watchlist_entries": entries,
        "watchlist_load_seconds": round(load_seconds, 2),
        "cases_in_database": cases,
        "blind_index_rows": index_rows,
        "screened_with_watchlist_hit": hits,
        "screened_with_duplicate_links": linked,
        "earlier_cases_updated": updated,
        "postgresql": True,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    arguments.result.parent.mkdir(parents=True, exist_ok=True)
    arguments.result.write_text(json.dumps(result, indent=2) + "\n")
    log_file.unlink()
    print(
        f"one worker, {arguments.jobs} of each: empty jobs {rates['empty_jobs_per_second']}/s, "
        "cases through intake without screening "
        f"{rates['intake_without_screening_cases_per_second']}/s, "
        f"cases screened {rates['screening_cases_per_second']}/s "
        f"({result['screening_ms_per_case']} ms a case; {ratio:.0%} of the empty-job rate, "
        f"target 50%). Watch list {entries} entries (loaded in {load_seconds:.2f} s), "
        f"{cases:,} cases, {index_rows:,} index rows; {hits} hits, {linked} cases with "
        f"duplicate links, {updated} updates of earlier cases. Written to {arguments.result}"
    )


if __name__ == "__main__":
    main()
