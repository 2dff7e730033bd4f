"""Each request has an id, answered in ``X-Request-ID`` and carried by every line it logs;
JSON lines when asked for; the worker's lines carry the job's id."""

import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from portal.apply.services import submit_case
from portal.core.request_log import ACCESS_LOGGER, PortalHandler, configure_logging
from portal.extensions import db
from portal.intake.queue import INTAKE_JOB, job_id
from portal.intake.worker import make_worker
from tests.conftest import AppFactory
from tests.factories import make_case

GENERATED = re.compile(r"[0-9a-f]{32}")
PROXY_ID = "7d4c0e2a-51b9-4f3e-9a6d-2c8b1f0e3a77"
# Loggers created before the test schema was built, which Alembic's fileConfig disabled;
# a web or worker process never runs it.
LOGGERS = (ACCESS_LOGGER, "portal.intake.tasks", "rq.worker", "tests.inside", "werkzeug")


@pytest.fixture
def awake() -> Iterator[None]:
    loggers = [logging.getLogger(name) for name in LOGGERS]
    disabled = [logger.disabled for logger in loggers]
    for logger in loggers:
        logger.disabled = False
    yield
    for logger, was in zip(loggers, disabled, strict=True):
        logger.disabled = was


@pytest.fixture
def written(make_app: AppFactory, awake: None) -> Iterator[io.StringIO]:
    """What the portal's log handler writes, instead of standard error."""
    stream = io.StringIO()
    handler = configure_logging(make_app())
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def _with_a_logging_view(app: Flask) -> Flask:
    def speak() -> str:
        logging.getLogger("tests.inside").warning("something happened inside")
        return "spoken"

    app.add_url_rule("/speak", "speak", speak)
    return app


def test_each_request_gets_an_id_of_its_own(make_app: AppFactory) -> None:
    client = make_app().test_client()
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/nowhere").headers["X-Request-ID"]
    assert GENERATED.fullmatch(first) and GENERATED.fullmatch(second)
    assert first != second


def test_a_trusted_proxy_s_id_is_carried_on(make_app: AppFactory) -> None:
    client = make_app(PORTAL_TRUSTED_PROXIES=1).test_client()
    response = client.get("/healthz", headers={"X-Request-ID": PROXY_ID})
    assert response.headers["X-Request-ID"] == PROXY_ID


@pytest.mark.parametrize(
    ("proxies", "sent"),
    [
        (1, "Zarminagul Ahmadzai"),  # not an id: it could carry anything into the logs
        (1, "abc"),
        (1, "f" * 65),
        (0, PROXY_ID),  # no proxy in front: the client wrote it
    ],
)
def test_an_id_not_to_be_believed_is_replaced(
    make_app: AppFactory, proxies: int, sent: str
) -> None:
    client = make_app(PORTAL_TRUSTED_PROXIES=proxies).test_client()
    answered = client.get("/healthz", headers={"X-Request-ID": sent}).headers["X-Request-ID"]
    assert GENERATED.fullmatch(answered) and answered != sent


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_lines_carry_the_request_id(make_app: AppFactory, written: io.StringIO) -> None:
    app = _with_a_logging_view(make_app(PORTAL_LOG_FORMAT="json"))
    response = app.test_client().get("/speak?name=Zarminagul")
    request_id = response.headers["X-Request-ID"]
    logging.getLogger("tests.inside").warning("after the request")

    lines = _lines(written)
    inside = [line for line in lines if line["logger"] == "tests.inside"]
    assert [line["message"] for line in inside] == [
        "something happened inside",
        "after the request",
    ]
    assert inside[1]["request_id"] is None and inside[1]["endpoint"] is None
    assert inside[0]["request_id"] == request_id and inside[0]["endpoint"] == "speak"
    assert inside[0]["level"] == "WARNING" and inside[0]["time"].endswith("+00:00")
    (access,) = [line for line in lines if line["logger"] == ACCESS_LOGGER]
    assert access["request_id"] == request_id
    assert access["endpoint"] == "speak" and access["status"] == 200
    assert isinstance(access["duration_ms"], float)
    assert "Zarminagul" not in written.getvalue() and "/speak" not in written.getvalue()


def test_a_refused_request_is_logged_with_its_status(
    make_app: AppFactory, written: io.StringIO
) -> None:
    app = make_app(PORTAL_LOG_FORMAT="json", PORTAL_FACES=frozenset({"internal"}))
    app.test_client().get("/nowhere/7d4c0e2a-51b9-4f3e-9a6d-2c8b1f0e3a77")
    (access,) = [line for line in _lines(written) if line["logger"] == ACCESS_LOGGER]
    assert access["endpoint"] == "unmatched" and access["status"] == 404
    assert "7d4c0e2a" not in written.getvalue()


def test_text_lines_are_readable_and_carry_the_request_id(
    make_app: AppFactory, written: io.StringIO
) -> None:
    app = _with_a_logging_view(make_app(PORTAL_LOG_FORMAT="text"))
    request_id = app.test_client().get("/speak").headers["X-Request-ID"]
    lines = written.getvalue().splitlines()
    assert any(
        f"WARNING tests.inside [request {request_id}] something happened inside" in line
        for line in lines
    )
    assert any(f"[request {request_id}] GET speak 200 " in line for line in lines)


def test_the_worker_s_lines_carry_the_job_id(make_app: AppFactory, written: io.StringIO) -> None:
    app = make_app(PORTAL_LOG_FORMAT="json")
    with app.app_context():
        case, _code = make_case(db.session)
        submit_case(db.session, case)
        db.session.commit()
        expected = job_id(INTAKE_JOB, case.id)
        make_worker(app).work(burst=True)
    from_job = [line for line in _lines(written) if line["logger"] == "portal.intake.tasks"]
    assert from_job and {line.get("job_id") for line in from_job} == {expected}
    assert all(line["request_id"] is None for line in from_job)


def test_the_format_is_set_per_process_once(make_app: AppFactory) -> None:
    """Apps built again (tests, the worker's commands) keep one handler: no line twice."""
    make_app()
    configure_logging(make_app(PORTAL_LOG_FORMAT="json"))
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, PortalHandler)]
    assert len(handlers) == 1


def test_an_enrolment_link_is_written_without_its_secret_whoever_logs_it(
    written: io.StringIO,
) -> None:
    """The development server's access log (werkzeug, through the portal's handler)
    wrote every enrolment link whole: whoever read the log could enrol as the account."""
    request_line = "GET /staff/enrol/xPFCQPEla9OtDg0hoqHbJps-Utu1CWxM7Y6J2LwpFak HTTP/1.1"
    logging.getLogger("werkzeug").info('127.0.0.1 - - [date] "%s" %s -', request_line, 200)
    line = written.getvalue()
    assert "/staff/enrol/…" in line and "xPFCQPEla9Ot" not in line
