"""A deactivated account holds no cases: its cases go back to the unassigned queue, where
every caseworker finds them, and no case can be assigned to it."""

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.cases.models import Case
from portal.cases.states import CaseStatus
from portal.core.actors import Role
from portal.core.audit import AuditEvent
from portal.extensions import db
from tests.review.conftest import csrf, update_case


def _assignee(app: Flask, case: Case) -> object:
    with app.app_context():
        return db.session.scalar(select(Case.assignee_id).where(Case.id == case.id))


def _deactivate(admin: FlaskClient, user_id: object) -> None:
    token = csrf(admin.get("/staff/admin/staff").get_data(as_text=True))
    response = admin.post(f"/staff/admin/staff/{user_id}/deactivate", data={"csrf_token": token})
    assert response.status_code == 302


def test_deactivating_a_caseworker_returns_their_cases_to_the_unassigned_queue(
    staff_app: Flask,
    signed_in: Callable[..., FlaskClient],
    submitted_case: Callable[..., Case],
) -> None:
    leaving = signed_in("amira", Role.CASEWORKER)
    colleague = signed_in("carla", Role.CASEWORKER)
    admin = signed_in("root", Role.ADMIN)
    waiting = submitted_case(assignee_id=leaving.user.id)
    admitted = submitted_case(assignee_id=leaving.user.id)  # a visa still to record
    update_case(staff_app, admitted, status=CaseStatus.ADMITTED, screening_status="clear")
    kept = submitted_case(assignee_id=colleague.user.id)
    assert colleague.get(f"/staff/cases/{waiting.id}").status_code == 404  # amira's

    _deactivate(admin, leaving.user.id)

    assert _assignee(staff_app, waiting) is None and _assignee(staff_app, admitted) is None
    assert _assignee(staff_app, kept) == colleague.user.id
    unassigned = colleague.get("/staff/?assignee=none").get_data(as_text=True)
    assert waiting.reference in unassigned
    assert colleague.get(f"/staff/cases/{waiting.id}").status_code == 200
    assert colleague.get(f"/staff/cases/{admitted.id}").status_code == 200
    with staff_app.app_context():
        returned = db.session.scalars(
            select(AuditEvent.case_id).where(
                AuditEvent.action == "case.assigned", AuditEvent.actor_id == admin.user.id
            )
        ).all()
        deactivated = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "staff.deactivated")
        ).one()
    assert set(returned) == {waiting.id, admitted.id}
    assert deactivated.details["returned_cases"] == "2"


def test_the_command_line_returns_the_cases_too(
    staff_app: Flask,
    signed_in: Callable[..., FlaskClient],
    submitted_case: Callable[..., Case],
) -> None:
    leaving = signed_in("amira", Role.CASEWORKER)
    case = submitted_case(assignee_id=leaving.user.id)
    with staff_app.app_context():
        result = staff_app.test_cli_runner().invoke(args=["staff", "deactivate", "amira"])
        assert result.exit_code == 0, result.output
    assert _assignee(staff_app, case) is None


def test_a_case_cannot_be_assigned_to_a_deactivated_account(
    staff_app: Flask,
    signed_in: Callable[..., FlaskClient],
    submitted_case: Callable[..., Case],
) -> None:
    leaving = signed_in("amira", Role.CASEWORKER)
    decider = signed_in("bernd", Role.DECIDER)
    admin = signed_in("root", Role.ADMIN)
    _deactivate(admin, leaving.user.id)
    case = submitted_case()

    path = f"/staff/cases/{case.id}"
    token = csrf(decider.get(path).get_data(as_text=True))
    decider.post(path + "/assign", data={"assignee": str(leaving.user.id), "csrf_token": token})

    page = decider.get(path).get_data(as_text=True)
    assert "Cases are assigned to active caseworkers or deciders only." in page
    assert _assignee(staff_app, case) is None
    assert f'value="{leaving.user.id}"' not in page  # not offered either
