from flask import Flask
from sqlalchemy import select

from portal.apply.services import submit_case
from portal.cases.models import BlindIndex, Case, RiskAssessment
from portal.cases.states import CaseStatus, ScreeningStatus
from portal.extensions import db
from portal.intake.models import OutboxEntry
from portal.intake.queue import intake_queue, job_id
from portal.intake.worker import make_worker
from tests.factories import make_case


def test_submitted_case_reaches_review_through_the_queue(app: Flask) -> None:
    case, _code = make_case(db.session, family=3)
    submit_case(db.session, case)
    db.session.commit()

    # Handed to Redis after the commit; the request wrote nothing more.
    entry = db.session.scalars(select(OutboxEntry)).one()
    assert entry.enqueued_at is None and entry.completed_at is None
    assert intake_queue().fetch_job(job_id("intake", case.id)) is not None

    make_worker(app).work(burst=True)

    db.session.expire_all()
    stored = db.session.get(Case, case.id)
    assert stored is not None and stored.status == CaseStatus.IN_REVIEW
    assert db.session.scalars(select(OutboxEntry)).one().completed_at is not None
    purposes = db.session.scalars(select(BlindIndex.purpose).where(BlindIndex.case_id == case.id))
    assert set(purposes) == {
        "document_number",
        "name_birth_year",
        "name_translit_arabic",
        "name_translit_latin",
        "name_vowelled_latin",
        "phone",
    }
    # Screened: an assessment with reasons, and the case's queue columns set from it.
    assessment = db.session.scalars(
        select(RiskAssessment).where(RiskAssessment.case_id == case.id)
    ).one()
    assert assessment.reasons and stored.priority_score == assessment.priority_score > 0
    assert stored.screening_status == assessment.screening_status != ScreeningStatus.PENDING
