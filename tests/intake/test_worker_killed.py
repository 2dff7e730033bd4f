"""A worker killed with SIGKILL in the middle of a job: the case is processed after all."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from rq.job import JobStatus
from sqlalchemy import create_engine, text

from portal.apply.services import submit_case
from portal.cases.models import Case
from portal.cases.states import CaseStatus
from portal.core.audit import CHAIN_LOCK_ID
from portal.core.db import utcnow
from portal.extensions import db
from portal.intake.outbox import relay
from portal.intake.queue import INTAKE_JOB, fetch
from portal.intake.worker import make_worker
from tests.factories import make_case

ROOT = Path(__file__).resolve().parents[2]


class DatabaseHold:
    """Holds a lock that the job needs, so the job is caught half-way."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.handle: Any = None

    def __enter__(self) -> "DatabaseHold":
        if self.url.startswith("sqlite:///"):
            self.handle = sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=30)
            self.handle.execute("BEGIN IMMEDIATE")  # the write lock: the job's writes wait
        else:
            self.handle = create_engine(self.url).connect()
            self.handle.execute(text("SELECT pg_advisory_lock(:id)"), {"id": CHAIN_LOCK_ID})
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.url.startswith("sqlite:///"):
            self.handle.rollback()
        else:
            self.handle.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": CHAIN_LOCK_ID})
        engine = getattr(self.handle, "engine", None)
        self.handle.close()
        if engine is not None:
            engine.dispose()


def _worker_environment(app: Flask) -> dict[str, str]:
    config = app.config
    return {
        **os.environ,
        "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": config["REDIS_URL"],
        "PORTAL_KEYS_DIR": str(config["PORTAL_KEYS_DIR"]),
        "PORTAL_BLOB_DIR": str(config["PORTAL_BLOB_DIR"]),
        "PORTAL_SCRYPT_N": str(config["PORTAL_SCRYPT_N"]),
    }


def _wait_for(predicate: Any, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.1)


def _kill_worker_mid_job(app: Flask, job: Any, linger: float = 0.0) -> None:
    """Start a real worker while the job's database lock is held, and SIGKILL it once the
    job has started (after ``linger`` seconds, to let it get as far as it can)."""
    with DatabaseHold(app.config["SQLALCHEMY_DATABASE_URI"]):
        worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--no-timers"],
            cwd=ROOT,
            env=_worker_environment(app),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for(lambda: job.get_status(refresh=True) == JobStatus.STARTED)
            time.sleep(linger)
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)


def test_a_case_whose_worker_was_killed_mid_job_is_processed_later(app: Flask) -> None:
    case, _code = make_case(db.session)
    submit_case(db.session, case)
    db.session.commit()
    case_id = case.id
    db.session.remove()
    job = fetch(INTAKE_JOB, case_id)
    assert job is not None

    _kill_worker_mid_job(app, job)

    assert db.session.get(Case, case_id).status == CaseStatus.SUBMITTED
    assert job.get_status(refresh=True) == JobStatus.STARTED  # nobody will finish it

    # Later (past the dead worker's heartbeat), the relay hands the job on again.
    later = utcnow() + timedelta(hours=1)
    relay(db.session, now=later)
    make_worker(app).work(burst=True)

    db.session.expire_all()
    assert db.session.get(Case, case_id).status == CaseStatus.IN_REVIEW


def test_a_worker_killed_in_the_middle_of_screening_leaves_it_to_the_next(
    app: Flask, tmp_path: Path
) -> None:
    """Killed after the case reached "screening" and while it was being screened: after
    the restart the case is screened in full, once, with its watch-list hit."""
    from sqlalchemy import func, select

    from portal.cases.lifecycle import transition
    from portal.cases.models import RiskAssessment
    from portal.cases.states import ActorKind, ScreeningStatus
    from tests.intake.conftest import import_watchlist

    listed = "name,aliases,date_of_birth,reference\nZarminagul Ahmadzai,,1987,UN-1\n"
    assert import_watchlist(app, listed, tmp_path).exit_code == 0
    case, _code = make_case(db.session)
    submit_case(db.session, case)
    db.session.commit()
    transition(db.session, case, CaseStatus.SCREENING, actor_kind=ActorKind.SYSTEM)
    db.session.commit()
    case_id = case.id
    db.session.remove()
    job = fetch(INTAKE_JOB, case_id)
    assert job is not None

    _kill_worker_mid_job(app, job, linger=0.5)  # into the screening transaction

    def assessments() -> int:
        return db.session.scalar(select(func.count()).where(RiskAssessment.case_id == case_id))

    assert db.session.get(Case, case_id).status == CaseStatus.SCREENING
    assert assessments() == 0  # nothing of the screening was committed

    relay(db.session, now=utcnow() + timedelta(hours=1))
    make_worker(app).work(burst=True)

    db.session.expire_all()
    stored = db.session.get(Case, case_id)
    assert stored.status == CaseStatus.IN_REVIEW
    assert stored.screening_status == ScreeningStatus.HIT
    assert assessments() == 1
