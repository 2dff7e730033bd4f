"""Time waiting stays current: open cases gain a point for each full month they wait
(docs/screening.md, "Time waiting"), without being screened again."""

import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update

from portal.accounts.models import StaffUser
from portal.accounts.services import create_staff
from portal.cases.models import Case, RiskAssessment
from portal.cases.states import CaseStatus
from portal.core.actors import Role
from portal.core.db import utcnow
from portal.extensions import db
from portal.intake import reasons as R
from portal.intake.assessments import latest_assessment
from portal.intake.priority import months_waited
from portal.intake.rescoring import RescoreSchedule, rescore_time_waiting
from portal.intake.worker import run_rescoring_forever
from portal.review.services import adjust_priority
from tests.intake.conftest import distinct_case, screen

RUBRIC_BEFORE_WAITING = {
    R.RISK_PROFILE,
    R.RISK_PROFILE_MORE,
    R.WORK_EXPOSURE,
    R.WORK_YEARS,
    R.UNACCOMPANIED_MINOR,
    R.MINORS,
    R.ELDERLY,
}


def screened(submitted_days_ago: int = 0) -> uuid.UUID:
    """A case screened now, then made to have been submitted ``submitted_days_ago``."""
    case_id = screen(distinct_case(family=1)).case_id
    if submitted_days_ago:
        submitted(case_id, utcnow() - timedelta(days=submitted_days_ago))
    return case_id


def submitted(case_id: uuid.UUID, at: datetime) -> None:
    db.session.execute(update(Case).where(Case.id == case_id).values(submitted_at=at))
    db.session.commit()


def in_force(case_id: uuid.UUID) -> RiskAssessment:
    db.session.expire_all()
    assessment = latest_assessment(db.session, case_id)
    assert assessment is not None
    return assessment


def waiting(assessment: RiskAssessment) -> dict[str, Any] | None:
    return next((r for r in assessment.reasons if r["code"] == R.TIME_WAITING), None)


def score_of(case_id: uuid.UUID) -> int:
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    assert case is not None
    return case.priority_score


@pytest.mark.parametrize(("days", "months", "points"), [(40, 1, 1), (400, 13, 12)])
def test_a_case_that_waited_gains_its_points(
    app: Flask, days: int, months: int, points: int
) -> None:
    case_id = screened()
    before = in_force(case_id)
    assert waiting(before) is None  # screened the day it was submitted: 0 months
    base, reasons_before = before.priority_score, list(before.reasons)
    submitted(case_id, utcnow() - timedelta(days=days))

    report = rescore_time_waiting(db.session)

    assert report.updated == 1
    after = in_force(case_id)
    assert after.id == before.id  # brought up to date in place: its sealed details stay
    line = {"code": R.TIME_WAITING, "points": points, "params": {"months": months}}
    assert waiting(after) == line
    # Where the intake would have put it: after the rubric, before the screening findings.
    rubric = [r for r in reasons_before if r["code"] in RUBRIC_BEFORE_WAITING]
    assert after.reasons[: len(rubric) + 1] == [*rubric, line]
    assert [r for r in after.reasons if r != line] == reasons_before
    assert after.priority_score == base + points == score_of(case_id)


def test_running_twice_changes_nothing(app: Flask) -> None:
    case_id = screened(submitted_days_ago=70)
    assert rescore_time_waiting(db.session).updated == 1
    first = in_force(case_id)
    reasons, score = list(first.reasons), first.priority_score
    assert waiting(first) == {"code": R.TIME_WAITING, "points": 2, "params": {"months": 2}}

    assert rescore_time_waiting(db.session).updated == 0

    again = in_force(case_id)
    assert (again.reasons, again.priority_score, score_of(case_id)) == (reasons, score, score)


def test_a_staff_adjustment_is_kept(app: Flask) -> None:
    user, _password, _secret = create_staff(db.session, "worker", "Worker", (Role.CASEWORKER,))
    db.session.commit()
    user_id = user.id
    case_id = screened()
    intake = in_force(case_id)
    case = db.session.get(Case, case_id)
    adjust_priority(db.session, case, db.session.get(StaffUser, user_id), 7, "Schwangerschaft")
    db.session.commit()
    staff_line = {"code": R.STAFF_PRIORITY, "points": 7, "params": {}}
    submitted(case_id, utcnow() - timedelta(days=400))

    assert rescore_time_waiting(db.session).updated == 1

    adjusted = in_force(case_id)
    assert adjusted.id != intake.id and adjusted.actor_id == user_id
    assert adjusted.reasons[-1] == staff_line
    assert waiting(adjusted) == {"code": R.TIME_WAITING, "points": 12, "params": {"months": 13}}
    assert adjusted.priority_score == intake.priority_score + 7 + 12 == score_of(case_id)
    # The intake assessment underneath is history: left as it was.
    assert db.session.get(RiskAssessment, intake.id).reasons == intake.reasons


