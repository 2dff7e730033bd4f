"""Deadlines on information requests: set when staff ask, shown to the applicant in their
language and calendar, cleared when they answer; a reminder with a new deadline once a
request is overdue; and the queue's overdue filter."""

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import jdatetime
import pytest
from babel.dates import format_date
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from werkzeug.datastructures import MultiDict

from portal.cases.deadlines import answer_due
from portal.cases.models import Case, Message
from portal.cases.states import CaseStatus, MessageDirection
from portal.core.actors import Role
from portal.core.audit import AuditEvent
from portal.core.db import utcnow
from portal.extensions import db
from portal.review import services
from portal.review.counts import facet_counts
from portal.review.queue import Filters
from tests.apply.journey import Applicant
from tests.factories import make_case
from tests.review.conftest import csrf, through_intake, update_case

QUESTION = "Bitte senden Sie eine Kopie Ihres Arbeitsvertrags."
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
LISTED = '<a href="/staff/cases/'


def _today() -> date:
    return utcnow().date()


def _stored(app: Flask, case: Case) -> tuple[Case, list[Message]]:
    with app.app_context():
        stored = db.session.get(Case, case.id)
        messages = list(
            db.session.scalars(
                select(Message).where(Message.case_id == case.id).order_by(Message.created_at)
            )
        )
        db.session.expunge_all()
    assert stored is not None
    return stored, messages


def _post(client: FlaskClient, case: Case, action: str, **data: str) -> Any:
    token = csrf(client.get(f"/staff/cases/{case.id}").get_data(as_text=True))
    return client.post(f"/staff/cases/{case.id}/{action}", data={**data, "csrf_token": token})


@pytest.fixture
def applicant_case(staff_app: Flask) -> Callable[..., tuple[Case, Applicant]]:
    """A case through intake, in review, and its applicant signed in in ``language``."""

    def factory(language: str = "fa_AF") -> tuple[Case, Applicant]:
        with staff_app.app_context():
            case, code = make_case(db.session, language=language)
            reference = case.reference
            case = through_intake(case)
        applicant = Applicant(staff_app.test_client())
        assert applicant.post("/language", {"language": language}, from_page="/").status_code
        assert applicant.sign_in(reference, code).status_code == 302
        return case, applicant

    return factory


def _deadline_shown(html: str) -> str:
    """The deadline as the applicant reads it, inside its isolating <bdi>."""
    match = re.search(r'<p class="deadline"><strong>(.*?)</strong></p>', html)
    assert match, "no deadline on the page"
    return match.group(1)


def _day_in(text: str) -> str:
    match = re.search(r"<bdi>(.*?)</bdi>", text)
    assert match, text
    return match.group(1)


def test_a_question_carries_a_deadline_the_applicant_reads_in_their_calendar(
    staff_app: Flask, signed_in, applicant_case
) -> None:
    case, applicant = applicant_case("fa_AF")
    worker = signed_in("amira", Role.CASEWORKER)
    # The form offers the default, 14 days.
    page = worker.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="days"[^>]*value="14"', page), "no deadline in the form"
    assert _post(worker, case, "questions", question=QUESTION, days="14").status_code == 302

    due_day = _today() + timedelta(days=14)
    stored, messages = _stored(staff_app, case)
    assert stored.status == CaseStatus.INFO_REQUESTED
    assert stored.answer_due_at is not None and stored.answer_due_at.date() == due_day
    assert messages[-1].due_at == stored.answer_due_at
    assert f"answer by {due_day.isoformat()}" in worker.get(f"/staff/cases/{case.id}").get_data(
        as_text=True
    )

    # In Dari: the Solar Hijri day, in Persian digits, in a right-to-left page.
    solar = jdatetime.date.fromgregorian(date=due_day)
    expected = f"{solar.year:04d}/{solar.month:02d}/{solar.day:02d}".translate(PERSIAN_DIGITS)
    for path in ("/case/messages", "/case"):
        html = applicant.get(path).get_data(as_text=True)
        assert 'dir="rtl"' in html
        shown = _deadline_shown(html)
        assert shown.startswith("لطفاً تا"), shown
        day = _day_in(shown)
        assert day == f"{expected} (هجری شمسی)", day
        assert not re.search(r"[0-9]", day)
    assert QUESTION in applicant.get("/case/messages").get_data(as_text=True)


