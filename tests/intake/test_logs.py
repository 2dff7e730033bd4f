"""The worker and the web processes log ids, statuses and codes: nothing an applicant or
a listed person wrote, nor a reference or an access code."""

import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.accounts.services import create_staff
from portal.apply.services import submit_case
from portal.cases.models import Case, Decision
from portal.cases.states import CaseStatus, Programme
from portal.core.actors import Role
from portal.extensions import db
from portal.intake import tasks
from portal.intake.failures import retry_job
from portal.intake.outbox import relay
from portal.intake.queue import INTAKE_JOB, job_id
from portal.intake.worker import make_worker
from tests.apply.journey import Applicant, png
from tests.conftest import AppFactory
from tests.factories import PRINCIPAL, make_case, put_watchlist_in_force
from tests.intake.conftest import import_watchlist
from tests.review.conftest import PASSWORD, Clock, csrf, sign_in

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


# What the applicant of tests.apply.journey types, and the staff write about the case.
TYPED = [
    "Zarmina",
    "Ahmadzai",
    "زرمینه",
    "احمدزی",
    "فرشته",
    "Mazar-i-Sharif",
    "Kabul",
    "70 123 4567",
    "P0177",
    "P017733",
    "1400-0101-12345",
    "Camp Marmal",
    "Sprachmittler",
    "passfoto",
    "Arbeitsvertrag",
    "Vertrag anbei",
    "Gefährdung belegt",
]


def _staff(app: Flask, clock: Clock, name: str, role: Role) -> tuple[FlaskClient, uuid.UUID]:
    with app.app_context():
        user, _password, secret = create_staff(
            db.session, name, name.title(), [role], password=PASSWORD
        )
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
    client = app.test_client()
    assert sign_in(client, user, secret, clock).status_code == 302
    return client, user.id


def _post(client: FlaskClient, path: str, **data: str) -> int:
    token = csrf(client.get("/staff/").get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token}).status_code


def test_an_application_and_its_review_log_no_personal_data(
    make_app: AppFactory,
    caplog: pytest.LogCaptureFixture,
    every_logger: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    app = make_app(PORTAL_LOG_FORMAT="json")
    with app.app_context():  # so that a case nothing speaks against is screened clear
        put_watchlist_in_force(db.session)
    applicant = Applicant(app.test_client())
    applicant.start()
    applicant.fill_principal()
    applicant.add_job()
    applicant.add_member("spouse", "فرشته", "1990")
    assert applicant.upload(png(), "passfoto.jpg").status_code == 302
    applicant.declare()
    applicant.sign_out()
    assert applicant.sign_in(applicant.reference, "WRONG-CODE-0000").status_code == 400
    assert applicant.sign_in(applicant.reference, applicant.access_code).status_code == 302
    assert applicant.submit().status_code == 302
    with app.app_context():
        make_worker(app).work(burst=True)
        case_id = db.session.scalars(select(Case.id)).one()

    clock = Clock(monkeypatch)
    worker, worker_id = _staff(app, clock, "amira", Role.CASEWORKER)
    decider, _decider_id = _staff(app, clock, "bernd", Role.DECIDER)
    path = f"/staff/cases/{case_id}"
    assert "Zarmina" in worker.get(path).get_data(as_text=True)
    assert _post(worker, path + "/assign", assignee=str(worker_id)) == 302
    assert _post(worker, path + "/questions", question="Bitte den Arbeitsvertrag.") == 302
    applicant.post("/case/messages", {"body": "Vertrag anbei."})
    worker.get(path)
    assert _post(worker, path + "/decision", outcome="admit", reasons="Gefährdung belegt.") == 302
    with app.app_context():
        decision_id = db.session.scalars(select(Decision.id)).one()
    assert _post(decider, f"{path}/decision/{decision_id}/confirm") == 302
    with app.app_context():
        assert db.session.get(Case, case_id).status == CaseStatus.ADMITTED  # type: ignore[union-attr]

    logged = "\n".join(
        f"{record.getMessage()} {record.exc_text or ''} {record.args!r}"
        for record in caplog.records
    )
    # The run really logged: every request's line, the job.
    assert "POST apply.submit_application 302" in logged
    assert "POST review.confirm_decision 302" in logged
    assert "intake" in logged
    secrets = [applicant.reference, applicant.access_code, "WRONG-CODE", *TYPED]
    assert [value for value in secrets if value in logged] == []
