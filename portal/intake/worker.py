"""The RQ worker process: one app, jobs run in its context, the relay and the re-scoring of
time waited on timers."""

import logging
import threading
from typing import Any

from flask import Flask
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from portal.core.redis import get_redis
from portal.extensions import db
from portal.intake import outbox
from portal.intake.queue import intake_queue
from portal.intake.rescoring import RescoreSchedule

log = logging.getLogger(__name__)


class AppWorker(SimpleWorker):
    """Runs jobs in-process (no fork per job), each inside the app context.

    Forking per job would copy database connections into children; running in-process
    keeps one connection pool and is much faster for short jobs.
    """

    flask_app: Flask

    def perform_job(self, *args: Any, **kwargs: Any) -> bool:
        with self.flask_app.app_context():
            try:
                return bool(super().perform_job(*args, **kwargs))
            finally:
                db.session.remove()


def run_relay_forever(app: Flask, stop: threading.Event) -> None:
    interval = app.config["PORTAL_RELAY_INTERVAL_SECONDS"]
    while not stop.wait(interval):
        with app.app_context():
            try:
                report = outbox.relay(db.session)
                if report.enqueued or report.requeued:
                    log.info("relay: %s", report)
            except Exception:  # keep relaying; the next run tries again
                log.exception("relay failed")
            finally:
                db.session.remove()


def run_rescoring_forever(app: Flask, stop: threading.Event) -> None:
    """Re-score time waited at start and then once each UTC day, checking every interval
    (``PORTAL_RESCORE_CHECK_SECONDS``, an hour): a check within the day costs nothing."""
    interval = app.config.get("PORTAL_RESCORE_CHECK_SECONDS", 3600)
    schedule = RescoreSchedule()
    while True:
        with app.app_context():
            try:
                report = schedule.run(db.session)
                if report is not None and report.updated:
                    log.info("rescore: %s", report)
            except Exception:  # the next check tries again
                log.exception("rescore failed")
            finally:
                db.session.remove()
        if stop.wait(interval):
            return


def make_worker(app: Flask) -> AppWorker:
    with app.app_context():
        worker = AppWorker([intake_queue()], connection=get_redis(app), serializer=JSONSerializer)
    worker.flask_app = app
    return worker


def run(app: Flask, *, burst: bool = False, relay: bool = True) -> None:
    """Work the queue; with ``relay`` (and not ``burst``), the timers run beside it."""
    worker = make_worker(app)
    stop = threading.Event()
    if relay and not burst:
        for timer in (run_relay_forever, run_rescoring_forever):
            threading.Thread(target=timer, args=(app, stop), daemon=True).start()
    try:
        worker.work(burst=burst, logging_level="INFO")
    finally:
        stop.set()