@pytest.mark.parametrize(
    ("language", "words"), [("en", "Please answer by"), ("de", "Bitte antworten Sie bis")]
)
def test_the_deadline_is_a_gregorian_date_in_english_and_german(
    staff_app: Flask, signed_in, applicant_case, language: str, words: str
) -> None:
    case, applicant = applicant_case(language)
    worker = signed_in("amira", Role.CASEWORKER)
    _post(worker, case, "questions", question=QUESTION, days="30")
    due_day = _today() + timedelta(days=30)
    shown = _deadline_shown(applicant.get("/case/messages").get_data(as_text=True))
    assert shown.startswith(words)
    assert _day_in(shown) == format_date(due_day, "medium", locale=language)


def test_a_deadline_outside_1_to_90_days_is_refused(
    staff_app: Flask, signed_in, submitted_case
) -> None:
    case = submitted_case()
    worker = signed_in("amira", Role.CASEWORKER)
    for days in ("0", "91", "soon"):
        response = _post(worker, case, "questions", question=QUESTION, days=days)
        assert response.status_code == 302
        assert "Nothing was changed" in worker.get(response.location).get_data(as_text=True)
    stored, messages = _stored(staff_app, case)
    assert stored.status == CaseStatus.IN_REVIEW and messages == []
    # Left empty, the configured default applies.
    assert _post(worker, case, "questions", question=QUESTION, days="").status_code == 302
    stored, _messages = _stored(staff_app, case)
    assert stored.answer_due_at is not None
    assert stored.answer_due_at.date() == _today() + timedelta(days=14)


def test_the_deadline_is_cleared_when_the_applicant_answers(
    staff_app: Flask, signed_in, applicant_case
) -> None:
    case, applicant, worker = _asked(applicant_case, signed_in, "en")
    applicant.post("/case/messages", {"body": "The contract is attached."})
    stored, messages = _stored(staff_app, case)
    assert stored.status == CaseStatus.IN_REVIEW and stored.answer_due_at is None
    assert messages[0].due_at is not None  # the question keeps the deadline it was given
    assert '<p class="deadline">' not in applicant.get("/case/messages").get_data(as_text=True)
    assert '<p class="deadline">' not in applicant.get("/case").get_data(as_text=True)
    assert "The applicant is asked to answer by" not in worker.get(
        f"/staff/cases/{case.id}"
    ).get_data(as_text=True)


def test_the_deadline_is_cleared_when_the_applicant_withdraws(
    staff_app: Flask, signed_in, applicant_case
) -> None:
    case, applicant, worker = _asked(applicant_case, signed_in, "en")
    applicant.post("/case/withdraw", {})
    stored, _messages = _stored(staff_app, case)
    assert stored.status == CaseStatus.WITHDRAWN and stored.answer_due_at is None


def _asked(applicant_case, signed_in, language: str):  # type: ignore[no-untyped-def]
    """An applicant's case in ``language`` and its caseworker, who has asked a question."""
    case, applicant = applicant_case(language)
    worker = signed_in("amira", Role.CASEWORKER)
    _post(worker, case, "questions", question=QUESTION)
    return case, applicant, worker


def _overdue_question(app: Flask, case: Case, days_ago: int = 3) -> None:
    """The case's question was due ``days_ago`` days ago."""
    due = utcnow() - timedelta(days=days_ago)
    with app.app_context():
        db.session.execute(update(Message).where(Message.case_id == case.id).values(due_at=due))
        db.session.execute(update(Case).where(Case.id == case.id).values(answer_due_at=due))
        db.session.commit()


