"""The queue's orders and saved views: every order pages through all cases, none lost or
twice; each saved view shows exactly its cases, and only to those it is for."""

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.accounts.models import StaffUser
from portal.cases.custody import start_case
from portal.cases.lifecycle import transition
from portal.cases.models import Case, Decision
from portal.cases.states import (
    ActorKind,
    CaseStatus,
    DecisionOutcome,
    DecisionState,
    Programme,
    ThreatLevel,
)
from portal.core.actors import Role
from portal.core.db import utcnow
from portal.extensions import db
from portal.review import queue as review_queue

REFERENCE = '<a href="/staff/cases/'
S = CaseStatus


def _listed(html: str) -> list[str]:
    return [part.split('"')[0] for part in html.split(REFERENCE)[1:]]


def _all_pages(client: FlaskClient, path: str) -> list[str]:
    seen: list[str] = []
    for _page in range(50):
        response = client.get(path)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        seen += _listed(html)
        following = re.search(r'href="([^"]+)">Next page', html)
        if following is None:
            return seen
        path = following.group(1).replace("&amp;", "&")
    raise AssertionError("the pages never end")


def _case(app: Flask, **values: Any) -> Case:
    """A case with these columns, straight into the database (the queue reads no more)."""
    now = utcnow()
    with app.app_context():
        case, _code = start_case(db.session, programme=Programme.AT_RISK, language="fa_AF")
        case.status = S.IN_REVIEW
        case.submitted_at = now - timedelta(days=60)
        case.status_changed_at = now - timedelta(days=1)
        for name, value in values.items():
            setattr(case, name, value)
        db.session.commit()
        db.session.refresh(case)
        db.session.expunge(case)
    return case


def _add(app: Flask, *rows: Any) -> None:
    with app.app_context():
        db.session.add_all(rows)
        db.session.commit()


@pytest.fixture
def decider(signed_in: Any) -> FlaskClient:
    client: FlaskClient = signed_in("bernd", Role.DECIDER)
    return client


def _user(client: FlaskClient) -> StaffUser:
    user: StaffUser = client.user  # type: ignore[attr-defined]
    return user


