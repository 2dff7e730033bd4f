"""The worker logs ids, statuses and codes: nothing an applicant or a listed person wrote."""

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from portal.apply.services import submit_case
from portal.cases.states import Programme
from portal.extensions import db
from portal.intake import tasks
from portal.intake.failures import retry_job
from portal.intake.outbox import relay
from portal.intake.queue import INTAKE_JOB, job_id
from portal.intake.worker import make_worker
from tests.conftest import AppFactory
from tests.factories import PRINCIPAL, make_case
from tests.intake.conftest import import_watchlist

WATCHLIST = """name,aliases,date_of_birth,reference
Zarminagul Ahmadzai,زرمینه‌گل احمدزی,1987,UN-SECRET-REF-77
Qasim Haqqani-Xw,,1970,BKA-HIDDEN-9
"""
DISTINCTIVE = [
    *PRINCIPAL.values(),
    "Zarminagul",
    "Ahmadzai",
    "فرزانه",
    "Farzana",
    "TZ-44",
    "70 123 4567",
    "zarmina.hidden@example.org",
    "Drohbrief",
    "Schwarzer Adler",
    "Camp Marmal",
    "Kesselring",
    "BW-99871",
    "UN-SECRET-REF",
    "BKA-HIDDEN",
    "Haqqani-Xw",
]


def _boom(*_args: object, **_kwargs: object) -> None:
    raise ValueError(
        f"bad data for {PRINCIPAL['given_names_latin']} {PRINCIPAL['document_number']}"
    )


@pytest.fixture
def every_logger() -> Iterator[None]:
    """Alembic's fileConfig (run when the test schema is built) disables the loggers that
    existed then; a worker process never runs it, so wake them all for this test."""
    loggers = [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and logger.disabled
    ]
    for logger in loggers:
        logger.disabled = False
    yield
    for logger in loggers:
        logger.disabled = True


def test_a_full_run_logs_no_personal_data(
    make_app: AppFactory, tmp_path: Path, caplog: pytest.LogCaptureFixture, every_logger: None
) -> None:
    caplog.set_level(logging.DEBUG)
    app: Flask = make_app(PORTAL_MAX_JOB_ATTEMPTS=1)
    with app.app_context():
        import_watchlist(app, WATCHLIST, tmp_path)
        down = make_app(REDIS_URL="redis://127.0.0.1:1/0")
        with down.app_context():  # submitted while Redis is down
            case, _code = make_case(db.session)
            submit_case(db.session, case)
            db.session.commit()
        relay(db.session)
        for programme in Programme:
            case, _code = make_case(db.session, programme=programme, family=3)
            submit_case(db.session, case)
            db.session.commit()
        make_worker(app).work(burst=True)

        with pytest.MonkeyPatch.context() as patch:  # a case whose screening fails
            patch.setattr(tasks, "screen_cases", _boom)
            failing, _code = make_case(db.session)
            submit_case(db.session, failing)
            db.session.commit()
            failing_id = failing.id
            make_worker(app).work(burst=True)
            relay(db.session)
        retry_job(db.session, failing_id)
        db.session.commit()
        make_worker(app).work(burst=True)

    logged = "\n".join(
        f"{record.getMessage()} {record.exc_text or ''} {record.args!r}"
        for record in caplog.records
    )
    # The run really logged: jobs, results, the failure and the relay's giving up.
    assert job_id(INTAKE_JOB, failing_id) in logged and "in review, screening hit" in logged
    assert "failed: ValueError" in logged and "given up after 1 attempts" in logged
    found = [value for value in DISTINCTIVE if value in logged]
    assert found == []