def test_an_overdue_request_is_reminded_with_a_new_deadline(
    staff_app: Flask, signed_in, applicant_case
) -> None:
    case, applicant, worker = _asked(applicant_case, signed_in, "fa_AF")
    _overdue_question(staff_app, case)
    page = worker.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert '<span class="tag overdue">overdue</span>' in page

    response = _post(worker, case, "reminder", days="7")
    assert response.status_code == 302
    due_day = _today() + timedelta(days=7)
    page = worker.get(response.location).get_data(as_text=True)
    assert f"Reminder sent. The applicant is asked to answer by {due_day.isoformat()}." in page
    assert '<span class="tag overdue">' not in page

    stored, messages = _stored(staff_app, case)
    question, reminder = messages
    assert stored.status == CaseStatus.INFO_REQUESTED
    assert stored.answer_due_at is not None and stored.answer_due_at.date() == due_day
    assert reminder.direction == MessageDirection.TO_APPLICANT
    assert reminder.is_information_request and reminder.in_reply_to_id == question.id
    assert reminder.due_at == stored.answer_due_at

    # The applicant reads the reminder in their language, with the new deadline under it.
    html = applicant.get("/case/messages").get_data(as_text=True)
    assert "این یک یادآوری است" in html and "یادآوری" in html
    solar = jdatetime.date.fromgregorian(date=due_day)
    assert f"{solar.year:04d}/{solar.month:02d}/{solar.day:02d}".translate(PERSIAN_DIGITS) in (
        _day_in(_deadline_shown(html))
    )
    assert html.count('<p class="deadline">') == 1  # the reminder's, not the old question's

    # Audited by who and which message, never by its words.
    with staff_app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "case.reminded")
        ).one()
        assert event.case_id == case.id and event.actor_id == worker.user.id
        details = str(event.details)
        assert str(reminder.id) in details and due_day.isoformat() in details
        assert "یادآوری" not in details and "reminder" not in details.lower()


class Crash(Exception):
    """A fault in the reminder's last step."""


def test_a_reminder_that_fails_half_way_leaves_nothing_behind(
    staff_app: Flask, signed_in, applicant_case, monkeypatch: pytest.MonkeyPatch
) -> None:
    case, _applicant, worker = _asked(applicant_case, signed_in, "en")
    _overdue_question(staff_app, case)
    before = _stored(staff_app, case)
    token = csrf(worker.get(f"/staff/cases/{case.id}").get_data(as_text=True))

    def crash(*_args: Any, **_kwargs: Any) -> None:
        raise Crash

    monkeypatch.setattr(services, "record_event", crash)
    with pytest.raises(Crash):
        worker.post(f"/staff/cases/{case.id}/reminder", data={"days": "7", "csrf_token": token})
    after = _stored(staff_app, case)
    assert after[0].answer_due_at == before[0].answer_due_at
    assert [m.id for m in after[1]] == [m.id for m in before[1]]


def test_a_reminder_is_refused_without_an_open_request(
    staff_app: Flask, signed_in, submitted_case
) -> None:
    case = submitted_case()  # in review: nothing asked
    worker = signed_in("amira", Role.CASEWORKER)
    response = _post(worker, case, "reminder", days="7")
    page = worker.get(response.location).get_data(as_text=True)
    assert "There is no open question to remind the applicant of." in page
    stored, messages = _stored(staff_app, case)
    assert messages == [] and stored.answer_due_at is None
    with staff_app.app_context():
        assert not db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "case.reminded")
        ).all()


