"""No case is admitted, and no visa recorded, while its screening is anything but clear: a
security officer clears it first, with a reason. The staff seam refuses it, and so does the
database. A rejection needs no clearance."""

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from portal.cases.models import Case, Decision
from portal.cases.states import CaseStatus, DecisionState, ScreeningStatus
from portal.core.actors import Role
from portal.core.audit import AuditEvent
from portal.extensions import db
from tests.apply.journey import Applicant
from tests.factories import make_case
from tests.review.conftest import csrf, through_intake, update_case

NOT_CLEAR = [
    ScreeningStatus.HIT,
    ScreeningStatus.CONCERN,
    ScreeningStatus.FAILED,
    ScreeningStatus.PENDING,
]
MUST_CLEAR = "a security officer must clear it"


def _post(client: FlaskClient, path: str, **data: str) -> Any:
    token = csrf(client.get("/staff/").get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def _stored(app: Flask, case: Case) -> Case:
    with app.app_context():
        stored = db.session.get(Case, case.id)
        assert stored is not None
        db.session.expunge(stored)
        return stored


def _decisions(app: Flask, case: Case) -> list[DecisionState]:
    with app.app_context():
        return list(db.session.scalars(select(Decision.state).where(Decision.case_id == case.id)))


def _propose(client: FlaskClient, case: Case, outcome: str) -> str:
    path = f"/staff/cases/{case.id}"
    _post(client, path + "/decision", outcome=outcome, reasons="Gefährdung belegt.")
    return client.get(path).get_data(as_text=True)


def _settle(app: Flask, client: FlaskClient, case: Case, verb: str = "confirm") -> str:
    with app.app_context():
        decision_id = db.session.scalars(
            select(Decision.id).where(
                Decision.case_id == case.id, Decision.state == DecisionState.PROPOSED
            )
        ).one()
    path = f"/staff/cases/{case.id}"
    _post(client, f"{path}/decision/{decision_id}/{verb}")
    return client.get(path).get_data(as_text=True)


def _set_screening(client: FlaskClient, case: Case, status: str, reason: str) -> None:
    _post(client, f"/staff/cases/{case.id}/screening", status=status, reason=reason)


@pytest.mark.parametrize("screening", NOT_CLEAR)
def test_admission_cannot_be_proposed_while_the_screening_is_not_clear(
    staff_app: Flask,
    signed_in: Callable[..., FlaskClient],
    submitted_case: Callable[..., Case],
    screening: ScreeningStatus,
) -> None:
    case = submitted_case()
    update_case(staff_app, case, screening_status=screening)
    worker = signed_in("amira", Role.CASEWORKER)

    page = _propose(worker, case, "admit")

    assert MUST_CLEAR in page
    assert "Admission needs a cleared screening" in page  # said before anyone tries, too
    assert _stored(staff_app, case).status == CaseStatus.IN_REVIEW
    assert _decisions(staff_app, case) == []


def test_a_case_screened_without_a_watch_list_waits_for_a_security_officer(
    staff_app: Flask,
    signed_in: Callable[..., FlaskClient],
    submitted_case: Callable[..., Case],
) -> None:
    """No list in force is "not screened against a list", never "clear"."""
    case = submitted_case()  # no watch list was ever imported
    assert case.screening_status == ScreeningStatus.CONCERN
    worker = signed_in("amira", Role.CASEWORKER)
    page = worker.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert "Not screened against a watch list" in page

    assert MUST_CLEAR in _propose(worker, case, "admit")
    officer = signed_in("sami", Role.SECURITY_OFFICER)
    _set_screening(officer, case, "clear", "Manuell gegen die Liste vom 3. Mai geprüft.")
    assert _stored(staff_app, case).screening_status == ScreeningStatus.CLEAR

    _propose(worker, case, "admit")
    assert _stored(staff_app, case).status == CaseStatus.DECISION_PROPOSED


def test_an_admission_proposed_before_a_hit_cannot_be_confirmed_until_cleared(
    staff_app: Flask,
    signed_in: Callable[..., FlaskClient],
    submitted_case: Callable[..., Case],
    watchlist_in_force: None,
) -> None:
    case = submitted_case()
    assert case.screening_status == ScreeningStatus.CLEAR
    worker = signed_in("amira", Role.CASEWORKER)
    decider = signed_in("bernd", Role.DECIDER)
    officer = signed_in("sami", Role.SECURITY_OFFICER)
    _propose(worker, case, "admit")
    _set_screening(officer, case, "hit", "Hinweis einer Partnerbehörde.")

    page = _settle(staff_app, decider, case)

    assert MUST_CLEAR in page
    assert _stored(staff_app, case).status == CaseStatus.DECISION_PROPOSED
    assert _decisions(staff_app, case) == [DecisionState.PROPOSED]

    _set_screening(officer, case, "clear", "Hinweis betraf eine andere Person.")
    _settle(staff_app, decider, case)
    assert _stored(staff_app, case).status == CaseStatus.ADMITTED


def test_no_visa_is_recorded_while_the_screening_is_not_clear(
    staff_app: Flask,
    signed_in: Callable[..., FlaskClient],
    submitted_case: Callable[..., Case],
) -> None:
    case = submitted_case()
    update_case(staff_app, case, status=CaseStatus.ADMITTED, screening_status=ScreeningStatus.CLEAR)
    # After admission a later case turned out to share this one's document number.
    update_case(staff_app, case, screening_status=ScreeningStatus.CONCERN)
    worker = signed_in("amira", Role.CASEWORKER)

    _post(worker, f"/staff/cases/{case.id}/visa-issued")

    assert MUST_CLEAR in worker.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert _stored(staff_app, case).status == CaseStatus.ADMITTED


def test_a_rejection_needs_no_clearance(
    staff_app: Flask,
    signed_in: Callable[..., FlaskClient],
    submitted_case: Callable[..., Case],
) -> None:
    case = submitted_case()
    update_case(staff_app, case, screening_status=ScreeningStatus.HIT)
    worker = signed_in("amira", Role.CASEWORKER)
    decider = signed_in("bernd", Role.DECIDER)

    _propose(worker, case, "reject")
    _settle(staff_app, decider, case)

    assert _stored(staff_app, case).status == CaseStatus.REJECTED


@pytest.mark.parametrize(
    ("before", "target"),
    [
        (CaseStatus.DECISION_PROPOSED, CaseStatus.ADMITTED),
        (CaseStatus.ADMITTED, CaseStatus.VISA_ISSUED),
    ],
)
def test_the_database_refuses_admission_without_a_cleared_screening(
    staff_app: Flask,
    submitted_case: Callable[..., Case],
    before: CaseStatus,
    target: CaseStatus,
) -> None:
    """Whatever code (or a person at the database) moves the case, not only the seam."""
    case = submitted_case()
    update_case(staff_app, case, status=before, screening_status=ScreeningStatus.CLEAR)
    update_case(staff_app, case, screening_status=ScreeningStatus.HIT)
    moving = update(Case).where(Case.id == case.id).values(status=target)
    with staff_app.app_context():
        with pytest.raises(IntegrityError):
            db.session.execute(moving)
        db.session.rollback()
        # A security officer's clearance lets the same move through.
        db.session.execute(
            update(Case).where(Case.id == case.id).values(screening_status=ScreeningStatus.CLEAR)
        )
        db.session.execute(moving)
        db.session.commit()
        moved = select(func.count()).where(Case.id == case.id, Case.status == target)
        assert db.session.scalar(moved) == 1
        db.session.remove()


def test_a_person_added_after_screening_stops_the_visa_until_a_security_officer_clears_it(
    staff_app: Flask, signed_in: Callable[..., FlaskClient]
) -> None:
    """A spouse added to an admitted case was matched against no watch list, and the visa
    went through on the screening of the others: the screening is pending again."""
    with staff_app.app_context():
        case, access_code = make_case(db.session)
        reference = case.reference
        case = through_intake(case)
    update_case(staff_app, case, status=CaseStatus.ADMITTED, screening_status=ScreeningStatus.CLEAR)
    applicant = Applicant(staff_app.test_client())
    assert applicant.sign_in(reference, access_code).status_code == 302
    spouse = {
        "relation": "spouse",
        "given_names": "Yousef",
        "family_name": "Ahmadzai",
        "birth_year": "1975",
        "marital_status": "married",
        "lives_with_principal": "yes",
        "identity_document": "none",
    }
    assert applicant.post("/case/family/new", spouse).status_code == 302
    assert _stored(staff_app, case).screening_status == ScreeningStatus.PENDING
    with staff_app.app_context():
        cause = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.case_id == case.id, AuditEvent.action == "case.screening_updated"
            )
        ).one()
        assert cause.details["cause"] == "person_added"

    worker = signed_in("amira", Role.CASEWORKER)
    _post(worker, f"/staff/cases/{case.id}/visa-issued")
    assert MUST_CLEAR in worker.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert _stored(staff_app, case).status == CaseStatus.ADMITTED