def test_past_the_cap_the_months_shown_stay_true_and_the_points_do_not_grow(app: Flask) -> None:
    case_id = screened(submitted_days_ago=400)
    rescore_time_waiting(db.session)
    score = score_of(case_id)

    later = utcnow() + timedelta(days=62)
    assert rescore_time_waiting(db.session, now=later).updated == 1

    line = waiting(in_force(case_id))
    assert line is not None and line["points"] == 12 and line["params"]["months"] == 15
    assert score_of(case_id) == score


def test_closed_unsubmitted_and_unscreened_cases_are_left_alone(app: Flask) -> None:
    rejected = screened(submitted_days_ago=100)
    db.session.execute(update(Case).where(Case.id == rejected).values(status=CaseStatus.REJECTED))
    draft = distinct_case()  # never submitted: no assessment
    draft_id = draft.id
    db.session.commit()
    score = score_of(rejected)

    assert rescore_time_waiting(db.session).updated == 0

    assert waiting(in_force(rejected)) is None and score_of(rejected) == score
    assert score_of(draft_id) == 0


@pytest.mark.parametrize(("batch_size", "window", "batches"), [(2, 5000, 2), (2, 1, 3), (5, 2, 2)])
def test_cases_are_rescored_in_batches(
    app: Flask, batch_size: int, window: int, batches: int
) -> None:
    cases = [screened(submitted_days_ago=35 * n) for n in (1, 2, 3)]
    closed = screened(submitted_days_ago=35)  # a window may hold closed cases too
    db.session.execute(update(Case).where(Case.id == closed).values(status=CaseStatus.WITHDRAWN))
    db.session.commit()

    report = rescore_time_waiting(db.session, batch_size=batch_size, window=window)

    assert (report.updated, report.batches) == (3, batches)
    assert [waiting(in_force(case_id))["points"] for case_id in cases] == [1, 2, 3]
    assert waiting(in_force(closed)) is None


@pytest.mark.parametrize(
    ("submitted_at", "now"),
    [
        ("2026-01-31T23:59", "2026-02-28T00:01"),  # not a month: the 31st has not come
        ("2026-01-31T23:59", "2026-03-01T00:01"),
        ("2024-01-31T10:00", "2024-02-29T10:00"),  # leap year
        ("2025-12-15T23:30", "2026-01-15T00:30"),  # the same day counts, whatever the hour
        ("2025-12-16T00:30", "2026-01-15T23:30"),
        ("2023-03-01T00:00", "2026-02-28T23:59"),
        ("2026-02-01T00:00", "2026-02-01T00:00"),
    ],
)
def test_the_database_counts_months_as_the_rubric_does(
    app: Flask, submitted_at: str, now: str
) -> None:
    """The SQL month count picks the cases; the rubric's count writes them. Were they to
    disagree, a case would be rewritten on every run: the second run tells."""
    case_id = screened()
    start, at = (datetime.fromisoformat(t).replace(tzinfo=UTC) for t in (submitted_at, now))
    submitted(case_id, start)

    rescore_time_waiting(db.session, now=at)

    months = months_waited(start, at)
    line = waiting(in_force(case_id))
    assert (line["params"]["months"] if line else 0) == months
    assert rescore_time_waiting(db.session, now=at).updated == 0


def test_the_queue_command_rescores(app: Flask) -> None:
    case_id = screened(submitted_days_ago=40)
    result = app.test_cli_runner().invoke(args=["queue", "rescore"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "rescored 1 cases in 1 batches"
    assert waiting(in_force(case_id))["points"] == 1


def test_the_worker_rescores_once_a_day(app: Flask) -> None:
    case_id = screened(submitted_days_ago=40)
    stop = threading.Event()
    stop.set()  # one check, then stop
    run_rescoring_forever(app, stop)
    assert waiting(in_force(case_id))["points"] == 1

    # Noon, so that an hour later is the same UTC day whenever the test runs.
    schedule, today = RescoreSchedule(), utcnow().replace(hour=12, minute=0, second=0)
    assert schedule.run(db.session, today) is not None
    submitted(case_id, utcnow() - timedelta(days=70))
    assert schedule.run(db.session, today + timedelta(hours=1)) is None  # same day: no query
    report = schedule.run(db.session, today + timedelta(days=1))
    assert report is not None and report.updated == 1
