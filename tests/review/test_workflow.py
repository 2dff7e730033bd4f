"""A case from arrival to visa through the staff screens, with the applicant answering,
and the second pair of eyes that one person cannot provide alone."""

import re

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.cases.models import Case, Decision
from portal.cases.states import CaseStatus, DecisionOutcome, DecisionState
from portal.core.actors import Role
from portal.core.audit import AuditEvent
from portal.extensions import db
from portal.intake.tasks import process_case
from tests.apply.journey import Applicant
from tests.review.conftest import csrf


def _post(client, path: str, **data: str):  # type: ignore[no-untyped-def]
    token = csrf(client.get("/staff/").get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def _case_of(staff_app: Flask) -> Case:
    with staff_app.app_context():
        case = db.session.scalars(select(Case)).one()
        db.session.expunge(case)
        return case


def _applied(staff_app: Flask) -> Applicant:
    applicant = Applicant(staff_app.test_client())
    applicant.start()
    applicant.fill_principal()
    applicant.add_job()
    applicant.declare()
    assert applicant.submit().status_code == 302
    with staff_app.app_context():
        process_case(str(db.session.scalars(select(Case.id)).one()))
    return applicant


def test_from_question_to_visa(staff_app: Flask, signed_in, watchlist_in_force: None) -> None:
    applicant = _applied(staff_app)
    worker = signed_in("amira", Role.CASEWORKER)
    decider = signed_in("bernd", Role.DECIDER)
    case = _case_of(staff_app)
    path = f"/staff/cases/{case.id}"

    page = worker.get(path).get_data(as_text=True)
    assert "Zarmina" in page and "Ahmadzai" in page  # decrypted for staff, audited
    assert _post(worker, path + "/assign", assignee=str(worker.user.id)).status_code == 302
    _post(worker, path + "/questions", question="Bitte senden Sie Ihren Arbeitsvertrag.")
    assert _case_of(staff_app).status == CaseStatus.INFO_REQUESTED

    assert "Bitte senden Sie Ihren Arbeitsvertrag." in applicant.get("/case/messages").get_data(
        as_text=True
    )
    applicant.post("/case/messages", {"body": "Vertrag anbei."})
    assert _case_of(staff_app).status == CaseStatus.IN_REVIEW
    assert "Vertrag anbei." in worker.get(path).get_data(as_text=True)

    _post(worker, path + "/decision", outcome="admit", reasons="Ortskraft, Gefährdung belegt.")
    assert _case_of(staff_app).status == CaseStatus.DECISION_PROPOSED
    with staff_app.app_context():
        decision = db.session.scalars(select(Decision)).one()
    _post(decider, f"{path}/decision/{decision.id}/confirm")
    assert _case_of(staff_app).status == CaseStatus.ADMITTED
    assert "Admission approved." in applicant.get("/case").get_data(as_text=True)

    _post(worker, path + "/visa-issued")
    _post(worker, path + "/arrived")
    assert _case_of(staff_app).status == CaseStatus.ARRIVED
    history = worker.get(path).get_data(as_text=True)
    assert history.count("→") >= 8  # every step is in the history

    # Every step is in the audit trail too, and the chain over it is intact.
    with staff_app.app_context():
        actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {
        "staff.created",
        "staff.signed_in",
        "case.viewed",
        "case.decrypted",
        "case.assigned",
        "case.status_changed",
    } <= actions
    runner = staff_app.test_cli_runner()
    assert runner.invoke(args=["audit", "checkpoint", "--start-file"]).exit_code == 0
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output


def test_one_person_with_two_tabs_cannot_confirm_their_own_proposal(
    staff_app: Flask, signed_in
) -> None:
    _applied(staff_app)
    decider = signed_in("bernd", Role.DECIDER)
    case = _case_of(staff_app)
    path = f"/staff/cases/{case.id}"
    decider.get(path)
    _post(decider, path + "/decision", outcome="reject", reasons="Keine Gefährdung erkennbar.")
    with staff_app.app_context():
        decision = db.session.scalars(select(Decision)).one()
    # A second tab of the same person: the page offers nothing, and a forged post is refused.
    second_tab = decider
    assert "Another decider must confirm" in second_tab.get(path).get_data(as_text=True)
    response = _post(second_tab, f"{path}/decision/{decision.id}/confirm")
    assert response.status_code == 302
    page = second_tab.get(path).get_data(as_text=True)
    assert "must be confirmed or returned by another person" in page
    assert _case_of(staff_app).status == CaseStatus.DECISION_PROPOSED
    with staff_app.app_context():
        assert db.session.get(Decision, decision.id).state == DecisionState.PROPOSED


def test_a_withdrawal_closes_the_open_proposal(staff_app: Flask, signed_in) -> None:
    applicant = _applied(staff_app)
    worker = signed_in("amira", Role.CASEWORKER)
    decider = signed_in("bernd", Role.DECIDER)
    path = f"/staff/cases/{_case_of(staff_app).id}"
    worker.get(path)
    _post(worker, path + "/decision", outcome="reject", reasons="Keine Gefährdung erkennbar.")
    with staff_app.app_context():
        decision_id = db.session.scalars(select(Decision.id)).one()

    assert applicant.post("/case/withdraw", {}).status_code == 302

    assert _case_of(staff_app).status == CaseStatus.WITHDRAWN
    with staff_app.app_context():
        decision = db.session.get(Decision, decision_id)
        # Nobody decided it, and it waits for nobody: neither confirmed nor returned.
        assert decision is not None and decision.state == DecisionState.WITHDRAWN
        assert (decision.decided_by_id, decision.decided_at) == (None, None)
    # A decider's confirmation that crossed the withdrawal is refused, and changes nothing.
    _post(decider, f"{path}/decision/{decision_id}/confirm")
    assert _case_of(staff_app).status == CaseStatus.WITHDRAWN


def test_the_database_refuses_a_self_confirmed_decision(staff_app: Flask, signed_in) -> None:
    _applied(staff_app)
    decider = signed_in("bernd", Role.DECIDER)
    case = _case_of(staff_app)
    with staff_app.app_context():
        decision = Decision(
            case_id=case.id,
            outcome=DecisionOutcome.ADMIT,
            proposed_by_id=decider.user.id,
            decided_by_id=decider.user.id,
            state=DecisionState.CONFIRMED,
        )
        db.session.add(decision)
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_an_illegal_step_is_refused_with_a_message(staff_app: Flask, signed_in) -> None:
    _applied(staff_app)
    worker = signed_in("amira", Role.CASEWORKER)
    case = _case_of(staff_app)
    path = f"/staff/cases/{case.id}"
    worker.get(path)
    _post(worker, path + "/visa-issued")  # not admitted: impossible
    page = worker.get(path).get_data(as_text=True)
    assert (
        "not possible in the case&#39;s current state" in page
        or "not possible in the case's current state" in page
    )
    assert _case_of(staff_app).status == CaseStatus.IN_REVIEW


def test_a_caseworker_does_not_see_a_colleagues_case(staff_app: Flask, signed_in) -> None:
    _applied(staff_app)
    first = signed_in("amira", Role.CASEWORKER)
    second = signed_in("carla", Role.CASEWORKER)
    case = _case_of(staff_app)
    _post(first, f"/staff/cases/{case.id}/assign", assignee=str(first.user.id))
    assert second.get(f"/staff/cases/{case.id}").status_code == 404
    queue = second.get("/staff/").get_data(as_text=True)
    assert case.reference not in queue
    assert re.search(case.reference, first.get("/staff/").get_data(as_text=True))
