"""The RQ worker process: one app, jobs run in its context; on timers beside it, the relay,
the re-scoring of time waited, the folding of the queue's case tally, the signed
checkpoints of the audit chain and the retention schedule."""

import gc
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from rq import SimpleWorker
from rq.job import Job
from rq.serializers import JSONSerializer
from sqlalchemy.exc import SQLAlchemyError

from portal.cases import retention
from portal.cases.tally import compact
from portal.core.audit_checkpoints import write_checkpoint
from portal.core.db import DbSession, utcnow
from portal.core.metrics import record_job
from portal.core.redis import get_redis
from portal.core.request_log import job_context
from portal.extensions import db
from portal.intake import outbox
from portal.intake.employers import refresh_figures
from portal.intake.queue import JOB_FUNCTIONS, intake_queue
from portal.intake.rescoring import RescoreSchedule
from portal.watchlist.matcher import CACHE, WatchListChangedError, current_matcher

log = logging.getLogger(__name__)
WATCH_LIST_WAIT_SECONDS = 10


class AppWorker(SimpleWorker):
    """Runs jobs in-process (no fork per job), each inside the app context.

    Forking per job would copy database connections into children; running in-process
    keeps one connection pool and is much faster for short jobs.
    """

    flask_app: Flask

    def perform_job(self, job: Job, *args: Any, **kwargs: Any) -> bool:
        succeeded = False
        started = time.perf_counter()
        with self.flask_app.app_context(), job_context(job.id):
            try:
                succeeded = bool(super().perform_job(job, *args, **kwargs))
                return succeeded
            finally:
                record_job(_job_name(job), time.perf_counter() - started, failed=not succeeded)
                db.session.remove()
                if OWN_PROCESS in self.flask_app.extensions:
                    _freeze_what_lasts(self.flask_app)


def _job_name(job: Job) -> str:
    """The job's name (``intake``) for metrics: never its id, which holds a case id."""
    names = {function: name for name, function in JOB_FUNCTIONS.items()}
    return names.get(job.func_name or "", "other")


# Set in a worker's own process (``own_process``): the watch-list matcher the process held
# at its last freeze, or NOT_FROZEN.
OWN_PROCESS = "portal.worker_process"
NOT_FROZEN = object()


def _freeze_what_lasts(app: Flask) -> None:
    """Leave what lives as long as the process to reference counting alone.

    A job makes thousands of short-lived objects, and every full collection of Python's
    garbage collector would walk all the process holds, the decrypted watch list above
    all. Once the first job has loaded it (and again when a new list is loaded) all the
    process holds is frozen out of the collector's sight.
    """
    matcher = app.extensions.get(CACHE)
    if app.extensions[OWN_PROCESS] is matcher:
        return
    gc.collect()  # nothing unreachable goes into the frozen generation
    gc.freeze()
    app.extensions[OWN_PROCESS] = matcher


def _every(
    app: Flask,
    stop: threading.Event,
    seconds: float,
    name: str,
    action: Callable[[DbSession], object],
    *,
    at_start: bool = False,
) -> None:
    """Run ``action`` in the app context every ``seconds`` until ``stop`` is set.

    What it returns, if anything, is logged (counts only: no personal data); a failure is
    logged and the next run tries again.
    """
    if not at_start and stop.wait(seconds):
        return
    while True:
        with app.app_context():
            try:
                report = action(db.session)
                if report:
                    log.info("%s: %s", name, report)
            except Exception:
                log.exception("%s failed", name)
            finally:
                db.session.remove()
        if stop.wait(seconds):
            return


def _relay(session: DbSession) -> object:
    report = outbox.relay(session)
    return report if report.enqueued or report.requeued else None


def run_relay_forever(app: Flask, stop: threading.Event) -> None:
    _every(app, stop, app.config["PORTAL_RELAY_INTERVAL_SECONDS"], "relay", _relay)


def run_rescoring_forever(app: Flask, stop: threading.Event) -> None:
    """Re-score time waited at start and then once each UTC day, checking every interval
    (``PORTAL_RESCORE_CHECK_SECONDS``, an hour): a check within the day costs nothing."""
    schedule = RescoreSchedule()

    def rescore(session: DbSession) -> object:
        report = schedule.run(session)
        return report if report is not None and report.updated else None

    interval = app.config["PORTAL_RESCORE_CHECK_SECONDS"]
    _every(app, stop, interval, "rescore", rescore, at_start=True)


