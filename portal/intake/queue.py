"""The RQ queue of intake work. Jobs carry a case id and nothing else."""

import uuid

from flask import current_app
from rq import Queue, Retry
from rq.job import Job
from rq.serializers import JSONSerializer

from portal.core.redis import get_redis

JOB_FUNCTIONS = {"intake": "portal.intake.tasks.process_case"}


def intake_queue() -> Queue:
    return Queue(
        current_app.config["PORTAL_QUEUE_NAME"],
        connection=get_redis(),
        serializer=JSONSerializer,
    )


def job_id(job: str, case_id: uuid.UUID) -> str:
    return f"{job}-{case_id}"


def enqueue(job: str, case_id: uuid.UUID) -> Job:
    """Enqueue with a stable id: enqueuing again replaces, never duplicates, the job."""
    return intake_queue().enqueue_call(
        JOB_FUNCTIONS[job],
        args=[str(case_id)],
        job_id=job_id(job, case_id),
        timeout=current_app.config["PORTAL_JOB_TIMEOUT"],
        # Immediate retries need no RQ scheduler; the relay retries later, after a pause.
        retry=Retry(max=2),
        result_ttl=3600,
        failure_ttl=7 * 24 * 3600,
    )


def fetch(job: str, case_id: uuid.UUID) -> Job | None:
    queue = intake_queue()
    return queue.fetch_job(job_id(job, case_id))
