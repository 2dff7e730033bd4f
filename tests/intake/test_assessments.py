"""Staff change the threat level, the screening status and the priority, with a reason."""

import uuid

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import select

from portal.accounts.models import StaffUser
from portal.accounts.services import create_staff
from portal.cases.models import Case, RiskAssessment
from portal.cases.states import ActorKind, ScreeningStatus, ThreatLevel
from portal.core.actors import Role
from portal.core.audit import AuditEvent
from portal.core.refusal import ActionRefused
from portal.extensions import db
from portal.intake import reasons as R
from portal.intake.assessments import latest_assessment
from portal.review.services import adjust_priority, set_screening_status, set_threat_level
from tests.intake.conftest import distinct_case, screen

# Screened against a list, as in production, so that the factory's case comes out clear.
pytestmark = pytest.mark.usefixtures("watchlist_in_force")


def staff(*roles: Role, name: str = "officer"):
    user, _password, _secret = create_staff(db.session, name, name.title(), roles)
    db.session.commit()
    return user.id


def actor(user_id: uuid.UUID) -> StaffUser:
    user = db.session.get(StaffUser, user_id)
    assert user is not None
    return user


def screened() -> Case:
    case_id = screen(distinct_case(family=0)).case_id
    case = db.session.get(Case, case_id)
    assert case is not None
    return case


def test_a_caseworker_raises_the_threat_level_with_a_reason(app: Flask, staff_reader) -> None:
    worker = staff(Role.CASEWORKER)
    case = screened()
    intake = latest_assessment(db.session, case.id)
    assert intake is not None and case.threat_level == ThreatLevel.CRITICAL

    set_threat_level(db.session, case, actor(worker), ThreatLevel.HIGH, "Arbeitgeber: nur 2 Jahre")

    db.session.expire_all()
    newest = latest_assessment(db.session, case.id)
    assert newest is not None and newest.id != intake.id
    assert (newest.source, newest.actor_id, newest.threat_level) == (
        ActorKind.STAFF,
        worker,
        ThreatLevel.HIGH,
    )
    assert db.session.get(Case, case.id).threat_level == ThreatLevel.HIGH
    # The rubric stays visible next to the change, and the points still add up.
    assert newest.reasons[:-1] == intake.reasons
    assert newest.reasons[-1] == {
        "code": R.STAFF_THREAT_LEVEL,
        "points": 0,
        "params": {"old": "critical", "new": "high"},
    }
    assert newest.priority_score == intake.priority_score
    # Why: sealed with the staff key, never in the clear columns or the audit trail.
    assert b"Arbeitgeber" not in (newest.details_ct or b"")
    assert staff_reader(newest)["staff_reasons"][0]["text"] == "Arbeitgeber: nur 2 Jahre"
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case.threat_level_set")
    ).one()
    assert (event.actor_id, event.case_id, event.details) == (
        worker,
        case.id,
        {"old": "critical", "new": "high"},
    )
    assert db.session.query(RiskAssessment).count() == 2


def test_only_security_officers_set_the_screening_status(app: Flask) -> None:
    worker = staff(Role.CASEWORKER, name="worker")
    officer = staff(Role.SECURITY_OFFICER)
    case = screened()
    with pytest.raises(ActionRefused):
        set_screening_status(db.session, case, actor(worker), ScreeningStatus.CONCERN, "unsure")
    set_screening_status(db.session, case, actor(officer), ScreeningStatus.CONCERN, "Quelle X")
    assert db.session.get(Case, case.id).screening_status == ScreeningStatus.CONCERN


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (ScreeningStatus.FAILED, "because"),  # system states are not for staff
        (ScreeningStatus.PENDING, "because"),
        (ScreeningStatus.CLEAR, "already clear"),
        (ScreeningStatus.HIT, "   "),  # a reason is required
        (ScreeningStatus.HIT, "x" * 2001),
    ],
)
def test_refused_screening_changes(app: Flask, status: ScreeningStatus, reason: str) -> None:
    officer = staff(Role.SECURITY_OFFICER)
    case = screened()
    assert case.screening_status == ScreeningStatus.CLEAR
    with pytest.raises(ActionRefused):
        set_screening_status(db.session, case, actor(officer), status, reason)
    db.session.rollback()
    assert db.session.query(RiskAssessment).count() == 1


def test_an_inactive_actor_or_one_without_the_permission_is_refused(app: Flask) -> None:
    officer = staff(Role.SECURITY_OFFICER)
    administrator = staff(Role.ADMIN, name="admin")  # GRANTS give admins no case work
    case = screened()
    actor(officer).active = False
    db.session.commit()
    for user_id in (officer, administrator):
        with pytest.raises(ActionRefused):
            set_threat_level(db.session, case, actor(user_id), ThreatLevel.LOW, "r")
    assert db.session.query(RiskAssessment).count() == 1


def test_priority_adjustments_are_one_more_line_of_the_rubric(app: Flask) -> None:
    decider = staff(Role.DECIDER)
    case = screened()
    before = case.priority_score
    adjust_priority(db.session, case, actor(decider), 12, "Schwere Erkrankung")
    adjust_priority(db.session, case, actor(decider), -2, "Korrektur")
    newest = latest_assessment(db.session, case.id)
    assert newest is not None
    assert [r["points"] for r in newest.reasons if r["code"] == R.STAFF_PRIORITY] == [12, -2]
    assert newest.priority_score == before + 10 == sum(r["points"] for r in newest.reasons)
    assert db.session.get(Case, case.id).priority_score == before + 10
    with pytest.raises(ActionRefused):
        adjust_priority(db.session, case, actor(decider), 0, "nothing")


def test_a_refusal_is_explained_in_the_staff_language(app: Flask) -> None:
    officer = staff(Role.SECURITY_OFFICER)
    case = screened()
    with pytest.raises(ActionRefused) as refused:
        set_screening_status(db.session, case, actor(officer), ScreeningStatus.CLEAR, "r")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert str(refused.value) == "The screening status is already clear."
    with app.test_request_context(), force_locale("de"):
        with pytest.raises(ActionRefused) as refused:
            set_screening_status(db.session, case, actor(officer), ScreeningStatus.CLEAR, "r")
        # The level is named in German too, not as the stored value.
        assert str(refused.value) == "Der Status der Sicherheitsprüfung ist bereits unauffällig."
