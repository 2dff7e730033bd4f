"""The queue may lose jobs; the database may not. Redis down, flushed, a job run twice."""

from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select

from portal.apply.services import submit_case
from portal.cases.models import BlindIndex, Case, CaseTransition, DuplicateLink, RiskAssessment
from portal.cases.states import CaseStatus
from portal.core.audit import AuditEvent
from portal.core.db import utcnow
from portal.core.redis import get_redis
from portal.extensions import db
from portal.intake.models import OutboxEntry
from portal.intake.outbox import relay
from portal.intake.queue import INTAKE_JOB, fetch, intake_queue
from portal.intake.tasks import process_case
from portal.intake.worker import make_worker
from tests.conftest import AppFactory
from tests.factories import make_case

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def _status(case_id) -> CaseStatus:
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    assert case is not None
    return case.status


def test_submitting_while_redis_is_down_stores_the_case_and_the_relay_catches_up(
    make_app: AppFactory,
) -> None:
    down = make_app(REDIS_URL=DEAD_REDIS)
    with down.app_context():
        case, _code = make_case(db.session)
        submit_case(db.session, case)  # no exception: the applicant is confirmed
        db.session.commit()
        case_id = case.id
        assert _status(case_id) == CaseStatus.SUBMITTED
        entry = db.session.scalars(select(OutboxEntry)).one()
        assert entry.enqueued_at is None

    up = make_app()
    with up.app_context():
        assert relay(db.session).enqueued == 1
        make_worker(up).work(burst=True)
        assert _status(case_id) == CaseStatus.IN_REVIEW
        assert db.session.scalars(select(OutboxEntry)).one().completed_at is not None


def _screened_once(case_ids: list) -> None:
    """Every case in review with exactly one move into review and one intake assessment,
    plus one for each later case that linked to it (the factory's cases are duplicates)."""
    db.session.expire_all()
    for case_id in case_ids:
        assert _status(case_id) == CaseStatus.IN_REVIEW
        assessments = db.session.scalar(
            select(func.count()).where(RiskAssessment.case_id == case_id)
        )
        assessments -= db.session.scalar(
            select(func.count()).where(
                AuditEvent.case_id == case_id, AuditEvent.action == "case.screening_updated"
            )
        )
        into_review = db.session.scalar(
            select(func.count()).where(
                CaseTransition.case_id == case_id, CaseTransition.to_status == CaseStatus.IN_REVIEW
            )
        )
        assert (assessments, into_review) == (1, 1), case_id
    assert db.session.scalar(select(func.count()).where(OutboxEntry.completed_at.is_(None))) == 0


def test_redis_stopped_during_submissions_and_started_again(make_app: AppFactory) -> None:
    """Submissions before, during and after an outage: every case screened, and once."""
    up, down = make_app(), make_app(REDIS_URL=DEAD_REDIS)
    case_ids = []
    for phase in (up, down, down, up, down):
        with phase.app_context():
            case, _code = make_case(db.session, family=1)
            submit_case(db.session, case)
            db.session.commit()
            case_ids.append(case.id)
    with up.app_context():
        make_worker(up).work(burst=True)  # Redis is back: what reached it is screened
        assert sum(_status(case_id) == CaseStatus.IN_REVIEW for case_id in case_ids) == 2
        assert relay(db.session).enqueued == 3
        make_worker(up).work(burst=True)
        _screened_once(case_ids)
        # The next relay finds nothing to do, and the cases are not screened again.
        report = relay(db.session)
        assert (report.enqueued, report.requeued, report.failed) == (0, 0, 0)
        make_worker(up).work(burst=True)
        _screened_once(case_ids)


def test_a_flushed_redis_is_rebuilt_from_the_outbox(app: Flask) -> None:
    cases = [make_case(db.session)[0] for _ in range(3)]
    for case in cases:
        submit_case(db.session, case)
        db.session.commit()
    assert intake_queue().count == 3
    assert relay(db.session).waiting == 3  # as the workers' relay finds them, every 30 s
    get_redis().flushdb()
    assert intake_queue().count == 0

    report = relay(db.session)
    assert report.requeued == 3
    make_worker(app).work(burst=True)
    assert {_status(case.id) for case in cases} == {CaseStatus.IN_REVIEW}
    _screened_once([case.id for case in cases])


def test_the_relay_leaves_queued_jobs_alone(app: Flask) -> None:
    case, _code = make_case(db.session)
    submit_case(db.session, case)
    db.session.commit()
    report = relay(db.session)
    assert (report.enqueued, report.requeued, report.waiting) == (0, 0, 1)
    assert intake_queue().count == 1


