"""What each process counts for Prometheus: requests, their latency, and intake jobs.

Labels are endpoint names, status codes and job names, never paths, ids or anything an
applicant wrote: a path holds case ids and enrolment tokens, and every label value makes
a time series of its own.

Under gunicorn each worker process counts for itself. With ``PROMETHEUS_MULTIPROC_DIR``
set in the environment before the process starts (prometheus-client reads it when first
imported) every process writes its counts to files there, and a scrape adds up the files
of all of them; without it a scrape sees the counts of the process that answers.
"""

import os
from collections.abc import Iterable

from flask import Flask, Response, request_finished
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from portal.core.request_log import endpoint_name, request_seconds

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"

REQUESTS = Counter(
    "portal_http_requests",
    "Requests answered, by endpoint and status code.",
    ["endpoint", "status"],
)
REQUEST_SECONDS = Histogram(
    "portal_http_request_duration_seconds",
    "Time from the request's start to its response, by endpoint.",
    ["endpoint"],
    # Pages take milliseconds; a final submission or an export may take seconds.
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
JOB_SECONDS = Histogram(
    "portal_job_duration_seconds",
    "Time a worker spent on a job, failed or not, by job name.",
    ["job"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0),
)
JOB_FAILURES = Counter(
    "portal_job_failures",
    "Jobs that ended in failure (each failed try counts), by job name.",
    ["job"],
)


def _count_request(_app: Flask, response: Response, **_extra: object) -> None:
    endpoint = endpoint_name()
    REQUESTS.labels(endpoint=endpoint, status=str(response.status_code)).inc()
    REQUEST_SECONDS.labels(endpoint=endpoint).observe(request_seconds())


def init_app(app: Flask) -> None:
    """Count every response that leaves, error pages included."""
    request_finished.connect(_count_request, app)


def record_job(job: str, seconds: float, *, failed: bool) -> None:
    """One run of ``job``: how long it took and whether it failed."""
    JOB_SECONDS.labels(job=job).observe(seconds)
    if failed:
        JOB_FAILURES.labels(job=job).inc()


class _ThisProcess(Collector):
    """The default registry's metrics: this process's counts and its own figures."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def exposition(*collectors: Collector) -> bytes:
    """The text a scrape gets: the counted metrics (of every process sharing
    ``PROMETHEUS_MULTIPROC_DIR``, or of this one) and what ``collectors`` find now."""
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROCESS_DIR):
        MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    for collector in collectors:
        registry.register(collector)
    return generate_latest(registry)
