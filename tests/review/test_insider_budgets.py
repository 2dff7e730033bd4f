"""Insider budgets: a script that reads or exports case after case is stopped, the breach
is audited without personal data, and administrators and security officers see it.

The test app allows 3 different cases opened, 2 exports and 4 searches an hour.
"""

import json
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.accounts.models import StaffUser
from portal.cases.models import Case, CaseExport
from portal.core.actors import Role
from portal.core.audit import AuditEvent
from portal.core.db import utcnow
from portal.extensions import db
from tests.review.conftest import Clock, csrf, sign_in
from tests.review.test_case_screen import _case_with_photo, _document_path
from tests.review.test_search import _search

CASES_PER_HOUR, EXPORTS_PER_HOUR, SEARCHES_PER_HOUR = 3, 2, 4
BREACH = "insider.budget_exceeded"
# A reason that names someone: it must never reach the audit trail.
REASON = "Für die Akte der Visastelle; angefragt von Rechtsanwalt Yusufzai-Qx"


@pytest.fixture
def staff_app(make_app: Callable[..., Flask]) -> Flask:
    return make_app(
        PORTAL_BUDGET_CASES_PER_HOUR=CASES_PER_HOUR,
        PORTAL_BUDGET_EXPORTS_PER_HOUR=EXPORTS_PER_HOUR,
        PORTAL_BUDGET_SEARCHES_PER_HOUR=SEARCHES_PER_HOUR,
    )