def run_tally_compaction_forever(app: Flask, stop: threading.Event) -> None:
    """Fold the queue's case tally now and then, so that counting it stays cheap."""

    def fold(session: DbSession) -> object:
        folded = compact(session.get_bind())  # type: ignore[arg-type]
        return f"{folded} rows folded" if folded else None

    _every(app, stop, app.config["PORTAL_TALLY_COMPACT_SECONDS"], "case tally", fold)


def run_figures_refresh_forever(app: Flask, stop: threading.Event) -> None:
    """Keep the envoy's figures no older than ``PORTAL_FIGURES_REFRESH_SECONDS``."""

    def refresh(session: DbSession) -> object:
        keyring = current_app.extensions["portal.keyring"]
        return None if refresh_figures(session, keyring, utcnow()) else "busy, next time"

    interval = app.config["PORTAL_FIGURES_REFRESH_SECONDS"]
    _every(app, stop, interval, "figures", refresh, at_start=True)


def _checkpoint_if_grown(session: DbSession) -> object:
    checkpoint, written = write_checkpoint(
        session,
        current_app.config["PORTAL_AUDIT_CHECKPOINT_PATH"],
        current_app.extensions["portal.keyring"].audit_checkpoint_key(),
        only_if_grown=True,
        # In production a missing file is a warning sign (deleted, or a volume not
        # mounted): only an operator starts one (`audit checkpoint --start-file`).
        start_file=current_app.config["PORTAL_ENV"] == "development",
    )
    if not written:
        return None
    return f"{checkpoint.name}: {checkpoint.reach}"


def run_audit_checkpoints_forever(app: Flask, stop: threading.Event) -> None:
    """Anchor the audit chain outside the database at start and then every interval
    (``PORTAL_AUDIT_CHECKPOINT_SECONDS``), whenever it grew. A chain that falls short of the
    last checkpoint (wiped or rolled back) gets none: the failure is logged each time."""
    interval = app.config["PORTAL_AUDIT_CHECKPOINT_SECONDS"]
    _every(app, stop, interval, "audit checkpoint", _checkpoint_if_grown, at_start=True)


def run_retention_forever(app: Flask, stop: threading.Event) -> None:
    """Re-apply the shred ledger and shred or delete what is due, every
    ``PORTAL_RETENTION_INTERVAL_SECONDS``. Not at start: workers started on a database full
    of old cases (a demo, a benchmark) would all begin by shredding; a restore runs
    ``retention reapply`` itself before anything starts."""
    interval = app.config["PORTAL_RETENTION_INTERVAL_SECONDS"]
    _every(app, stop, interval, "retention", retention.run)


def make_worker(app: Flask) -> AppWorker:
    with app.app_context():
        worker = AppWorker([intake_queue()], connection=get_redis(app), serializer=JSONSerializer)
    worker.flask_app = app
    return worker


def own_process(app: Flask) -> None:
    """Mark the process as this worker's own (``flask worker``): it may freeze what it
    holds out of the garbage collector, which is process-wide, after its first job."""
    app.extensions[OWN_PROCESS] = NOT_FROZEN


def load_watch_list(app: Flask) -> None:
    """Decrypt the watch list in force now, before the first job, not in it: a worker
    started during a surge would otherwise keep its first applicants waiting while the
    whole list is decrypted and indexed."""
    with app.app_context():
        try:
            current_matcher(db.session)
            db.session.commit()  # with the decryption's audit event
        except (SQLAlchemyError, WatchListChangedError) as exc:
            db.session.rollback()
            log.warning(
                "watch list not loaded at start (%s): the first job loads it", type(exc).__name__
            )
        finally:
            db.session.remove()
    if OWN_PROCESS in app.extensions:
        _freeze_what_lasts(app)


def run(app: Flask, *, burst: bool = False, timers: bool = True) -> None:
    """Work the queue; with ``timers`` (and not ``burst``), the upkeep timers run beside it.
    A worker that keeps running loads the watch list before it takes a job."""
    own_process(app)
    worker = make_worker(app)
    if not burst:
        warming = threading.Thread(target=load_watch_list, args=(app,), daemon=True)
        warming.start()
        # The list's audit event waits for the chain lock. Held long (a stuck transaction),
        # it must not keep the worker from its queue: past this, the worker starts anyway
        # and its first job loads the list if the thread has not by then.
        warming.join(timeout=WATCH_LIST_WAIT_SECONDS)
    stop = threading.Event()
    if timers and not burst:
        for timer in (
            run_relay_forever,
            run_rescoring_forever,
            run_tally_compaction_forever,
            run_figures_refresh_forever,
            run_audit_checkpoints_forever,
            run_retention_forever,
        ):
            threading.Thread(target=timer, args=(app, stop), daemon=True).start()
    try:
        worker.work(burst=burst, logging_level="INFO")
    finally:
        stop.set()
