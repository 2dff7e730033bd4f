"""Log lines that say which request or job they belong to, and nothing about anyone.

Every request gets an id: the one a trusted proxy sent in ``X-Request-ID`` if it looks
like an id, a fresh one otherwise. It goes back in the response's ``X-Request-ID`` and
into every log line written while the request is handled, as the job's id goes into every
line written while the worker runs a job. Each request ends with one line naming its
endpoint, status and duration; never its path or query, which may hold ids and tokens.

``PORTAL_LOG_FORMAT=json`` writes one JSON object per line for a log collector; the
default is readable text.
"""

import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from flask import (
    Flask,
    Response,
    g,
    request,
    request_finished,
    request_started,
    request_tearing_down,
)

REQUEST_ID_HEADER = "X-Request-ID"
# Hex digits and dashes only (a UUID, nginx's $request_id): an id in this form cannot
# carry a name or an address into the logs, whatever a client wrote.
WELL_FORMED_ID = re.compile(r"[0-9A-Fa-f-]{16,64}")
# A method is whatever token the client sent: only these are logged as they are.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Paths that carry a secret of their own (a staff enrolment link, which signs its holder up
# as the account): every log line, and gunicorn's access log, writes them without it.
SECRET_PATHS = re.compile(r"(/staff/enrol/)[^/\s\"?]+")
ACCESS_LOGGER = "portal.requests"
# Read by the filter for every line; set while a request or a job is handled.
_request_id: ContextVar[str | None] = ContextVar("portal_request_id", default=None)
_endpoint: ContextVar[str | None] = ContextVar("portal_endpoint", default=None)
_job_id: ContextVar[str | None] = ContextVar("portal_job_id", default=None)

access_log = logging.getLogger(ACCESS_LOGGER)


def current_request_id() -> str | None:
    return _request_id.get()


def endpoint_name() -> str:
    """The matched endpoint, or "unmatched": a label that never holds a path."""
    return request.endpoint or "unmatched"


def request_seconds() -> float:
    """Seconds since the request started (0 outside a request that was timed)."""
    started = g.get("portal_started")
    return time.perf_counter() - started if started is not None else 0.0


def _incoming_id(app: Flask) -> str | None:
    """The proxy's id for this request, believed only when proxies are (a client could
    send one itself) and only when it has an id's form."""
    if not app.config["PORTAL_TRUSTED_PROXIES"]:
        return None
    value = request.headers.get(REQUEST_ID_HEADER, "")
    return value if WELL_FORMED_ID.fullmatch(value) else None


def _start(app: Flask, **_extra: Any) -> None:
    g.portal_started = time.perf_counter()
    g.portal_request_id = _incoming_id(app) or uuid.uuid4().hex
    _request_id.set(g.portal_request_id)
    _endpoint.set(endpoint_name())


def _answer_with_id(response: Response) -> Response:
    request_id = g.get("portal_request_id")
    if request_id:
        response.headers[REQUEST_ID_HEADER] = request_id
    return response


def _finish(_app: Flask, response: Response, **_extra: Any) -> None:
    duration_ms = round(request_seconds() * 1000, 1)
    access_log.info(
        "%s %s %s %.1f ms",
        request.method if request.method in KNOWN_METHODS else "OTHER",
        endpoint_name(),
        response.status_code,
        duration_ms,
        extra={"status": response.status_code, "duration_ms": duration_ms},
    )


def _forget(_app: Flask, **_extra: Any) -> None:
    """The request is over, however it ended: lines from now on belong to no request."""
    _request_id.set(None)
    _endpoint.set(None)


def init_app(app: Flask) -> None:
    """Give each request an id, answer with it and log the request's end."""
    # Signals, not hooks: request_started comes before every before_request function (a
    # refusal by the rate limiter is logged with its id too), and request_finished gets
    # the response that really leaves, error pages included.
    request_started.connect(_start, app)
    request_finished.connect(_finish, app)
    request_tearing_down.connect(_forget, app)
    app.after_request(_answer_with_id)


@contextmanager
def job_context(job_id: str) -> Iterator[None]:
    """Lines logged inside carry ``job_id`` (the worker's job)."""
    token = _job_id.set(job_id)
    try:
        yield
    finally:
        _job_id.reset(token)


class SecretPathFilter(logging.Filter):
    """Takes the secret out of a path in any line, whoever logs it: the development
    server's access log (werkzeug) writes every request line through this handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if SECRET_PATHS.search(message):
            record.msg, record.args = SECRET_PATHS.sub(r"\1…", message), ()
        return True


class ContextFilter(logging.Filter):
    """Puts the request id, endpoint and job id of the moment on each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, variable in (
            ("request_id", _request_id),
            ("endpoint", _endpoint),
            ("job_id", _job_id),
        ):
            if getattr(record, name, None) is None:
                setattr(record, name, variable.get())
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "endpoint": getattr(record, "endpoint", None),
            "status": getattr(record, "status", None),
            "duration_ms": getattr(record, "duration_ms", None),
        }
        job_id = getattr(record, "job_id", None)
        if job_id:
            entry["job_id"] = job_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """A readable line: time, level, logger, the request's or job's id, the message."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(context)s%(message)s")

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        job_id = getattr(record, "job_id", None)
        record.context = (
            f"[request {request_id}] " if request_id else f"[job {job_id}] " if job_id else ""
        )
        return super().format(record)


class PortalHandler(logging.StreamHandler[Any]):
    """The portal's own handler on the root logger; one per process."""


def configure_logging(app: Flask, stream: Any = None) -> PortalHandler:
    """Send every logger's lines, from INFO up, to standard error in the configured format.

    Idempotent: a process that builds several apps (tests, the worker) keeps one handler.
    """
    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h, PortalHandler)), None)
    if handler is None:
        handler = PortalHandler(stream or sys.stderr)
        handler.addFilter(ContextFilter())
        handler.addFilter(SecretPathFilter())
        root.addHandler(handler)
    elif stream is not None:
        handler.setStream(stream)
    json_lines = app.config["PORTAL_LOG_FORMAT"] == "json"
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    if root.getEffectiveLevel() > logging.INFO:
        root.setLevel(logging.INFO)
    # Flask's own handler on the app's logger would write each line a second time.
    from flask.logging import default_handler

    logging.getLogger(app.name).removeHandler(default_handler)
    return handler
