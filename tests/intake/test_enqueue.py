"""Handing a job to Redis: one round trip, and the job and its queue where RQ looks."""

import uuid
from typing import Any

import pytest
import redis
from flask import Flask
from rq import Queue

from portal.core.redis import get_redis
from portal.intake.queue import INTAKE_JOB, enqueue, intake_queue, job_id


def test_enqueuing_is_one_round_trip_to_redis(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    enqueue(INTAKE_JOB, uuid.uuid4())  # RQ asks the server's version once per connection
    trips: list[str] = []
    pipeline_execute = redis.client.Pipeline.execute
    command = redis.Redis.execute_command

    def counted_pipeline(self: Any, *args: Any, **kwargs: Any) -> Any:
        trips.append("pipeline")
        return pipeline_execute(self, *args, **kwargs)

    def counted_command(self: Any, *args: Any, **kwargs: Any) -> Any:
        trips.append(str(args[0]))
        return command(self, *args, **kwargs)

    monkeypatch.setattr(redis.client.Pipeline, "execute", counted_pipeline)
    monkeypatch.setattr(redis.Redis, "execute_command", counted_command)
    case_id = uuid.uuid4()
    job = enqueue(INTAKE_JOB, case_id)
    monkeypatch.undo()
    assert trips == ["pipeline"]
    assert job.id == job_id(INTAKE_JOB, case_id)
    assert job.id in intake_queue().get_job_ids()
    assert intake_queue().fetch_job(job.id).args == [str(case_id)]  # type: ignore[union-attr]
    # The queue is listed where workers and RQ's tools find the queues.
    assert intake_queue().name in [queue.name for queue in Queue.all(connection=get_redis())]
