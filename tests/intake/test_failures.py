"""Intake that keeps failing: the case shows "screening failed", is listed, and retried."""

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from portal.apply.services import submit_case
from portal.cases.models import Case
from portal.cases.states import CaseStatus, ScreeningStatus
from portal.core.audit import AuditEvent
from portal.core.db import utcnow
from portal.extensions import db
from portal.intake import tasks
from portal.intake.failures import GAVE_UP, WILL_RETRY, list_failed_jobs
from portal.intake.models import OutboxEntry
from portal.intake.outbox import relay
from portal.intake.queue import INTAKE_JOB, fetch
from portal.intake.worker import make_worker
from tests.conftest import AppFactory
from tests.factories import PRINCIPAL, put_watchlist_in_force
from tests.intake.conftest import distinct_case

SECRET = PRINCIPAL["given_names_latin"]


def _explode(*_args: object, **_kwargs: object) -> None:
    # A message with personal data, as a careless error might carry.
    raise RuntimeError(f"could not screen {SECRET}")


def _case(case_id) -> Case:
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    assert case is not None
    return case


@pytest.fixture
def one_attempt(make_app: AppFactory):
    app = make_app(PORTAL_MAX_JOB_ATTEMPTS=1)
    with app.app_context():
        yield app


def _submit_failing(app: Flask, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(tasks, "screen_cases", _explode)
    case = distinct_case()
    submit_case(db.session, case)
    db.session.commit()
    case_id = case.id
    make_worker(app).work(burst=True)  # the job and RQ's two immediate retries fail
    return case_id


def test_a_job_that_keeps_failing_marks_the_case_screening_failed(
    one_attempt: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = _submit_failing(one_attempt, monkeypatch)
    case = _case(case_id)
    # The job commits once, at the end: a failed one leaves the case as it was submitted.
    assert case.status == CaseStatus.SUBMITTED and case.screening_status == ScreeningStatus.PENDING

    report = relay(db.session)
    assert report.failed == 1
    case = _case(case_id)
    assert case.status == CaseStatus.SUBMITTED  # still where staff can find it
    assert case.screening_status == ScreeningStatus.FAILED
    entry = db.session.scalars(select(OutboxEntry)).one()
    assert entry.failed_at is not None and entry.last_error == "RuntimeError"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "intake.failed")).one()
    assert event.case_id == case_id and event.details == {"attempts": "1", "error": "RuntimeError"}
    assert relay(db.session).failed == 0  # given up once, not again and again

    (failed,) = list_failed_jobs(db.session, max_attempts=1)
    assert (failed.case_id, failed.state, failed.last_error) == (case_id, GAVE_UP, "RuntimeError")


def test_what_rq_keeps_of_a_failure_carries_no_personal_data(
    one_attempt: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = _submit_failing(one_attempt, monkeypatch)
    job = fetch(INTAKE_JOB, case_id)
    assert job is not None and job.is_failed
    stored = job.latest_result()
    assert stored is not None and "IntakeFailedError: RuntimeError" in (stored.exc_string or "")
    assert SECRET not in (stored.exc_string or "")


def test_failed_work_is_listed_and_retried_from_the_command_line(
    one_attempt: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    put_watchlist_in_force(db.session)
    case_id = _submit_failing(one_attempt, monkeypatch)
    relay(db.session)
    runner = one_attempt.test_cli_runner()
    listed = runner.invoke(args=["queue", "failed"])
    assert listed.exit_code == 0
    assert f"{case_id}" in listed.output and "gave_up" in listed.output
    assert "error=RuntimeError" in listed.output and "1 failed" in listed.output

    monkeypatch.undo()  # whatever broke is fixed
    retried = runner.invoke(args=["queue", "retry", str(case_id)])
    assert retried.exit_code == 0 and "enqueued" in retried.output
    assert _case(case_id).screening_status == ScreeningStatus.PENDING
    make_worker(one_attempt).work(burst=True)

    case = _case(case_id)
    assert case.status == CaseStatus.IN_REVIEW
    assert case.screening_status == ScreeningStatus.CLEAR
    assert list_failed_jobs(db.session, max_attempts=1) == []
    assert "0 failed" in runner.invoke(args=["queue", "failed"]).output
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case_id))
    assert "intake.retried" in set(actions)


def test_a_case_without_open_intake_cannot_be_retried(app: Flask) -> None:
    from tests.intake.conftest import screen

    case_id = screen(distinct_case()).case_id
    result = app.test_cli_runner().invoke(args=["queue", "retry", str(case_id)])
    assert result.exit_code != 0 and "no intake to retry" in result.output


def test_a_failure_with_attempts_left_is_listed_as_waiting_for_the_relay(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = _submit_failing(app, monkeypatch)
    assert relay(db.session).failed == 0  # attempts are left
    (failed,) = list_failed_jobs(db.session, max_attempts=app.config["PORTAL_MAX_JOB_ATTEMPTS"])
    assert (failed.case_id, failed.state) == (case_id, WILL_RETRY)
    # After the pause the relay tries again; fixed by then, the case is screened.
    monkeypatch.undo()
    later = utcnow() + timedelta(seconds=app.config["PORTAL_RELAY_STALE_SECONDS"] + 1)
    assert relay(db.session, now=later).requeued == 1
    make_worker(app).work(burst=True)
    assert _case(case_id).status == CaseStatus.IN_REVIEW
