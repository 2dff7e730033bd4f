"""The team lead's page: open cases per person and stage from the tally, proposals waiting
for confirmation, and moving cases from one person to another in bulk, each case audited."""

import html
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from portal.accounts.models import StaffUser
from portal.apply.services import withdraw_case
from portal.cases.models import Case, Decision
from portal.cases.states import CaseStatus, DecisionOutcome
from portal.core.actors import Role
from portal.core.audit import AuditEvent
from portal.core.permissions import GRANTS, Permission
from portal.core.refusal import ActionRefused
from portal.extensions import db
from portal.review import team
from tests.review.conftest import csrf, update_case
from tests.review.test_counts import _tally_and_truth

OPEN = ["submitted", "screening", "in_review", "info_requested", "decision_proposed"]


def _row(page: str, name: str) -> list[int]:
    """The counts of one row of the team table: per open stage, then the total."""
    match = re.search(
        rf'<tr><th scope="row">{re.escape(name)}(?:\s*<span[^<]*</span>)?</th>\s*(.*?)</tr>',
        page,
        re.S,
    )
    assert match, f"no row for {name}"
    return [int(cell) for cell in re.findall(r"<td>(?:<strong>)?(\d+)", match.group(1))]


def _waiting(page: str, name: str) -> list[str]:
    section = page.split('id="waiting"', 1)[1].split("</table>", 1)[0]
    match = re.search(rf'<th scope="row">{re.escape(name)}</th>(.*?)</tr>', section, re.S)
    assert match, f"nothing waits for {name}"
    return re.findall(r"<td>(.*?)</td>", match.group(1))


def _assignees(app: Flask, cases: list[Case]) -> list[object]:
    with app.app_context():
        found = dict(db.session.execute(select(Case.id, Case.assignee_id)).all())
        db.session.remove()
    return [found[case.id] for case in cases]


def _propose(app: Flask, case: Case, proposer: StaffUser, at: datetime) -> None:
    """A proposal as the case screen makes it (the reasons do not matter here)."""
    update_case(app, case, status=CaseStatus.DECISION_PROPOSED)
    with app.app_context():
        db.session.add(
            Decision(
                case_id=case.id,
                outcome=DecisionOutcome.REJECT,
                proposed_by_id=proposer.id,
                proposed_at=at,
            )
        )
        db.session.commit()


def _move(client: FlaskClient, **fields: object) -> str:
    token = csrf(client.get("/staff/team").get_data(as_text=True))
    data = {"status": "", "number": "500", **fields, "csrf_token": token}
    response = client.post("/staff/team/reassign", data=data, follow_redirects=True)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def people(signed_in: Callable[..., FlaskClient]) -> dict[str, FlaskClient]:
    return {
        "lead": signed_in("lead", Role.DECIDER),
        "amira": signed_in("amira", Role.CASEWORKER),
        "carla": signed_in("carla", Role.CASEWORKER),
    }


def test_only_deciders_lead_the_team() -> None:
    leads = {role for role in Role if Permission.TEAM_MANAGE in GRANTS[role]}
    assert leads == {Role.DECIDER}


def test_counts_per_person_and_stage_and_the_unassigned_row(
    staff_app: Flask, people: dict[str, FlaskClient], submitted_case: Callable[..., Case]
) -> None:
    amira, carla = people["amira"].user, people["carla"].user
    for _ in range(2):
        submitted_case(assignee_id=amira.id)  # in review after intake
    asked = submitted_case(assignee_id=amira.id)
    update_case(staff_app, asked, status=CaseStatus.INFO_REQUESTED)
    closed = submitted_case(assignee_id=amira.id)
    update_case(staff_app, closed, status=CaseStatus.REJECTED)
    proposed = submitted_case(assignee_id=carla.id)
    update_case(staff_app, proposed, status=CaseStatus.DECISION_PROPOSED)
    waiting = submitted_case()
    update_case(staff_app, waiting, status=CaseStatus.SUBMITTED)
    submitted_case()

    page = html.unescape(people["lead"].get("/staff/team").get_data(as_text=True))

    # submitted, screening, in review, information requested, decision proposed, total
    assert _row(page, "Amira") == [0, 0, 2, 1, 0, 3]  # the rejected case is not open
    assert _row(page, "Carla") == [0, 0, 0, 0, 1, 1]
    assert _row(page, "Lead") == [0, 0, 0, 0, 0, 0]  # a decider may hold cases too
    assert _row(page, "unassigned") == [1, 0, 1, 0, 0, 2]
    assert _row(page, "Total") == [1, 0, 3, 1, 1, 6]
    assert "information requested" in page and "decision proposed" in page


