"""``/metrics``: on the internal face only, for the holder of the token, with counts that
follow what happened and labels that name endpoints and states, never a case or a person."""

import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select, update

from portal.apply.services import submit_case
from portal.cases.models import FiguresRefresh
from portal.cases.states import CaseStatus, ScreeningStatus
from portal.config import ConfigurationError, load_config
from portal.core.db import utcnow
from portal.extensions import db
from portal.intake import tasks
from portal.intake.models import OutboxEntry
from portal.intake.worker import make_worker
from tests.conftest import AppFactory
from tests.factories import PRINCIPAL, make_case
from tests.i18n.applicant_pages import ERROR_ENDPOINT

TOKEN = "scrape-" + "k3y" * 12
AUTH = {"Authorization": f"Bearer {TOKEN}"}
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture
def internal(make_app: AppFactory) -> Flask:
    return make_app(PORTAL_FACES=frozenset({"internal"}), PORTAL_METRICS_TOKEN=TOKEN)


def scrape(app: Flask) -> Samples:
    response = app.test_client().get("/metrics", headers=AUTH)
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain; version=")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_requests_are_counted_by_endpoint_and_status(internal: Flask) -> None:
    before = scrape(internal)
    client = internal.test_client()
    for _ in range(2):
        assert client.get("/healthz").status_code == 200
    assert client.get(f"/staff/cases/{uuid.uuid4()}?reference=X").status_code == 302
    assert client.get(f"/nowhere/{uuid.uuid4()}").status_code == 404
    after = scrape(internal)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    requests = "portal_http_requests_total"
    assert grew(requests, endpoint="health.show_health", status="200") == 2
    assert grew(requests, endpoint="review.show_case", status="302") == 1
    assert grew(requests, endpoint="unmatched", status="404") == 1
    assert grew(requests, endpoint="metrics.show_metrics", status="200") == 1  # the first scrape
    latency = "portal_http_request_duration_seconds"
    assert grew(f"{latency}_count", endpoint="health.show_health") == 2
    assert grew(f"{latency}_bucket", endpoint="health.show_health", le="+Inf") == 2


def test_queue_outbox_and_case_figures_follow_the_work(
    internal: Flask, make_app: AppFactory
) -> None:
    with internal.app_context():
        idle = scrape(internal)
        assert value(idle, "portal_intake_queue_length") == 0
        assert value(idle, "portal_outbox_lag_seconds") == 0
        assert value(idle, "portal_store_up", store="database") == 1
        assert value(idle, "portal_store_up", store="redis") == 1

        for _ in range(2):
            case, _code = make_case(db.session)
            submit_case(db.session, case)
            db.session.commit()
        # The older promise was made two minutes ago.
        oldest = db.session.scalars(select(OutboxEntry).limit(1)).one()
        oldest.created_at = utcnow() - timedelta(minutes=2)
        db.session.commit()
        waiting = scrape(internal)
        assert value(waiting, "portal_intake_queue_length") == 2
        assert value(waiting, "portal_outbox_pending") == 2
        assert 120 <= value(waiting, "portal_outbox_lag_seconds") < 3600
        pending = {"status": CaseStatus.SUBMITTED.value, "screening": ScreeningStatus.PENDING}
        assert value(waiting, "portal_cases", **pending) == 2

        make_worker(internal).work(burst=True)
        done = scrape(internal)
    assert value(done, "portal_intake_queue_length") == 0
    assert value(done, "portal_outbox_pending") == 0
    assert value(done, "portal_outbox_lag_seconds") == 0
    assert value(done, "portal_cases", **pending) == 0
    in_review = sum(
        count
        for (name, labels), count in done.items()
        if name == "portal_cases" and ("status", CaseStatus.IN_REVIEW.value) in labels
    )
    assert in_review == 2
    jobs = "portal_job_duration_seconds_count"
    assert value(done, jobs, job="intake") - value(waiting, jobs, job="intake") >= 1


def _boom(*_args: object, **_kwargs: object) -> None:
    raise ValueError("screening broke")


def test_a_failing_job_is_counted_and_fills_the_failed_registry(
    internal: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tasks, "screen_cases", _boom)
    with internal.app_context():
        before = scrape(internal)
        case, _code = make_case(db.session)
        submit_case(db.session, case)
        db.session.commit()
        make_worker(internal).work(burst=True)
        after = scrape(internal)
    failures = "portal_job_failures_total"
    runs = "portal_job_duration_seconds_count"
    # The job and its two immediate retries (portal.intake.queue) failed, and were timed.
    assert value(after, failures, job="intake") - value(before, failures, job="intake") == 3
    assert value(after, runs, job="intake") - value(before, runs, job="intake") == 3
    assert value(after, "portal_intake_failed_jobs") == 1


