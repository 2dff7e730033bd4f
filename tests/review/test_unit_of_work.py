"""One unit of work per request: a staff action that fails half-way leaves nothing of
itself behind, and a refused one changes nothing."""

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal.cases.models import Case, Decision, Message, Note, RiskAssessment
from portal.cases.states import CaseStatus, ScreeningStatus
from portal.core.actors import Role
from portal.core.audit import AuditEvent
from portal.extensions import db
from portal.review import services
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
