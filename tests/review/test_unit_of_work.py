"""One unit of work per request: a staff action that fails half-way leaves nothing of
itself behind, and a refused one changes nothing."""

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from portal.cases.models import Case, Decision, Message, Note, RiskAssessment
from portal.cases.states import CaseStatus, ScreeningStatus
from portal.core.actors import Role
from portal.core.audit import AuditEvent
from portal.extensions import db
from portal.review import services
from tests.apply.journey import Applicant
from tests.review.conftest import csrf, update_case


class Crash(Exception):
    """A fault in the last step of an action (the database, the process, a bug)."""


def _crash(*_args: Any, **_kwargs: Any) -> None:
    raise Crash


def _counts(app: Flask, case: Case) -> dict[str, Any]:
    with app.app_context():
        rows = {
            model.__name__: db.session.scalar(
                select(func.count()).select_from(model).where(model.case_id == case.id)
            )
            for model in (Note, Message, Decision, RiskAssessment, AuditEvent)
        }
        stored = db.session.get(Case, case.id)
        assert stored is not None
        return {**rows, "status": stored.status, "threat": stored.threat_level}


# Each action's first half runs, then its last step fails.
HALF_WAY = [
    ("reopen", CaseStatus.REJECTED, "transition", {"reason": "Neue Beweise"}),
    ("questions", CaseStatus.IN_REVIEW, "transition", {"question": "Ihr Vertrag?"}),
    ("decision", CaseStatus.IN_REVIEW, "transition", {"outcome": "admit", "reasons": "Belegt"}),
    ("threat", CaseStatus.IN_REVIEW, "record_event", {"level": "low", "reason": "Geprüft"}),
]


@pytest.mark.parametrize(("action", "status", "failing_step", "form"), HALF_WAY)
def test_a_failure_half_way_through_an_action_leaves_nothing_behind(
    staff_app: Flask,
    signed_in: Callable[..., Any],
    submitted_case: Callable[..., Case],
    monkeypatch: pytest.MonkeyPatch,
    action: str,
    status: CaseStatus,
    failing_step: str,
    form: dict[str, str],
) -> None:
    case = submitted_case()
    # Cleared, so that a proposal to admit gets as far as its last step.
    update_case(staff_app, case, status=status, screening_status=ScreeningStatus.CLEAR)
    decider = signed_in("bernd", Role.DECIDER)
    path = f"/staff/cases/{case.id}"
    token = csrf(decider.get(path).get_data(as_text=True))
    before = _counts(staff_app, case)

    monkeypatch.setattr(services, failing_step, _crash)
    with pytest.raises(Crash):  # the app's error page in production; raised under test
        decider.post(f"{path}/{action}", data={**form, "csrf_token": token})

    assert _counts(staff_app, case) == before


def test_a_refused_action_changes_nothing(
    staff_app: Flask, signed_in: Callable[..., Any], submitted_case: Callable[..., Case]
) -> None:
    case = submitted_case()
    update_case(staff_app, case, status=CaseStatus.IN_REVIEW)
    worker = signed_in("amira", Role.CASEWORKER)
    path = f"/staff/cases/{case.id}"
    token = csrf(worker.get(path).get_data(as_text=True))
    before = _counts(staff_app, case)

    # Reopening is a decider's; the rule refuses it as it refuses a wrong state.
    response = worker.post(f"{path}/reopen", data={"reason": "x", "csrf_token": token})
    assert response.status_code == 403
    response = worker.post(
        f"{path}/threat", data={"level": before["threat"], "reason": "x", "csrf_token": token}
    )
    assert response.status_code == 302
    page = worker.get(path).get_data(as_text=True)
    assert "The threat level is already" in page

    after = _counts(staff_app, case)
    viewed = after.pop("AuditEvent") - before.pop("AuditEvent")
    assert after == before
    # Only the page shown again was recorded: its opening and the key it unwrapped.
    with staff_app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.case_id == case.id)
            .order_by(AuditEvent.id.desc())
            .limit(viewed)
        ).all()
    assert set(actions) <= {"case.viewed", "case.decrypted"}


class _ChangedMeanwhile:
    """The case changed by another request between this request's reading it and its
    writing it (a second press of a button, a colleague's action): its row version moves
    on just before the request's first flush, as the other request's commit would move
    it; with ``at_commit``, before the first flush of the request's commit."""

    def __init__(self, case_id: Any, *, at_commit: bool = False) -> None:
        self.case_id, self.at_commit = case_id, at_commit
        self.committing = self.done = False

    def __enter__(self) -> "_ChangedMeanwhile":
        event.listen(Session, "before_commit", self._commit_begins)
        event.listen(Session, "before_flush", self._flush_begins)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(Session, "before_commit", self._commit_begins)
        event.remove(Session, "before_flush", self._flush_begins)

    def _commit_begins(self, _session: Session) -> None:
        self.committing = True

    def _flush_begins(self, session: Session, *_args: Any) -> None:
        if self.done or (self.at_commit and not self.committing):
            return
        self.done = True
        session.connection().execute(
            update(Case).where(Case.id == self.case_id).values(row_version=Case.row_version + 1)
        )


def test_a_change_made_meanwhile_is_a_conflict_page_and_nothing_of_the_action_is_kept(
    staff_app: Flask,
    signed_in: Callable[..., Any],
    submitted_case: Callable[..., Case],
) -> None:
    """Found when the action's service flushes (the app's error handler answers): a 409
    page in the person's language, never a server error, and none of the action kept."""
    case = submitted_case()
    update_case(staff_app, case, status=CaseStatus.IN_REVIEW)
    decider = signed_in("bernd", Role.DECIDER)
    decider.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de"
    path = f"/staff/cases/{case.id}"
    token = csrf(decider.get(path).get_data(as_text=True))
    before = _counts(staff_app, case)

    level = "low" if case.threat_level != "low" else "high"  # a change, not a refusal
    with _ChangedMeanwhile(case.id) as changed:
        response = decider.post(
            f"{path}/threat", data={"level": level, "reason": "Drohbrief", "csrf_token": token}
        )

    assert changed.done and response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Jemand hat diesen Vorgang im selben Moment geändert." in page
    assert response.headers["Cache-Control"] == "no-store"  # an error page as any other
    after = _counts(staff_app, case)
    assert after.pop("AuditEvent") >= before.pop("AuditEvent")  # the page views, no action
    assert after == before


def test_an_answer_whose_case_changed_meanwhile_is_a_conflict_page_with_the_way_back(
    staff_app: Flask,
) -> None:
    """Found at the request's commit (the unit of work answers): an applicant's answer
    flushes there. The page speaks the applicant's language and leads back to the form."""
    applicant = Applicant(staff_app.test_client())
    applicant.start()
    applicant.fill_principal()
    applicant.add_job()
    applicant.declare()
    applicant.post("/language", {"language": "fa_AF"}, from_page="/")
    with staff_app.app_context():
        case_id = db.session.scalars(select(Case.id)).one()
        db.session.remove()

    # As a browser sends the button of the check page (Referrer-Policy: same-origin).
    applicant.client.environ_base["HTTP_REFERER"] = "http://localhost/application/check"
    with _ChangedMeanwhile(case_id, at_commit=True) as changed:  # its only flush
        response = applicant.submit()

    assert changed.done and response.status_code == 409
    page = response.get_data(as_text=True)
    assert "این در همان لحظه" in page and '<a href="/application/check">' in page
    assert response.headers["Cache-Control"] == "no-store"
    with staff_app.app_context():
        assert db.session.get(Case, case_id).status == CaseStatus.DRAFT  # nothing kept
