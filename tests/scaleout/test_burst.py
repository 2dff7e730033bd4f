"""A burst of applications against the portal scaled out on one machine: two web processes
per face, three intake workers, one of them killed with SIGKILL in the middle of a job.

Every application goes through the public face's real forms over HTTP, upload included.
Afterwards the database must show each case submitted, screened and put in review exactly
once, with one intake assessment and a completed outbox row, and no job failed. The test
prints what it measured (docs/scaling.md) and asserts no time.

    TEST_DATABASE_URL=postgresql://... TEST_REDIS_URL=redis://... \\
        .venv/bin/python -m pytest -q -s -p no:cacheprovider tests/scaleout
"""

import os
import signal
import statistics
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
import redis
from flask import Flask
from rq import Queue
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry
from rq.serializers import JSONSerializer
from sqlalchemy import func, select

from portal.cases.models import Case, CaseTransition, RiskAssessment
from portal.cases.states import ActorKind, CaseStatus
from portal.core.codes import normalise_reference
from portal.extensions import db
from portal.intake.models import OutboxEntry
from portal.intake.outbox import RELAY_LOCK
from portal.intake.queue import INTAKE_JOB, case_of
from tests.apply.journey import Applicant, png
from tests.scaleout.conftest import (
    INTAKE_WORKERS,
    WEB_PROCESSES_PER_FACE,
    Cluster,
    cpu_seconds,
    gunicorn_workers,
    registered_workers,
)
from tests.scaleout.web_client import Ledger, WebClient


def _shared_stores() -> bool:
    database = os.environ.get("TEST_DATABASE_URL", "")
    return database.startswith(("postgresql", "postgres:")) and bool(
        os.environ.get("TEST_REDIS_URL")
    )


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not _shared_stores(),
        reason="scale-out needs stores that separate processes share as in production: "
        "set TEST_DATABASE_URL=postgresql://... and TEST_REDIS_URL=redis://...",
    ),
]

APPLICANTS = 120
CONCURRENT_APPLICANTS = 8
# Killed once this share of the burst is in: mid-burst, with submissions still arriving.
KILL_AFTER = APPLICANTS // 3
# Bounds, not measurements: a job abandoned by the killed worker is handed on after the
# job timeout plus RQ's 60 s (tests/scaleout/conftest.py).
KILL_WITHIN_SECONDS = 120
DRAIN_WITHIN_SECONDS = 150


@dataclass
class Submitted:
    reference: str
    at: float  # time.monotonic() when the public face confirmed it


@dataclass
class Kill:
    job_id: str
    case_id: uuid.UUID
    at: float
    idle_kills: int  # workers caught idle by the time the signal landed, and replaced


def _apply(base_url: str, ledger: Ledger) -> Submitted | None:
    """One applicant's whole journey: start, fill in, upload a photo, declare, send."""
    applicant = Applicant(WebClient(base_url, ledger))  # type: ignore[arg-type]
    applicant.start()
    applicant.fill_principal()
    applicant.add_job()
    applicant.upload(png(), "passfoto.png")
    applicant.declare()
    response = applicant.submit()
    applicant.pages.clear()
    if response.status_code == 302 and "submitted=1" in (response.location or ""):
        return Submitted(normalise_reference(applicant.reference) or "", time.monotonic())
    return None


def _busy_worker(cluster: Cluster, connection: redis.Redis) -> tuple[Any, str] | None:
    """One of our workers and the job it is running, unless the relay lock is taken (a
    worker killed holding it would stop every relay until the lock expires)."""
    if connection.exists(RELAY_LOCK):
        return None
    ours = {process.pid for process in cluster.workers}
    for worker in registered_workers(cluster.redis_url):
        job_id = worker.get_current_job_id()
        if job_id and worker.pid in ours:
            return worker, job_id
    return None


def _replace_worker(cluster: Cluster, pid: int) -> None:
    """Start a worker like the one killed (it was caught idle: no job of it to lose)."""
    dead = next(process for process in cluster.workers if process.pid == pid)
    dead.wait()
    cluster.workers.remove(dead)
    cluster.add_worker()


def _kill_a_worker_mid_job(cluster: Cluster, burst: list[Future[Any]]) -> Kill:
    """Once a third of the burst is in, SIGKILL a worker while it runs a job."""
    connection = redis.Redis.from_url(cluster.redis_url)
    deadline = time.monotonic() + KILL_WITHIN_SECONDS
    idle_kills = 0
    try:
        while sum(future.done() for future in burst) < KILL_AFTER:
            assert time.monotonic() < deadline, "the burst did not get a third of the way"
            time.sleep(0.05)
        while True:
            assert time.monotonic() < deadline, "no worker was seen running a job"
            caught = _busy_worker(cluster, connection)
            if caught is None:
                time.sleep(0.01)
                continue
            worker, job_id = caught
            os.kill(worker.pid, signal.SIGKILL)
            killed_at = time.monotonic()
            job = Job.fetch(job_id, connection=connection, serializer=JSONSerializer)
            if job.get_status() == JobStatus.STARTED and job.worker_name == worker.name:
                case_id = case_of(INTAKE_JOB, job_id)
                assert case_id is not None
                return Kill(job_id, case_id, killed_at, idle_kills)
            # The job ended between the look and the signal: that worker died idle.
            idle_kills += 1
            _replace_worker(cluster, worker.pid)
    finally:
        connection.close()