def test_the_figures_age_is_shown_once_they_were_refreshed(internal: Flask) -> None:
    with internal.app_context():
        assert ("portal_figures_age_seconds", frozenset()) not in scrape(internal)
        db.session.merge(FiguresRefresh(id=1, refreshed_at=utcnow() - timedelta(minutes=10)))
        db.session.commit()
        assert 600 <= value(scrape(internal), "portal_figures_age_seconds") < 3600
        db.session.execute(update(FiguresRefresh).values(refreshed_at=None))
        db.session.commit()


def test_no_label_holds_a_path_an_id_or_personal_data(
    internal: Flask, make_app: AppFactory
) -> None:
    with internal.app_context():
        case, code = make_case(db.session)
        submit_case(db.session, case)
        db.session.commit()
        case_id, reference = str(case.id), case.reference
    client = internal.test_client()
    client.get(f"/staff/cases/{case_id}?name={PRINCIPAL['family_name_latin']}")
    client.get(f"/{reference}/{code}")
    samples = scrape(internal)
    # The counters are per process: earlier tests may have counted either face's endpoints.
    allowed = (
        set(make_app().view_functions)
        | {"unmatched", "intake", "other", "redis", "database"}
        | {ERROR_ENDPOINT}  # the route the language tests add to their app for a 500
        | {str(status) for status in range(100, 600)}
        | set(CaseStatus)
        | set(ScreeningStatus)
    )
    labels = {
        (name, label, label_value)
        for name, pairs in samples
        if name.startswith("portal_")
        for label, label_value in pairs
        if label != "le"
    }
    assert labels, "the scrape had no labelled portal metrics"
    assert {entry for entry in labels if entry[2] not in allowed} == set()


def test_the_public_face_has_no_metrics(make_app: AppFactory) -> None:
    public = make_app(PORTAL_FACES=frozenset({"public"}), PORTAL_METRICS_TOKEN=TOKEN)
    response = public.test_client().get("/metrics", headers=AUTH)
    assert response.status_code == 404
    assert "portal_" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": TOKEN},
    ],
    ids=["none", "wrong", "longer", "basic", "bare"],
)
def test_a_scrape_without_the_token_is_refused(internal: Flask, headers: dict[str, str]) -> None:
    response = internal.test_client().get("/metrics", headers=headers)
    assert response.status_code == 401
    assert "portal_" not in response.get_data(as_text=True)


def test_without_a_configured_token_there_is_no_metrics_route(make_app: AppFactory) -> None:
    app = make_app(PORTAL_FACES=frozenset({"internal"}), PORTAL_METRICS_TOKEN=None)
    assert app.test_client().get("/metrics", headers=AUTH).status_code == 404
    assert app.test_client().get("/metrics").status_code == 404


def test_production_refuses_a_short_token(tmp_path: Path) -> None:
    environ = {
        "PORTAL_ENV": "production",
        "SECRET_KEY": "Xq9vL2mR7tK4pW8zN3bH6yC1dF5gJ0sA",
        "DATABASE_URL": "postgresql://db/portal",
        "REDIS_URL": "redis://redis/0",
        "PORTAL_KEYS_DIR": str(tmp_path),
        "PORTAL_FACES": "public",
    }
    config = load_config(tmp_path, environ | {"PORTAL_METRICS_TOKEN": TOKEN})
    assert config["PORTAL_METRICS_TOKEN"] == TOKEN
    for weak in ("short", "a" * 40):
        with pytest.raises(ConfigurationError, match="PORTAL_METRICS_TOKEN"):
            load_config(tmp_path, environ | {"PORTAL_METRICS_TOKEN": weak})


def test_a_scrape_without_redis_still_answers(make_app: AppFactory) -> None:
    app = make_app(
        PORTAL_FACES=frozenset({"internal"}),
        PORTAL_METRICS_TOKEN=TOKEN,
        REDIS_URL="redis://127.0.0.1:1/0",
    )
    samples = scrape(app)
    assert value(samples, "portal_store_up", store="redis") == 0
    assert value(samples, "portal_store_up", store="database") == 1
    assert ("portal_intake_queue_length", frozenset()) not in samples


COUNT_ONE_REQUEST = """
from portal.core.metrics import REQUESTS
REQUESTS.labels(endpoint="health.show_health", status="200").inc()
"""
SCRAPE = """
import sys
from portal.core.metrics import exposition
sys.stdout.write(exposition().decode())
"""


def test_processes_sharing_a_metrics_directory_add_up(tmp_path: Path) -> None:
    """Gunicorn's worker processes each count; a scrape answered by any one sees all."""
    environ = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}

    def run(script: str) -> str:
        return subprocess.run(  # noqa: S603 - this interpreter, a fixed script
            [sys.executable, "-c", script],
            env=environ,
            check=True,
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
        ).stdout

    run(COUNT_ONE_REQUEST)
    run(COUNT_ONE_REQUEST)
    counted = {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(run(SCRAPE))
        for sample in family.samples
    }
    labels = frozenset({("endpoint", "health.show_health"), ("status", "200")})
    assert counted[("portal_http_requests_total", labels)] == 2
