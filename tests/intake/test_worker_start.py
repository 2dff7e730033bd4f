"""A long-running worker decrypts the watch list before it takes a job, so that the first
applicants after a worker starts in a surge do not wait for it (docs/screening.md)."""

import logging

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from portal.core.audit import AuditEvent
from portal.extensions import db
from portal.intake import worker
from portal.watchlist.matcher import CACHE
from portal.watchlist.models import WatchList


def _decryptions() -> int:
    return db.session.scalar(select(func.count()).where(AuditEvent.action == "watchlist.decrypted"))


def test_the_watch_list_is_decrypted_at_start_once_and_audited(
    app: Flask, watchlist_in_force: None
) -> None:
    app.extensions.pop(CACHE, None)
    in_force = db.session.scalar(select(WatchList.id).where(WatchList.replaced_at.is_(None)))

    worker.load_watch_list(app)

    assert app.extensions[CACHE].list_id == in_force
    assert _decryptions() == 1
    worker.load_watch_list(app)  # held: not decrypted again
    assert _decryptions() == 1


def test_a_worker_starts_when_the_database_does_not_answer_yet(
    app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def unreachable(_session: object) -> None:
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    app.extensions.pop(CACHE, None)
    monkeypatch.setattr(worker, "current_matcher", unreachable)
    # Alembic's logging set-up, run when the test schema is built, disables the loggers
    # that exist by then; a worker process never runs it.
    monkeypatch.setattr(worker.log, "disabled", False)
    with caplog.at_level(logging.WARNING, logger="portal.intake.worker"):
        worker.load_watch_list(app)
    assert CACHE not in app.extensions
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "watch list not loaded at start (OperationalError)" in logged
    assert "connection refused" not in logged
