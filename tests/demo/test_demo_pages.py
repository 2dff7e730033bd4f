"""What staff meet in ``make run``: a queue of demo cases and, in every stage, a case screen
with its history, assessment, notes, messages and documents."""

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.accounts.services import create_staff
from portal.cases.models import Case, Document
from portal.cases.states import OPEN_STATUSES, CaseStatus
from portal.core.actors import Role
from portal.demo.seeder import seed
from portal.extensions import db
from tests.review.conftest import PASSWORD, Clock, sign_in


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def demo_app(make_app: Callable[..., Flask]) -> Flask:
    app = make_app()
    with app.app_context():
        seed(30, batch_size=30, workers=1, documents=True, every_stage=True, echo=lambda _: None)
    return app


def _signed_in(app: Flask, clock: Clock, role: Role) -> FlaskClient:
    with app.app_context():
        user, _password, secret = create_staff(
            db.session, f"tester-{role.value}", "Tester", [role], password=PASSWORD
        )
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
    client = app.test_client()
    assert sign_in(client, user, secret, clock).status_code == 302
    return client


def _one_case_per_status(app: Flask) -> dict[CaseStatus, Case]:
    with app.app_context():
        cases: dict[CaseStatus, Case] = {}
        for case in db.session.scalars(select(Case).order_by(Case.created_at)):
            cases.setdefault(case.status, case)
        return cases


def test_a_decider_opens_a_case_in_every_stage(demo_app: Flask, clock: Clock) -> None:
    client = _signed_in(demo_app, clock, Role.DECIDER)
    queue = client.get("/staff/").get_data(as_text=True)
    # The queue opens on the open cases, every one of them on this first page: at least
    # the five stages seeded first, and as many others as the draw made open.
    with demo_app.app_context():
        open_cases = db.session.scalar(
            select(func.count()).select_from(Case).where(Case.status.in_(OPEN_STATUSES))
        )
    assert len(set(re.findall(r"/staff/cases/[0-9a-f-]{36}", queue))) == open_cases >= 5

    cases = _one_case_per_status(demo_app)
    for status, case in cases.items():
        if status == CaseStatus.DRAFT:  # the applicant's alone
            assert client.get(f"/staff/cases/{case.id}").status_code == 404
            continue
        page = client.get(f"/staff/cases/{case.id}")
        assert page.status_code == 200, status
    proposed = client.get(f"/staff/cases/{cases[CaseStatus.DECISION_PROPOSED].id}")
    assert "Confirm decision" in proposed.get_data(as_text=True)


def test_a_demo_document_downloads(demo_app: Flask, clock: Clock) -> None:
    client = _signed_in(demo_app, clock, Role.CASEWORKER)
    with demo_app.app_context():
        document = db.session.scalar(
            select(Document)
            .join(Case, Case.id == Document.case_id)
            .where(Case.status == CaseStatus.ARRIVED, Document.content_type == "application/pdf")
            .limit(1)
        )
        assert document is not None
        path = f"/staff/cases/{document.case_id}"
        document_id = document.id
    page = client.get(path).get_data(as_text=True)
    link = re.search(rf'href="([^"]*{document_id}[^"]*)"', page)
    assert link, "the case screen links its documents"
    response = client.get(link.group(1))
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