def test_a_reminder_needs_the_form_token_and_the_permission(
    staff_app: Flask, signed_in, applicant_case
) -> None:
    case, _applicant, worker = _asked(applicant_case, signed_in, "en")
    _overdue_question(staff_app, case)
    before = _stored(staff_app, case)

    assert worker.post(f"/staff/cases/{case.id}/reminder", data={"days": "7"}).status_code == 400
    officer = signed_in("sami", Role.SECURITY_OFFICER)  # sees the case, may not ask
    token = csrf(officer.get(f"/staff/cases/{case.id}").get_data(as_text=True))
    response = officer.post(
        f"/staff/cases/{case.id}/reminder", data={"days": "7", "csrf_token": token}
    )
    assert response.status_code == 403
    after = _stored(staff_app, case)
    assert after[0].answer_due_at == before[0].answer_due_at
    assert len(after[1]) == len(before[1])


def _at(days_ago: int) -> datetime:
    return datetime.now(UTC) - timedelta(days=days_ago)


def test_overdue_cases_are_those_past_their_deadline_or_the_service_level(
    staff_app: Flask, signed_in, submitted_case
) -> None:
    s = CaseStatus
    plan = {  # name: (status, in this stage since, answer due), and whether it is overdue
        "answer overdue": (s.INFO_REQUESTED, _at(20), _at(1), True),
        "answer due later": (s.INFO_REQUESTED, _at(5), _at(-5), False),
        # Due today: read from the cases, not from the tally of the days before today.
        "answer due a moment ago": (s.INFO_REQUESTED, _at(14), _at(0) - timedelta(seconds=1), True),
        "answer due tonight": (s.INFO_REQUESTED, _at(14), answer_due(0, _at(0)), False),
        # Waiting for the applicant, long but within the deadline (a reminder gave a new one).
        "old question, reminded": (s.INFO_REQUESTED, _at(45), _at(-5), False),
        # Asked before deadlines existed: the service level applies.
        "old question, no deadline": (s.INFO_REQUESTED, _at(45), None, True),
        "review past service level": (s.IN_REVIEW, _at(31), None, True),
        "review within service level": (s.IN_REVIEW, _at(29), None, False),
        "proposal past service level": (s.DECISION_PROPOSED, _at(40), None, True),
        "rejected long ago": (s.REJECTED, _at(100), None, False),
    }
    cases = {}
    for name, (status, since, due, _overdue) in plan.items():
        cases[name] = submitted_case()
        update_case(
            staff_app, cases[name], status=status, status_changed_at=since, answer_due_at=due
        )
    expected = {str(cases[name].id) for name, row in plan.items() if row[3]}

    decider = signed_in("bernd", Role.DECIDER)
    html = decider.get("/staff/?view=overdue").get_data(as_text=True)
    listed = {part.split('"')[0] for part in html.split(LISTED)[1:]}
    assert listed == expected
    assert html.count('<span class="tag overdue">') == 2  # the two past their answer deadline

    # The counts beside the filters count the same cases.
    with staff_app.app_context():
        user = decider.user
        counts = facet_counts(db.session, user, Filters.from_args(MultiDict({"view": "overdue"})))
        db.session.remove()
    assert counts["status"] == {"info_requested": 3, "in_review": 1, "decision_proposed": 1}

    # With a waiting time as well, both reasons keep only the cases that waited that long.
    html = decider.get("/staff/?view=overdue&waiting=35").get_data(as_text=True)
    listed = {part.split('"')[0] for part in html.split(LISTED)[1:]}
    long_waiting = ("old question, no deadline", "proposal past service level")
    assert listed == {str(cases[name].id) for name in long_waiting}
    with staff_app.app_context():
        args = MultiDict({"view": "overdue", "waiting": "35"})
        counts = facet_counts(db.session, decider.user, Filters.from_args(args))
        db.session.remove()
    assert counts["status"] == {"info_requested": 1, "decision_proposed": 1}

    # A shorter service level makes the case in review for 29 days overdue too.
    staff_app.config["PORTAL_REVIEW_SERVICE_DAYS"] = 20
    html = decider.get("/staff/?view=overdue").get_data(as_text=True)
    listed = {part.split('"')[0] for part in html.split(LISTED)[1:]}
    assert listed == expected | {str(cases["review within service level"].id)}