def _in_review(excluding: uuid.UUID | None = None) -> int:
    query = select(func.count()).where(Case.status == CaseStatus.IN_REVIEW)
    if excluding is not None:
        query = query.where(Case.id != excluding)
    count = db.session.scalar(query) or 0
    db.session.rollback()  # a fresh snapshot next time
    return count


def _wait_for_review(applicants: int, kill: Kill) -> tuple[float, float]:
    """When all cases but the killed job's own were in review, and when that one was."""
    deadline = time.monotonic() + DRAIN_WITHIN_SECONDS
    others_done = None
    while True:
        if others_done is None and _in_review(excluding=kill.case_id) >= applicants - 1:
            others_done = time.monotonic()
        if others_done is not None and _in_review() == applicants:
            return others_done, time.monotonic()
        assert time.monotonic() < deadline, (
            f"{_in_review()} of {applicants} cases in review after {DRAIN_WITHIN_SECONDS} s"
        )
        time.sleep(0.2)


def _per_case(query: Any) -> dict[uuid.UUID, int]:
    return {case_id: count for case_id, count in db.session.execute(query).all()}


def _transitions(from_status: CaseStatus | None, to_status: CaseStatus) -> dict[uuid.UUID, int]:
    return _per_case(
        select(CaseTransition.case_id, func.count())
        .where(CaseTransition.from_status == from_status, CaseTransition.to_status == to_status)
        .group_by(CaseTransition.case_id)
    )


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def test_a_burst_is_screened_once_each_with_a_worker_killed_mid_job(
    cluster: Cluster, app: Flask
) -> None:
    for face in ("public", "internal"):
        assert len(gunicorn_workers(cluster.web[face])) == WEB_PROCESSES_PER_FACE
    public_processes = gunicorn_workers(cluster.web["public"])
    public_cpu = cpu_seconds(public_processes)

    ledger = Ledger()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CONCURRENT_APPLICANTS) as pool:
        burst = [pool.submit(_apply, cluster.public_url, ledger) for _ in range(APPLICANTS)]
        kill = _kill_a_worker_mid_job(cluster, burst)
        results = [future.result() for future in burst]
    public_cpu = cpu_seconds(public_processes) - public_cpu
    submitted = [result for result in results if result is not None]
    last_accepted = max((result.at for result in submitted), default=started)

    errors = [exchange for exchange in ledger.exchanges if exchange.status >= 500]
    assert errors == [], f"server errors: {errors[:5]}\n{cluster.log_tail('public')}"
    assert len(submitted) == APPLICANTS, "an application was refused or not confirmed"

    others_done, all_done = _wait_for_review(APPLICANTS, kill)

    # Every case once through each step, none left behind, and each one an applicant sent.
    cases = dict(db.session.execute(select(Case.id, Case.reference)).all())
    assert sorted(cases.values()) == sorted(result.reference for result in submitted)
    assert kill.case_id in cases
    everyone_once = dict.fromkeys(cases, 1)
    assert _transitions(CaseStatus.DRAFT, CaseStatus.SUBMITTED) == everyone_once
    assert _transitions(CaseStatus.SUBMITTED, CaseStatus.SCREENING) == everyone_once
    assert _transitions(CaseStatus.SCREENING, CaseStatus.IN_REVIEW) == everyone_once
    assert (
        _per_case(
            select(RiskAssessment.case_id, func.count())
            .where(RiskAssessment.source == ActorKind.SYSTEM)
            .group_by(RiskAssessment.case_id)
        )
        == everyone_once
    )
    outbox = db.session.execute(
        select(OutboxEntry.case_id, OutboxEntry.completed_at, OutboxEntry.failed_at)
    ).all()
    assert sorted(row.case_id for row in outbox) == sorted(cases)
    assert all(row.completed_at is not None and row.failed_at is None for row in outbox)

    connection = redis.Redis.from_url(cluster.redis_url)
    try:
        intake = Queue("intake", connection=connection)
        assert FailedJobRegistry(queue=intake).count == 0
        assert intake.count == 0
    finally:
        connection.close()
    assert len(registered_workers(cluster.redis_url)) >= INTAKE_WORKERS - 1

    burst_seconds = last_accepted - started
    submits = [e.seconds for e in ledger.exchanges if e.path == "/application/submit"]
    pages = [e.seconds for e in ledger.exchanges if e.method == "GET"]
    print(
        f"\nscale-out burst: {APPLICANTS} applications by {CONCURRENT_APPLICANTS} concurrent "
        f"applicants, {len(ledger.exchanges)} requests, {WEB_PROCESSES_PER_FACE} web "
        f"processes a face, {INTAKE_WORKERS} workers (one killed mid-job, "
        f"{kill.idle_kills} caught idle first)\n"
        f"  applications accepted per second: {APPLICANTS / burst_seconds:.1f} "
        f"({len(ledger.exchanges) / burst_seconds:.0f} requests per second, "
        f"{burst_seconds:.1f} s in all)\n"
        f"  public face CPU per application: {public_cpu / APPLICANTS * 1000:.0f} ms\n"
        f"  final submission: median {statistics.median(submits) * 1000:.0f} ms, "
        f"p95 {_percentile(submits, 0.95) * 1000:.0f} ms; pages p95 "
        f"{_percentile(pages, 0.95) * 1000:.0f} ms\n"
        f"  last submission to all in review (but the killed job's case): "
        f"{max(0.0, others_done - last_accepted):.1f} s\n"
        f"  the killed job's case in review {all_done - kill.at:.1f} s after the kill\n"
        f"  {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end"
    )