def test_every_order_pages_through_all_cases_in_its_order(
    staff_app: Flask, decider: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(review_queue, "PAGE_SIZE", 2)
    now = utcnow().replace(microsecond=0)
    # Ties on every column but the id, so that the id decides between them.
    plan = [(5, 3, 9), (5, 3, 9), (9, 1, 2), (1, 7, 7), (5, 0, 9), (9, 7, 30), (0, 3, 2)]
    cases = [
        _case(
            staff_app,
            priority_score=priority,
            status_changed_at=now - timedelta(days=waited),
            submitted_at=now - timedelta(days=age),
        )
        for priority, waited, age in plan
    ]
    _case(staff_app, status=S.REJECTED)  # closed: in no open order
    expected = {
        "priority": sorted(cases, key=lambda c: (-c.priority_score, c.status_changed_at, c.id)),
        "waiting": sorted(cases, key=lambda c: (c.status_changed_at, c.id)),
        "oldest": sorted(cases, key=lambda c: (c.submitted_at, c.id)),
        "newest": sorted(cases, key=lambda c: (c.submitted_at, c.id), reverse=True),
    }
    for sort, order in expected.items():
        assert _all_pages(decider, f"/staff/?sort={sort}") == [str(c.id) for c in order], sort
    assert _all_pages(decider, "/staff/") == [str(c.id) for c in expected["priority"]]
    # A filter and an order together: still every case once.
    assert _all_pages(decider, "/staff/?sort=newest&programme=at_risk") == [
        str(c.id) for c in expected["newest"]
    ]


def test_an_unknown_order_or_view_is_the_plain_queue(
    staff_app: Flask, decider: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(review_queue, "PAGE_SIZE", 2)
    low, high, middle = (_case(staff_app, priority_score=p) for p in (1, 9, 5))
    plain = [str(high.id), str(middle.id), str(low.id)]
    for junk in ("sort=sideways", "sort=", "view=everything", "view=", "sort=%00&view=%00"):
        assert _all_pages(decider, f"/staff/?{junk}") == plain, junk
    # A cursor of one order given to another starts that one at its top, never an error.
    html = decider.get("/staff/?sort=waiting").get_data(as_text=True)
    after = re.search(r"after=([^&\"]+)", html)
    assert after is not None
    response = decider.get(f"/staff/?sort=priority&after={after.group(1)}")
    assert response.status_code == 200
    assert _listed(response.get_data(as_text=True)) == plain[:2]


def _link_count(html: str, name: str) -> int | None:
    found = re.search(rf">{re.escape(name)} <span class=\"count\">(\d+)</span>", html)
    return int(found.group(1)) if found else None


def _active_view(html: str) -> str:
    found = re.search(r'<a [^>]*aria-current="page">([^<]+)', html)
    assert found is not None
    return found.group(1).strip()


def test_my_cases(staff_app: Flask, signed_in: Any, make_staff: Any) -> None:
    me = signed_in("bernd", Role.DECIDER)
    other, _secret = make_staff("clara", Role.DECIDER)
    mine = _case(staff_app, assignee_id=_user(me).id)
    _case(staff_app, assignee_id=other.id)
    _case(staff_app)
    _case(staff_app, assignee_id=_user(me).id, status=S.REJECTED)  # closed: no longer waiting
    html = me.get("/staff/?view=mine").get_data(as_text=True)
    assert _listed(html) == [str(mine.id)]
    assert _active_view(html) == "My cases"
    assert _link_count(html, "My cases") == 1


def test_waiting_for_me_to_confirm(staff_app: Flask, signed_in: Any, make_staff: Any) -> None:
    me = signed_in("bernd", Role.DECIDER)
    colleague, _secret = make_staff("clara", Role.CASEWORKER)
    theirs = _case(staff_app, status=S.DECISION_PROPOSED)
    my_own = _case(staff_app, status=S.DECISION_PROPOSED)
    returned = _case(staff_app)  # a proposal sent back: in review again, nothing to confirm
    _case(staff_app)  # in review, no proposal
    _add(
        staff_app,
        Decision(case_id=theirs.id, outcome=DecisionOutcome.ADMIT, proposed_by_id=colleague.id),
        Decision(case_id=my_own.id, outcome=DecisionOutcome.REJECT, proposed_by_id=_user(me).id),
        Decision(
            case_id=returned.id,
            outcome=DecisionOutcome.ADMIT,
            proposed_by_id=colleague.id,
            state=DecisionState.RETURNED,
            decided_by_id=_user(me).id,
        ),
    )
    html = me.get("/staff/?view=confirm").get_data(as_text=True)
    assert _listed(html) == [str(theirs.id)]
    assert _active_view(html) == "Waiting for me to confirm"
    assert _link_count(html, "Waiting for me to confirm") == 1
    assert ">decision proposed (1)<" in html  # the status count agrees with the view
    # The other decider's view holds my proposal, and not theirs.
    other = signed_in("dora", Role.DECIDER)
    html = other.get("/staff/?view=confirm").get_data(as_text=True)
    assert set(_listed(html)) == {str(theirs.id), str(my_own.id)}
    assert _link_count(html, "Waiting for me to confirm") == 2
    # Counted as every proposed case less one's own, with a waiting time too.
    html = me.get("/staff/?view=confirm&waiting=0").get_data(as_text=True)
    assert _listed(html) == [str(theirs.id)]
    assert _link_count(html, "Waiting for me to confirm") == 1


def test_a_caseworker_has_no_proposals_to_confirm(
    staff_app: Flask, signed_in: Any, make_staff: Any
) -> None:
    worker = signed_in("amira", Role.CASEWORKER)
    colleague, _secret = make_staff("clara", Role.CASEWORKER)
    proposed = _case(staff_app, status=S.DECISION_PROPOSED, priority_score=9)
    in_review = _case(staff_app, priority_score=1)
    elsewhere = _case(staff_app, status=S.DECISION_PROPOSED, assignee_id=colleague.id)
    _add(
        staff_app,
        Decision(case_id=proposed.id, outcome=DecisionOutcome.ADMIT, proposed_by_id=colleague.id),
        Decision(case_id=elsewhere.id, outcome=DecisionOutcome.ADMIT, proposed_by_id=colleague.id),
    )
    html = worker.get("/staff/").get_data(as_text=True)
    assert "Waiting for me to confirm" not in html
    assert "My cases" in html and "Answers received" in html and "Overdue" in html
    # Asked for anyway: the plain queue, of the cases a caseworker may see.
    response = worker.get("/staff/?view=confirm")
    assert response.status_code == 200
    assert _listed(response.get_data(as_text=True)) == [str(proposed.id), str(in_review.id)]
    assert _active_view(response.get_data(as_text=True)) == "All open cases"


def test_answers_received(staff_app: Flask, signed_in: Any) -> None:
    me = signed_in("bernd", Role.DECIDER)
    answered = _case(staff_app, status=S.INFO_REQUESTED)
    with staff_app.app_context():  # the applicant answers: their move puts it back in review
        case = db.session.get(Case, answered.id)
        transition(db.session, case, S.IN_REVIEW, actor_kind=ActorKind.APPLICANT)
        db.session.commit()
    asked_again = _case(staff_app, status=S.INFO_REQUESTED, status_changed_by=ActorKind.STAFF)
    returned = _case(staff_app, status_changed_by=ActorKind.STAFF)  # a proposal came back
    from_intake = _case(staff_app, status_changed_by=ActorKind.SYSTEM)
    html = me.get("/staff/?view=answers").get_data(as_text=True)
    assert _listed(html) == [str(answered.id)]
    assert _active_view(html) == "Answers received"
    assert _link_count(html, "Answers received") == 1
    assert ">in review (1)<" in html
    for other in (asked_again, returned, from_intake):
        assert str(other.id) in me.get("/staff/").get_data(as_text=True)
    # It combines with the other filters, and staff acting on it takes it off.
    assert _listed(me.get("/staff/?view=answers&threat=critical").get_data(as_text=True)) == []
    with staff_app.app_context():
        case = db.session.get(Case, answered.id)
        transition(db.session, case, S.INFO_REQUESTED, actor_kind=ActorKind.STAFF)
        db.session.commit()
    assert _listed(me.get("/staff/?view=answers").get_data(as_text=True)) == []


def test_overdue_is_waiting_past_the_service_level(
    staff_app: Flask, signed_in: Any, make_staff: Any
) -> None:
    now = utcnow()
    worker = signed_in("amira", Role.CASEWORKER)
    colleague, _secret = make_staff("clara", Role.CASEWORKER)
    late = _case(staff_app, status=S.INFO_REQUESTED, status_changed_at=now - timedelta(days=31))
    later = _case(staff_app, status_changed_at=now - timedelta(days=90))
    recent = _case(staff_app, status_changed_at=now - timedelta(days=29))
    _case(staff_app, status=S.REJECTED, status_changed_at=now - timedelta(days=200))  # closed
    _case(staff_app, status_changed_at=now - timedelta(days=60), assignee_id=colleague.id)
    html = worker.get("/staff/?view=overdue").get_data(as_text=True)
    # Longest waiting first; a colleague's case is not the caseworker's to see.
    assert _listed(html) == [str(later.id), str(late.id)]
    assert _active_view(html) == "Overdue"
    assert _link_count(html, "Overdue") == 2
    assert ">in review (1)<" in html and ">information requested (1)<" in html
    # With a waiting time as well, the longer wins; the view keeps other filters.
    assert _listed(worker.get("/staff/?view=overdue&waiting=60").get_data(as_text=True)) == [
        str(later.id)
    ]
    staff_app.config["PORTAL_REVIEW_SERVICE_DAYS"] = 20
    html = worker.get("/staff/?view=overdue").get_data(as_text=True)
    assert _listed(html) == [str(later.id), str(late.id), str(recent.id)]
    assert _link_count(html, "Overdue") == 3


def test_views_offered_to_a_decider(staff_app: Flask, decider: FlaskClient) -> None:
    _case(staff_app, threat_level=ThreatLevel.HIGH)
    html = decider.get("/staff/").get_data(as_text=True)
    assert _active_view(html) == "All open cases"
    # Only the open view's link is counted: the others would cost more than the page.
    for name in ("My cases", "Waiting for me to confirm", "Answers received", "Overdue"):
        assert f">{name}</a>" in html and _link_count(html, name) is None, name
    assert 'href="/staff/?view=mine"' in html
