"""The RQ queue of intake work. Jobs carry a case id and nothing else."""

import uuid
from collections.abc import Iterable

from flask import current_app
from rq import Queue, Retry
from rq.job import Job
from rq.serializers import JSONSerializer

from portal.core.redis import get_redis

# The intake job's name: the job of its outbox rows, and the prefix of its job ids.
INTAKE_JOB = "intake"
JOB_FUNCTIONS = {INTAKE_JOB: "portal.intake.tasks.process_case"}


def intake_queue() -> Queue:
    return Queue(
        current_app.config["PORTAL_QUEUE_NAME"],
        connection=get_redis(),
        serializer=JSONSerializer,
    )


def job_id(job: str, case_id: uuid.UUID) -> str:
    """The job's stable id: ``intake-<case uuid>`` for the intake job."""
    return f"{job}-{case_id}"


def case_of(job: str, queued: str) -> uuid.UUID | None:
    """The case of a ``job`` job id, as ``job_id`` writes it; None for any other id."""
    prefix = f"{job}-"
    if not queued.startswith(prefix):
        return None
    try:
        return uuid.UUID(queued.removeprefix(prefix))
    except ValueError:  # some other job that happens to share the prefix
        return None


def enqueue(job: str, case_id: uuid.UUID) -> Job:
    """Enqueue with a stable id: enqueuing again replaces, never duplicates, the job.

    In one pipeline, one round trip to Redis: on its own, RQ sends the queue's name and
    the job in two (this runs in every submission's request).
    """
    queue = intake_queue()
    with queue.connection.pipeline() as pipeline:
        enqueued = queue.enqueue_call(
            JOB_FUNCTIONS[job],
            args=[str(case_id)],
            job_id=job_id(job, case_id),
            timeout=current_app.config["PORTAL_JOB_TIMEOUT"],
            # Immediate retries need no RQ scheduler; the relay retries later, after a pause.
            retry=Retry(max=2),
            result_ttl=3600,
            failure_ttl=7 * 24 * 3600,
            pipeline=pipeline,
        )
        pipeline.execute()
    return enqueued


def fetch(job: str, case_id: uuid.UUID) -> Job | None:
    queue = intake_queue()
    return queue.fetch_job(job_id(job, case_id))


def queued_cases(job: str, limit: int) -> list[uuid.UUID]:
    """The cases whose ``job`` jobs are among the next ``limit`` jobs in the queue."""
    found = []
    for queued in intake_queue().get_job_ids(0, limit - 1) if limit > 0 else ():
        case_id = case_of(job, queued)
        if case_id is not None:
            found.append(case_id)
    return found


def discard(job: str, case_ids: Iterable[uuid.UUID]) -> None:
    """Take the cases' ``job`` jobs out of the queue and forget them: their work is done.

    Only jobs still in the queue are forgotten; one a worker took meanwhile is left to it
    (it finds its case done, as a job run twice does).
    """
    queue = intake_queue()
    ids = [job_id(job, case_id) for case_id in case_ids]
    with queue.connection.pipeline() as pipeline:
        for queued in ids:
            queue.remove(queued, pipeline=pipeline)
        removed = pipeline.execute()
    taken = [Job.key_for(queued) for queued, count in zip(ids, removed, strict=True) if count]
    if taken:
        queue.connection.delete(*taken)