def test_only_people_who_may_hold_cases_are_rows(
    staff_app: Flask, people: dict[str, FlaskClient], signed_in: Callable[..., FlaskClient]
) -> None:
    signed_in("sofia", Role.SECURITY_OFFICER)
    gone = signed_in("gregor", Role.CASEWORKER)
    with staff_app.app_context():
        db.session.execute(
            update(StaffUser).where(StaffUser.id == gone.user.id).values(active=False)
        )
        db.session.commit()
    page = people["lead"].get("/staff/team").get_data(as_text=True)
    assert 'scope="row">Amira' in page and 'scope="row">Lead' in page
    assert 'scope="row">Sofia' not in page and 'scope="row">Gregor' not in page


def test_waiting_for_confirmation_per_proposer_with_the_oldest(
    staff_app: Flask, people: dict[str, FlaskClient], submitted_case: Callable[..., Case]
) -> None:
    amira, carla = people["amira"].user, people["carla"].user
    older, newer, carlas, withdrawn = (submitted_case() for _ in range(4))
    _propose(staff_app, older, amira, datetime(2026, 3, 1, 9, 30, tzinfo=UTC))
    _propose(staff_app, newer, amira, datetime(2026, 5, 1, 9, 30, tzinfo=UTC))
    _propose(staff_app, carlas, carla, datetime(2026, 4, 2, 8, 0, tzinfo=UTC))
    # Withdrawn by the applicant: the proposal waits for nobody any more.
    _propose(staff_app, withdrawn, carla, datetime(2026, 1, 1, tzinfo=UTC))
    with staff_app.app_context():
        withdraw_case(db.session, db.session.get_one(Case, withdrawn.id))
        db.session.commit()

    page = html.unescape(people["lead"].get("/staff/team").get_data(as_text=True))

    count, oldest, _days = _waiting(page, "Amira")
    assert (count, oldest) == ("2", "2026-03-01 09:30")
    count, oldest, _days = _waiting(page, "Carla")
    assert (count, oldest) == ("1", "2026-04-02 08:00")
    # The longest waiting first.
    section = page.split('id="waiting"', 1)[1]
    assert section.index("Amira") < section.index("Carla")


def test_nothing_waiting_says_so(staff_app: Flask, people: dict[str, FlaskClient]) -> None:
    page = people["lead"].get("/staff/team").get_data(as_text=True)
    assert "No proposal is waiting for confirmation." in page


def test_moving_one_stage_moves_exactly_those_and_audits_each(
    staff_app: Flask, people: dict[str, FlaskClient], submitted_case: Callable[..., Case]
) -> None:
    lead, amira, carla = (people[name].user for name in ("lead", "amira", "carla"))
    in_review = [submitted_case(assignee_id=amira.id) for _ in range(3)]
    asked = submitted_case(assignee_id=amira.id)
    update_case(staff_app, asked, status=CaseStatus.INFO_REQUESTED)
    closed = submitted_case(assignee_id=amira.id)
    update_case(staff_app, closed, status=CaseStatus.ARRIVED)
    others = submitted_case(assignee_id=people["lead"].user.id)

    page = _move(people["lead"], source=str(amira.id), target=str(carla.id), status="in_review")

    assert "3 cases were moved to Carla." in page
    assert _assignees(staff_app, in_review) == [carla.id] * 3
    assert _assignees(staff_app, [asked, closed, others]) == [amira.id, amira.id, lead.id]
    assert _row(page, "Amira") == [0, 0, 0, 1, 0, 1]
    assert _row(page, "Carla") == [0, 0, 3, 0, 0, 3]
    with staff_app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.actor_id == lead.id).order_by(AuditEvent.id)
        ).all()
        db.session.remove()
    moves = [event for event in events if event.action == "case.assigned"]
    assert {event.case_id for event in moves} == {case.id for case in in_review}
    assert all(
        event.details == {"assignee": str(carla.id), "cause": "bulk_reassignment"}
        for event in moves
    )
    (summary,) = [event for event in events if event.action == team.REASSIGNED]
    assert summary.details == {
        "source": str(amira.id),
        "target": str(carla.id),
        "status": "in_review",
        "moved": "3",
    }
    # Ids and codes only: no reference, no name, nothing of the applicant.
    written = json.dumps([event.details for event in [*moves, summary]])
    for case in in_review:
        assert case.reference not in written
    assert "Amira" not in written and "Carla" not in written and "Zarmina" not in written