def test_a_job_run_twice_gives_the_same_result_as_once(app: Flask) -> None:
    earlier, _code = make_case(db.session, family=2)  # shares people: duplicate links
    submit_case(db.session, earlier)
    db.session.commit()
    earlier_id = earlier.id
    case, _code = make_case(db.session, family=2)
    submit_case(db.session, case)
    db.session.commit()
    case_id = case.id
    db.session.remove()
    # The earlier case's job screens the case too: its job is next in the queue.
    assert process_case(str(earlier_id)) == "in_review"
    assert _status(case_id) == CaseStatus.IN_REVIEW
    first = _snapshot(case_id)
    assert len(first["assessments"]) == 1 and first["links"]
    db.session.remove()
    assert process_case(str(case_id)) == "skipped"
    assert _snapshot(case_id) == first


def test_screening_again_replaces_the_intake_assessment(app: Flask) -> None:
    """If a rerun does reach the screening (the move to review was lost), the latest
    intake assessment replaces the earlier one, and the links are the same."""
    earlier, _code = make_case(db.session, family=1)
    submit_case(db.session, earlier)
    db.session.commit()
    earlier_id = earlier.id
    case, _code = make_case(db.session, family=1)
    submit_case(db.session, case)
    db.session.commit()
    case_id = case.id
    db.session.remove()
    assert process_case(str(earlier_id)) == "in_review"  # the case's too: next in the queue
    first = _snapshot(case_id)

    stored = db.session.get(Case, case_id)
    assert stored is not None
    stored.status = CaseStatus.SCREENING
    db.session.commit()
    db.session.remove()
    assert process_case(str(case_id)) == "in_review"
    again = _snapshot(case_id)
    assert len(again["assessments"]) == 1
    assert again["assessments"] != first["assessments"]  # a new one, not an added one
    assert again["reasons"] == first["reasons"] and again["links"] == first["links"]


def test_a_job_interrupted_after_screening_began_finishes_on_the_next_run(app: Flask) -> None:
    """A worker that died after committing 'screening' leaves work the next run completes."""
    from portal.cases.lifecycle import transition
    from portal.cases.states import ActorKind

    case, _code = make_case(db.session)
    submit_case(db.session, case)
    db.session.commit()
    transition(db.session, case, CaseStatus.SCREENING, actor_kind=ActorKind.SYSTEM)
    db.session.commit()
    case_id = case.id
    db.session.remove()
    assert process_case(str(case_id)) == "in_review"
    assert _snapshot(case_id)["transitions"] == [
        "draft>submitted",
        "submitted>screening",
        "screening>in_review",
    ]


def _snapshot(case_id) -> dict:
    db.session.expire_all()
    indexes = db.session.scalars(
        select(BlindIndex.digest).where(BlindIndex.case_id == case_id).order_by(BlindIndex.digest)
    ).all()
    steps = db.session.scalars(
        select(CaseTransition).where(CaseTransition.case_id == case_id).order_by(CaseTransition.at)
    ).all()
    assessments = db.session.scalars(
        select(RiskAssessment).where(RiskAssessment.case_id == case_id)
    ).all()
    links = db.session.execute(
        select(
            DuplicateLink.case_id,
            DuplicateLink.other_case_id,
            DuplicateLink.person_id,
            DuplicateLink.other_person_id,
            DuplicateLink.matched_on,
            DuplicateLink.reason,
        )
    ).all()
    return {
        "status": _status(case_id),
        "assessments": sorted(str(assessment.id) for assessment in assessments),
        "reasons": [assessment.reasons for assessment in assessments],
        "links": sorted(map(str, links)),
        "indexes": indexes,
        "transitions": [f"{step.from_status}>{step.to_status}" for step in steps],
        "open_outbox": db.session.scalar(
            select(func.count()).where(OutboxEntry.completed_at.is_(None))
        ),
    }


def test_failed_jobs_are_retried_by_the_relay_after_a_pause(app: Flask) -> None:
    case, _code = make_case(db.session)
    submit_case(db.session, case)
    db.session.commit()
    job = fetch(INTAKE_JOB, case.id)
    assert job is not None
    # As RQ leaves a job whose retries ran out.
    from rq.registry import FailedJobRegistry

    intake_queue().remove(job)
    FailedJobRegistry(queue=intake_queue()).add(job, exc_string="boom")
    job.set_status("failed")

    assert relay(db.session).requeued == 0  # too soon: wait for the stale window
    later = utcnow() + timedelta(seconds=app.config["PORTAL_RELAY_STALE_SECONDS"] + 1)
    assert relay(db.session, now=later).requeued == 1
    make_worker(app).work(burst=True)
    assert _status(case.id) == CaseStatus.IN_REVIEW
