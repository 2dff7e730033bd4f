"""What the benchmarks that go through HTTP share: the portal and its reference under
gunicorn with the deployment's settings (deploy/gunicorn.conf.py), signed-in applicants
with a ready draft each, the intake workers, and the memory of their processes.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from bench import load

ROOT = Path(__file__).resolve().parents[1]
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for(port: int, process: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn ended with {process.returncode} before answering")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.2)
    raise RuntimeError(f"nothing answered on port {port} within {seconds} s")


@contextlib.contextmanager
def gunicorn(
    spec: str, env: dict[str, str], *, processes: int, log: Path
) -> Iterator[tuple[str, psutil.Process]]:
    """``spec`` under gunicorn on a free loopback port: its base URL and master process."""
    port = free_port()
    environment = {
        **env,
        "PORTAL_BIND": f"127.0.0.1:{port}",
        "PORTAL_WEB_PROCESSES": str(processes),
        "PORTAL_ACCESS_LOG": "0",  # a line per request would be the load generator's cost
        # No process is replaced while it is measured (the deployment's 5,000 requests
        # would fall within a measurement).
        "PORTAL_WEB_MAX_REQUESTS": "0",
    }
    gunicorn_bin = Path(sys.executable).with_name("gunicorn")
    with log.open("ab") as output:
        process = subprocess.Popen(  # noqa: S603
            [str(gunicorn_bin), "--config", str(GUNICORN_CONFIG), spec],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=output,
        )
    try:
        _wait_for(port, process)
        master = psutil.Process(process.pid)
        _wait_for_children(master, processes)
        yield f"http://127.0.0.1:{port}", master
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_children(master: psutil.Process, processes: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while len(master.children()) < processes and time.monotonic() < deadline:
        time.sleep(0.2)


@contextlib.contextmanager
def workers(env: dict[str, str], count: int, log: Path) -> Iterator[list[psutil.Process]]:
    """``count`` intake workers (``flask worker``, as the systemd units start them)."""
    flask = Path(sys.executable).with_name("flask")
    started = []
    with log.open("ab") as output:
        for _ in range(count):
            started.append(
                subprocess.Popen(  # noqa: S603
                    [str(flask), "--app", "wsgi", "worker"],
                    cwd=ROOT,
                    env=env,
                    stdout=output,
                    stderr=output,
                )
            )
    try:
        yield [psutil.Process(process.pid) for process in started]
    finally:
        for process in started:
            process.send_signal(signal.SIGTERM)  # RQ's warm shutdown
        for process in started:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_for_workers(app: Any, count: int, seconds: float = 120) -> None:
    """Until ``count`` workers listen on the intake queue: a worker registers once it has
    started, the watch list decrypted, as a worker that has run for a while has."""
    from rq import Worker

    from portal.intake.queue import intake_queue

    deadline = time.monotonic() + seconds
    with app.app_context():
        queue = intake_queue()
        while Worker.count(queue=queue) < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"fewer than {count} intake workers started in {seconds} s")
            time.sleep(0.2)


# --- memory ------------------------------------------------------------------------------


def memory_of(processes: list[psutil.Process]) -> dict[str, Any]:
    """Resident (RSS) and unique (USS: what ending the process would free) memory of each
    process, in MiB: the largest and the median of them."""
    rss, uss = [], []
    for process in processes:
        info = process.memory_full_info()
        rss.append(info.rss / 2**20)
        uss.append(info.uss / 2**20)
    rss.sort()
    uss.sort()
    return {
        "processes": len(processes),
        "rss_mib_max": round(rss[-1], 1),
        "rss_mib_median": round(rss[len(rss) // 2], 1),
        "uss_mib_max": round(uss[-1], 1),
        "uss_mib_median": round(uss[len(uss) // 2], 1),
    }


def web_processes(master: psutil.Process) -> list[psutil.Process]:
    return list(master.children())


# --- applicants with a ready draft ---------------------------------------------------------


@dataclass(frozen=True)
class Applicant:
    case_id: uuid.UUID
    cookie: str
    csrf_token: str


def signed_in(app: Any, cases: list[Any]) -> list[Applicant]:
    """Each unlocked draft's session cookie, as ``apply.session.sign_in`` leaves it after
    the access code was checked, with the CSRF token its pages would carry (the requests
    go straight to the server, not through a browser)."""
    from flask import session

    from portal.apply import session as applicant_session
    from portal.core.csrf_masking import masked_csrf_token

    serializer = app.session_interface.get_signing_serializer(app)
    name = app.config["SESSION_COOKIE_NAME"]
    applicants = []
    for case in cases:
        # A fresh app context each: Flask-WTF keeps the request's token in ``g``.
        with app.app_context(), app.test_request_context("/application/check"):
            applicant_session.sign_in(case)
            token = masked_csrf_token()  # as the page's form carries it
            cookie = f"{name}={serializer.dumps(dict(session))}"
            applicants.append(Applicant(case.id, cookie, token))
    return applicants


def ready_drafts(app: Any, count: int, seed: int) -> list[Applicant]:
    """``count`` complete drafts made through the portal's services, signed in."""
    import random

    from bench import screening_setup as setup
    from portal.cases.models import Case
    from portal.extensions import db

    with app.app_context():
        ids = setup.new_cases(count, random.Random(seed), submit=False, keep=True)
        cases = [db.session.get(Case, case_id) for case_id in ids]
        applicants = signed_in(app, cases)
        db.session.remove()
    return applicants


def submissions(applicants: list[Applicant]) -> Iterator[load.Request]:
    """Each applicant's final submission once: their cookie and their form's token."""
    for applicant in applicants:
        yield load.Request(
            "POST",
            "/application/submit",
            {"Cookie": applicant.cookie},
            {"csrf_token": applicant.csrf_token},
        )


def waiting_for_intake(app: Any, ids: list[uuid.UUID]) -> int:
    """Of these cases, those submitted and not yet in review."""
    from sqlalchemy import func, select

    from portal.cases.models import Case
    from portal.extensions import db

    with app.app_context():
        waiting = db.session.scalar(
            select(func.count()).where(
                Case.id.in_(ids), Case.status.in_(("submitted", "screening"))
            )
        )
        db.session.remove()
    return waiting or 0


def environment_for_web(env: dict[str, str]) -> dict[str, str]:
    """The public face alone, as deployed; the benchmark's load comes from one address, so
    the per-address rate limits (sign-in only) stay as they are and are not met."""
    return {**env, "PORTAL_FACES": "public", "PYTHONPATH": str(ROOT)}


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]