def test_every_open_stage_up_to_the_number_highest_priority_first(
    staff_app: Flask, people: dict[str, FlaskClient], submitted_case: Callable[..., Case]
) -> None:
    amira, carla = people["amira"].user, people["carla"].user
    low = submitted_case(assignee_id=amira.id)
    update_case(staff_app, low, priority_score=1)
    high = submitted_case(assignee_id=amira.id)
    update_case(staff_app, high, priority_score=90, status=CaseStatus.INFO_REQUESTED)
    middle = submitted_case(assignee_id=amira.id)
    update_case(staff_app, middle, priority_score=50)

    page = _move(people["lead"], source=str(amira.id), target=str(carla.id), number="2")

    assert "2 cases were moved to Carla." in page
    assert _assignees(staff_app, [high, middle, low]) == [carla.id, carla.id, amira.id]


def test_the_queue_counts_stay_right_after_a_move(
    staff_app: Flask, people: dict[str, FlaskClient], submitted_case: Callable[..., Case]
) -> None:
    amira, carla = people["amira"].user, people["carla"].user
    for _ in range(3):
        submitted_case(assignee_id=amira.id)
    _move(people["lead"], source=str(amira.id), target=str(carla.id))

    tally, truth = _tally_and_truth(staff_app)
    assert tally == truth
    queue = people["carla"].get("/staff/?assignee=me").get_data(as_text=True)
    assert queue.count('href="/staff/cases/') == 3


@pytest.mark.parametrize("who", ["same person", "security officer"])
def test_a_target_who_cannot_take_them_is_refused(
    staff_app: Flask,
    people: dict[str, FlaskClient],
    submitted_case: Callable[..., Case],
    signed_in: Callable[..., FlaskClient],
    who: str,
) -> None:
    amira = people["amira"].user
    target = amira if who == "same person" else signed_in("sofia", Role.SECURITY_OFFICER).user
    case = submitted_case(assignee_id=amira.id)

    page = _move(people["lead"], source=str(amira.id), target=str(target.id))

    assert 'role="alert"' in page and "error-summary" in page
    assert _assignees(staff_app, [case]) == [amira.id]
    with staff_app.app_context():
        assert (
            db.session.scalar(select(AuditEvent).where(AuditEvent.action == team.REASSIGNED))
            is None
        )


def _service_move(app: Flask, actor_id: object, source_id: object, target_id: object) -> int:
    with app.app_context():
        actor, source, target = (
            db.session.get(StaffUser, ident) for ident in (actor_id, source_id, target_id)
        )
        try:
            return team.reassign_cases(db.session, actor, source, target)
        finally:
            db.session.rollback()
            db.session.remove()


def test_the_service_refuses_an_inactive_target_the_same_person_and_a_caseworker(
    staff_app: Flask, people: dict[str, FlaskClient], submitted_case: Callable[..., Case]
) -> None:
    lead, amira, carla = (people[name].user for name in ("lead", "amira", "carla"))
    case = submitted_case(assignee_id=amira.id)
    with pytest.raises(ActionRefused, match="different people"):
        _service_move(staff_app, lead.id, amira.id, amira.id)
    with pytest.raises(ActionRefused, match="may not do this"):
        _service_move(staff_app, amira.id, amira.id, carla.id)
    with staff_app.app_context():
        db.session.execute(update(StaffUser).where(StaffUser.id == carla.id).values(active=False))
        db.session.commit()
    with pytest.raises(ActionRefused, match="active caseworkers or deciders"):
        _service_move(staff_app, lead.id, amira.id, carla.id)
    assert _assignees(staff_app, [case]) == [amira.id]


def test_someone_without_open_cases_has_nothing_to_move(
    staff_app: Flask, people: dict[str, FlaskClient], submitted_case: Callable[..., Case]
) -> None:
    amira, carla = people["amira"].user, people["carla"].user
    closed = submitted_case(assignee_id=amira.id)
    update_case(staff_app, closed, status=CaseStatus.REJECTED)
    with pytest.raises(ActionRefused, match="no open cases"):
        _service_move(staff_app, people["lead"].user.id, amira.id, carla.id)
    assert _assignees(staff_app, [closed]) == [amira.id]


