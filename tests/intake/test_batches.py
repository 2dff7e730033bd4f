"""An intake job screens the cases whose jobs are next in the queue together with its own:
one transaction for all, their jobs taken out of the queue, and one bad case holding up
none of the others."""

import uuid

import pytest
from flask import Flask
from rq.job import Job
from sqlalchemy import func, select

from portal.apply.services import submit_case
from portal.cases.models import Case, RiskAssessment
from portal.cases.states import CaseStatus, ScreeningStatus
from portal.core.audit import AuditEvent
from portal.core.redis import get_redis
from portal.extensions import db
from portal.intake import reasons as R
from portal.intake import tasks
from portal.intake.models import OutboxEntry
from portal.intake.queue import INTAKE_JOB, discard, enqueue, intake_queue, job_id
from portal.intake.tasks import process_case
from portal.intake.worker import make_worker
from tests.conftest import AppFactory
from tests.intake.conftest import distinct_case, links
from tests.intake.test_duplicates import AHMAD, codes


def _submitted(count: int, **principal: object) -> list[uuid.UUID]:
    ids = []
    for _ in range(count):
        case = distinct_case(**principal)
        submit_case(db.session, case)  # enqueues its job
        db.session.commit()
        ids.append(case.id)
    db.session.remove()
    return ids


def _status(case_id: uuid.UUID) -> CaseStatus:
    db.session.expire_all()
    return db.session.get(Case, case_id).status


def _count(*where: object) -> int:
    return db.session.scalar(select(func.count()).where(*where)) or 0


def test_one_job_screens_the_cases_queued_behind_it(app: Flask) -> None:
    ids = _submitted(3)
    assert intake_queue().count == 3

    assert process_case(str(ids[0])) == "in_review"

    assert {_status(case_id) for case_id in ids} == {CaseStatus.IN_REVIEW}
    # The others' jobs are gone from the queue and from Redis: nothing runs them again.
    assert intake_queue().get_job_ids() == [f"intake-{ids[0]}"]  # the stable id, as documented
    assert not any(Job.exists(job_id(INTAKE_JOB, other), get_redis()) for other in ids[1:])
    for case_id in ids:
        assert _count(OutboxEntry.case_id == case_id, OutboxEntry.completed_at.is_(None)) == 0
        assert _count(RiskAssessment.case_id == case_id) == 1
        # Each case's own decryption and steps (submitted, screening, in review) are audited.
        assert _count(AuditEvent.case_id == case_id, AuditEvent.action == "case.decrypted") == 1
        steps = AuditEvent.action == "case.status_changed"
        assert _count(AuditEvent.case_id == case_id, steps) == 3

    make_worker(app).work(burst=True)  # the first case's own job, run by the worker
    assert _count(RiskAssessment.case_id.in_(ids)) == 3


def test_cases_screened_together_are_linked_to_each_other(app: Flask) -> None:
    first, second = _submitted(2, document_number="X-9", **AHMAD)

    process_case(str(first))

    pairs = {(case_id, other) for case_id, other, *_rest in links()}
    assert pairs == {(first, second), (second, first)}
    for case_id in (first, second):
        db.session.expire_all()
        assessment = db.session.scalars(
            select(RiskAssessment).where(RiskAssessment.case_id == case_id)
        ).one()
        assert codes(assessment)[R.DUPLICATE_DOCUMENT] == {"cases": 1}
        assert assessment.screening_status == ScreeningStatus.CONCERN


def test_a_batch_of_one_screens_only_the_jobs_own_case(make_app: AppFactory) -> None:
    app = make_app(PORTAL_INTAKE_BATCH_SIZE=1)
    with app.app_context():
        first, second = _submitted(2)
        assert process_case(str(first)) == "in_review"
        assert _status(second) == CaseStatus.SUBMITTED
        assert intake_queue().count == 2  # the second's job waits for its turn


def test_one_failing_case_holds_up_none_of_the_others(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    good, bad, later = _submitted(3)
    real = tasks.screen_cases

    def failing_with(bad_case: uuid.UUID):
        def screen(session, cases, *args, **kwargs):
            if any(case.id == bad_case for case in cases):
                raise RuntimeError("this case cannot be screened")
            return real(session, cases, *args, **kwargs)

        return screen

    monkeypatch.setattr(tasks, "screen_cases", failing_with(bad))

    # The batch fails; the job's own case is screened alone, the others keep their jobs.
    assert process_case(str(good)) == "in_review"
    assert (_status(bad), _status(later)) == (CaseStatus.SUBMITTED, CaseStatus.SUBMITTED)
    assert job_id(INTAKE_JOB, later) in intake_queue().get_job_ids()

    make_worker(app).work(burst=True)

    assert (_status(good), _status(later)) == (CaseStatus.IN_REVIEW, CaseStatus.IN_REVIEW)
    assert _status(bad) == CaseStatus.SUBMITTED
    failed = db.session.scalars(select(OutboxEntry).where(OutboxEntry.case_id == bad)).one()
    assert failed.last_error == "RuntimeError" and failed.completed_at is None
    # A case that failed before is left to its own job, even where it would pass now:
    # queued behind another case again (as the relay does), it is not claimed by its job.
    monkeypatch.setattr(tasks, "screen_cases", real)
    other = _submitted(1)[0]
    enqueue(INTAKE_JOB, bad)
    assert process_case(str(other)) == "in_review"
    assert _status(bad) == CaseStatus.SUBMITTED
    assert job_id(INTAKE_JOB, bad) in intake_queue().get_job_ids()


def test_a_job_a_worker_took_meanwhile_is_left_to_it(app: Flask) -> None:
    taken, queued = _submitted(2)
    intake_queue().remove(job_id(INTAKE_JOB, taken))  # as a worker's dequeue does

    discard(INTAKE_JOB, [taken, queued])

    assert Job.exists(job_id(INTAKE_JOB, taken), get_redis())  # the worker still reports on it
    assert not Job.exists(job_id(INTAKE_JOB, queued), get_redis())
    assert intake_queue().count == 0


def test_a_worker_process_freezes_what_it_holds_after_its_first_job(app: Flask) -> None:
    import gc

    from portal.intake.worker import OWN_PROCESS, own_process

    first, _second = _submitted(2)
    make_worker(app).work(burst=True)  # a worker inside another process (here, the tests)
    assert gc.get_freeze_count() == 0
    try:
        own_process(app)  # as `flask worker` marks its process
        enqueue(INTAKE_JOB, first)  # nothing to do: enough for a job to run
        make_worker(app).work(burst=True)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        app.extensions.pop(OWN_PROCESS)
