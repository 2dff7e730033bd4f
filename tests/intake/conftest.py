"""Helpers for screening tests: cases that differ where a test needs them to."""

import itertools
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from portal.apply.services import submit_case
from portal.cases.models import Case, RiskAssessment
from portal.extensions import db
from portal.intake.assessments import latest_assessment
from portal.intake.duplicates import links_of
from portal.intake.tasks import process_case
from tests.factories import make_case, put_watchlist_in_force

_numbers = itertools.count(1)


def distinct_case(*, family: int = 0, phone: str | None = None, **principal: Any) -> Case:
    """A draft whose document number and phone no other test case shares (unless given)."""
    n = next(_numbers)
    principal.setdefault("document_number", f"P{n:08d}")
    case, _code = make_case(db.session, family=family, **principal)
    case.contact = {"phone": phone or f"+93 70 {n % 1000:03d} {n // 1000 % 10000:04d}"}
    return case


def screen(case: Case) -> RiskAssessment:
    """Submit and run the intake job as the worker would; return the assessment in force."""
    submit_case(db.session, case)
    db.session.commit()
    case_id = case.id
    db.session.remove()
    assert process_case(str(case_id)) == "in_review"
    db.session.remove()
    assessment = latest_assessment(db.session, case_id)
    assert assessment is not None
    return assessment


def links() -> set[tuple]:
    """Every link as each of its two cases sees it."""
    db.session.expire_all()
    seen = links_of(db.session, db.session.scalars(select(Case.id)).all())
    return {
        (case_id, link.other_case_id, link.person_id, link.other_person_id, link.reason)
        for case_id, found in seen.items()
        for link in found
    }


def import_watchlist(app: Flask, text: str, tmp_path: Any) -> Any:
    path = tmp_path / "watchlist.csv"
    path.write_text(text, encoding="utf-8")
    return app.test_cli_runner().invoke(args=["watchlist", "import", str(path)])


@pytest.fixture
def watchlist_in_force(app: Flask) -> None:
    """A watch list in force, as in production: without one no case is screened clear."""
    put_watchlist_in_force(db.session)


@pytest.fixture
def staff_reader(app: Flask):
    """Reads an assessment's sealed details the way a security officer's screen will."""
    from portal.cases.custody import open_staff_key
    from portal.cases.states import ActorKind

    def read(assessment: RiskAssessment) -> dict[str, Any]:
        open_staff_key(db.session, assessment.case, actor_kind=ActorKind.SYSTEM)
        return dict(assessment.details or {})

    return read