def test_a_caseworker_has_no_team_page(
    staff_app: Flask, people: dict[str, FlaskClient], submitted_case: Callable[..., Case]
) -> None:
    amira, carla = people["amira"], people["carla"].user
    case = submitted_case(assignee_id=amira.user.id)
    assert amira.get("/staff/team").status_code == 403
    assert 'href="/staff/team"' not in amira.get("/staff/").get_data(as_text=True)
    assert 'href="/staff/team"' in people["lead"].get("/staff/").get_data(as_text=True)
    token = csrf(amira.get("/staff/").get_data(as_text=True))
    response = amira.post(
        "/staff/team/reassign",
        data={"source": str(amira.user.id), "target": str(carla.id), "csrf_token": token},
    )
    assert response.status_code == 403
    assert _assignees(staff_app, [case]) == [amira.user.id]


def test_moving_needs_the_forms_token(
    staff_app: Flask, people: dict[str, FlaskClient], submitted_case: Callable[..., Case]
) -> None:
    amira, carla = people["amira"].user, people["carla"].user
    case = submitted_case(assignee_id=amira.id)
    response = people["lead"].post(
        "/staff/team/reassign",
        data={"source": str(amira.id), "target": str(carla.id), "status": "", "number": "5"},
    )
    assert response.status_code == 400
    assert _assignees(staff_app, [case]) == [amira.id]


def _summary(app: Flask) -> dict[str, str]:
    with app.app_context():
        (event,) = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == team.REASSIGNED)
        )
        db.session.remove()
    return event.details


def test_the_unassigned_cases_are_shared_out(
    staff_app: Flask, people: dict[str, FlaskClient], submitted_case: Callable[..., Case]
) -> None:
    carla = people["carla"].user
    waiting = [submitted_case() for _ in range(3)]
    held = submitted_case(assignee_id=people["amira"].user.id)
    lead_page = people["lead"].get("/staff/team").get_data(as_text=True)
    assert f'<option value="{team.UNASSIGNED}">' in lead_page.split('name="source"')[1]

    page = _move(people["lead"], source=team.UNASSIGNED, target=str(carla.id), number="2")

    assert "2 cases were moved to Carla." in page
    assert sorted(map(str, _assignees(staff_app, waiting))) == sorted(
        [str(carla.id), str(carla.id), "None"]
    )
    assert _assignees(staff_app, [held]) == [people["amira"].user.id]
    assert _row(page, "unassigned") == [0, 0, 1, 0, 0, 1]
    assert _summary(staff_app)["source"] == ""


def test_cases_go_back_among_the_unassigned(
    staff_app: Flask, people: dict[str, FlaskClient], submitted_case: Callable[..., Case]
) -> None:
    amira = people["amira"].user
    cases = [submitted_case(assignee_id=amira.id) for _ in range(2)]

    page = _move(people["lead"], source=str(amira.id), target=team.UNASSIGNED)

    assert "2 cases are unassigned again." in page
    assert _assignees(staff_app, cases) == [None, None]
    assert _row(page, "unassigned") == [0, 0, 2, 0, 0, 2]
    assert _summary(staff_app)["target"] == ""
    with staff_app.app_context():
        assigned = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "case.assigned")
        ).all()
        db.session.remove()
    assert {event.case_id for event in assigned} == {case.id for case in cases}
    assert all(event.details["assignee"] == "" for event in assigned)
    tally, truth = _tally_and_truth(staff_app)
    assert tally == truth


def test_the_unassigned_cannot_be_moved_to_themselves(
    staff_app: Flask, people: dict[str, FlaskClient], submitted_case: Callable[..., Case]
) -> None:
    case = submitted_case()
    with pytest.raises(ActionRefused, match="different people"):
        with staff_app.app_context():
            try:
                team.reassign_cases(
                    db.session, db.session.get(StaffUser, people["lead"].user.id), None, None
                )
            finally:
                db.session.rollback()
                db.session.remove()
    page = _move(people["lead"], source=team.UNASSIGNED, target=team.UNASSIGNED)
    assert 'role="alert"' in page
    assert _assignees(staff_app, [case]) == [None]


def test_with_no_open_case_there_is_nothing_to_move(
    people: dict[str, FlaskClient], submitted_case: Callable[..., Case], staff_app: Flask
) -> None:
    closed = submitted_case(assignee_id=people["amira"].user.id)
    update_case(staff_app, closed, status=CaseStatus.ARRIVED)
    page = html.unescape(people["lead"].get("/staff/team").get_data(as_text=True))
    assert "There are no open cases to move." in page
    assert 'action="/staff/team/reassign"' not in page