class Hours:
    """The audit trail's clock and the budgets' clock, moved on without waiting. The
    sign-in clock stays: a staff session would end after 30 idle minutes."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = timedelta()
        for module in ("portal.core.audit", "portal.review.budgets"):
            monkeypatch.setattr(f"{module}.utcnow", self.now)

    def now(self) -> datetime:
        return utcnow() + self.offset

    def pass_(self, minutes: int) -> None:
        self.offset += timedelta(minutes=minutes)


@pytest.fixture
def hours(monkeypatch: pytest.MonkeyPatch) -> Hours:
    return Hours(monkeypatch)


def _events(app: Flask, *actions: str) -> list[AuditEvent]:
    with app.app_context():
        found = list(
            db.session.scalars(
                select(AuditEvent).where(AuditEvent.action.in_(actions)).order_by(AuditEvent.id)
            )
        )
        db.session.remove()
    return found


def _open(client: FlaskClient, case: Case) -> Any:
    return client.get(f"/staff/cases/{case.id}")


def _export(client: FlaskClient, case: Case, reason: str = REASON) -> Any:
    path = f"/staff/cases/{case.id}/export"
    token = csrf(client.get(path).get_data(as_text=True))
    return client.post(path, data={"reason": reason, "csrf_token": token})


def test_a_script_reading_case_after_case_is_stopped_and_reported(
    staff_app: Flask, signed_in: Callable[..., FlaskClient], submitted_case: Callable[..., Case]
) -> None:
    first, second, third, fourth = (submitted_case() for _ in range(4))
    worker = signed_in("carla", Role.CASEWORKER)

    # Opening a case again within the hour does not count twice.
    for case in (first, second, first, first, third, second):
        assert _open(worker, case).status_code == 200

    refused = _open(worker, fourth)
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "You have opened 3 different cases in the last hour" in page
    assert "You can open other cases again at" in page and "min)" in page
    assert "Ahmadzai" not in page and fourth.reference not in page
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    # The cases already opened stay open; the refused one was never unlocked.
    assert _open(worker, first).status_code == 200
    with staff_app.app_context():
        touched = db.session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.case_id == fourth.id,
                AuditEvent.actor_id == worker.user.id,  # type: ignore[attr-defined]
            )
        ).all()
    assert touched == [BREACH]  # never viewed, never decrypted

    (breach,) = _events(staff_app, BREACH)
    assert breach.actor_id == worker.user.id  # type: ignore[attr-defined]
    assert breach.case_id == fourth.id
    assert breach.details == {"budget": "cases_opened", "count": 4, "threshold": 3}

    _the_alert_reaches_admins_and_security_officers(signed_in, breach, "Different cases opened")


def test_a_script_running_names_through_the_search_is_stopped_and_reported(
    staff_app: Flask, signed_in: Callable[..., FlaskClient], hours: Hours
) -> None:
    """A search names no case, but a script that tries name after name learns who has
    applied: searches have their budget too."""
    worker = signed_in("carla", Role.CASEWORKER)
    for name in ("Zarmina Ahmadzai", "Gulalai Yusufzai", "Mariam Karimi", "Nadia Rahimi"):
        assert _search(worker, name, "1985").status_code == 200

    refused = _search(worker, "Malalai Sultani", "1990")
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "You have searched 4 times in the last hour" in page
    assert "Sultani" not in page  # the terms are not repeated on the refusal
    (breach,) = _events(staff_app, BREACH)
    assert breach.case_id is None
    assert breach.details == {"budget": "searches", "count": 5, "threshold": 4}
    assert len(_events(staff_app, "case.searched")) == 4  # the refused one searched nothing

    hours.pass_(61)
    assert _search(worker, "Malalai Sultani", "1990").status_code == 200

    _the_alert_reaches_admins_and_security_officers(signed_in, breach, "Searches in an hour")


def _the_alert_reaches_admins_and_security_officers(
    signed_in: Callable[..., FlaskClient], breach: AuditEvent, budget: str
) -> None:
    for name, role, page in (
        ("anton", Role.ADMIN, "/staff/audit"),
        ("selma", Role.SECURITY_OFFICER, "/staff/"),
    ):
        watcher = signed_in(name, role)
        assert "Alerts: 1 new" in watcher.get(page).get_data(as_text=True)
        alerts = watcher.get("/staff/alerts")
        assert alerts.status_code == 200
        listed = alerts.get_data(as_text=True).split("<tbody>", 1)[1]
        assert "Carla (carla)" in listed and budget in listed
        assert breach.at.strftime("%Y-%m-%d %H:%M:%S") in listed and ">new<" in listed
        # Seen: the navigation stops counting it for this person, the list marks it no more.
        assert "Alerts: 1 new" not in watcher.get(page).get_data(as_text=True)
        assert ">new<" not in watcher.get("/staff/alerts").get_data(as_text=True)


def test_downloading_a_document_opens_its_case_too(
    staff_app: Flask, signed_in: Callable[..., FlaskClient], submitted_case: Callable[..., Case]
) -> None:
    spent = [submitted_case() for _ in range(CASES_PER_HOUR)]
    with_photo, content = _case_with_photo(staff_app)
    worker = signed_in("carla", Role.CASEWORKER)
    for case in spent:
        assert _open(worker, case).status_code == 200

    refused = worker.get(_document_path(with_photo))
    assert refused.status_code == 429 and content not in refused.data
    assert "You have opened 3 different cases" in refused.get_data(as_text=True)
    assert [event.case_id for event in _events(staff_app, BREACH)] == [with_photo.id]
    assert _events(staff_app, "document.downloaded") == []


def test_exports_ask_why_and_stop_at_the_budget(
    staff_app: Flask, signed_in: Callable[..., FlaskClient], submitted_case: Callable[..., Case]
) -> None:
    case = submitted_case()
    worker = signed_in("carla", Role.CASEWORKER)
    path = f"/staff/cases/{case.id}/export"

    # Asking opens nothing and exports nothing.
    question = worker.get(path)
    assert question.status_code == 200
    text = question.get_data(as_text=True)
    assert "Why do you need this export?" in text and "still make in this hour: 2" in text
    assert "Ahmadzai" not in text
    assert _events(staff_app, "case.viewed", "case.exported") == []
    token = csrf(text)
    # No reason, no export; no token, no export.
    blank = worker.post(path, data={"reason": "  ", "csrf_token": token})
    assert blank.status_code == 400 and "Required." in blank.get_data(as_text=True)
    assert worker.post(path, data={"reason": REASON}).status_code == 400
    assert _events(staff_app, "case.exported") == []

    for _ in range(EXPORTS_PER_HOUR):
        made = _export(worker, case)
        assert made.status_code == 200
        page = made.get_data(as_text=True)
        assert "Ahmadzai" in page and "Carla" in page and REASON in page  # the watermark

    refused = _export(worker, case, reason="noch einmal, für Yusufzai-Qx")
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "You have made 2 exports in the last hour" in page and "min)" in page
    assert "noch einmal, für Yusufzai-Qx" in page  # what was typed is kept
    assert "Ahmadzai" not in page

    exported = _events(staff_app, "case.exported")
    assert len(exported) == EXPORTS_PER_HOUR
    (breach,) = _events(staff_app, BREACH)
    assert breach.details == {"budget": "exports", "count": 3, "threshold": 2}
    with staff_app.app_context():
        everything = json.dumps([event.details for event in db.session.scalars(select(AuditEvent))])
        stored = db.session.scalars(select(CaseExport)).all()
        assert "Yusufzai" not in everything  # the reason is never in the audit trail
        assert {str(row.id) for row in stored} == {event.details["export"] for event in exported}
        assert all(b"Yusufzai" not in row.reason_ct for row in stored)  # sealed
        db.session.remove()

    # Staff who may open the case read who exported it and why.
    page = signed_in("dora", Role.DECIDER).get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert page.split("Exports", 1)[1].count(REASON) == EXPORTS_PER_HOUR

    _the_alert_reaches_admins_and_security_officers(signed_in, breach, "Exports in an hour")


def test_the_budgets_free_up_after_the_hour(
    staff_app: Flask,
    signed_in: Callable[..., FlaskClient],
    submitted_case: Callable[..., Case],
    hours: Hours,
) -> None:
    cases = [submitted_case() for _ in range(CASES_PER_HOUR + 2)]
    worker = signed_in("carla", Role.CASEWORKER)
    for case in cases[:CASES_PER_HOUR]:
        assert _open(worker, case).status_code == 200
    for _ in range(EXPORTS_PER_HOUR):
        assert _export(worker, cases[0]).status_code == 200
    assert _open(worker, cases[CASES_PER_HOUR]).status_code == 429
    assert _export(worker, cases[0]).status_code == 429

    hours.pass_(55)
    refused = _open(worker, cases[CASES_PER_HOUR])
    assert refused.status_code == 429 and "min)" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) <= 5 * 60  # what is left of the hour

    hours.pass_(6)
    assert _open(worker, cases[CASES_PER_HOUR]).status_code == 200
    assert _export(worker, cases[0]).status_code == 200
    # The hour counts from now on: one case opened, one export made.
    assert _open(worker, cases[CASES_PER_HOUR + 1]).status_code == 200
    assert _export(worker, cases[0]).status_code == 200
    assert _export(worker, cases[0]).status_code == 429


def test_parallel_openings_cannot_overrun_the_budget(
    staff_app: Flask,
    make_staff: Callable[..., Any],
    submitted_case: Callable[..., Case],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two requests of one person at once, for the last case the budget allows: the
    second counts only once the first has committed, and is refused."""
    from portal.review import budgets, services

    user, _secret = make_staff("carla", Role.CASEWORKER)
    cases = [submitted_case() for _ in range(CASES_PER_HOUR + 1)]
    with staff_app.app_context():
        for case in cases[: CASES_PER_HOUR - 1]:
            services.open_for_review(db.session, db.session.get(Case, case.id), _staff(user))
        db.session.commit()
        db.session.remove()

    first_opened, second_counting, go_on = threading.Event(), threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}
    counting = budgets.cases_opened

    def counted(*args: Any) -> Any:
        if threading.current_thread().name == "second":
            second_counting.set()
        return counting(*args)

    monkeypatch.setattr(budgets, "cases_opened", counted)

    def request(name: str, case: Case, before_commit: Callable[[], None]) -> None:
        with staff_app.app_context():
            try:
                services.open_for_review(db.session, db.session.get(Case, case.id), _staff(user))
                outcomes[name] = "opened"
            except budgets.BudgetExceeded:
                outcomes[name] = "refused"
            before_commit()
            db.session.commit()
            db.session.remove()

    def hold() -> None:
        first_opened.set()
        go_on.wait(10)

    first = threading.Thread(target=request, args=("first", cases[-2], hold), name="first")
    second = threading.Thread(
        target=request, args=("second", cases[-1], lambda: None), name="second"
    )
    first.start()
    assert first_opened.wait(10)
    second.start()
    # Time for a second request that does not wait for the first to count wrongly.
    second_counting.wait(1)
    go_on.set()
    first.join(30)
    second.join(30)
    assert outcomes == {"first": "opened", "second": "refused"}


def _staff(user: StaffUser) -> StaffUser:
    found = db.session.get(StaffUser, user.id)
    assert found is not None
    return found


def test_an_administrator_starts_on_the_alerts(
    staff_app: Flask, make_staff: Callable[..., Any], clock: Clock
) -> None:
    """An administrator has no queue: signed in, they land where the alerts are, not on a
    refusal."""
    user, secret = make_staff("anton", Role.ADMIN)
    client = staff_app.test_client()
    home = sign_in(client, user, secret, clock).headers["Location"]
    assert home == "/staff/alerts"
    assert client.get(home).status_code == 200


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.DECIDER, Role.ENVOY])
def test_only_administrators_and_security_officers_see_the_alerts(
    signed_in: Callable[..., FlaskClient], role: Role
) -> None:
    client = signed_in(f"user-{role.value}", role)
    assert client.get("/staff/alerts").status_code == 403
    home = client.get("/staff/")
    assert "/staff/alerts" not in home.get_data(as_text=True)
