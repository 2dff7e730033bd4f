"""The portal as production runs it, on one machine: each face under gunicorn with two
worker processes, its own environment, secret and key directory, and three intake workers,
all sharing the test's PostgreSQL database, Redis and blob store.

Both faces run with ``PORTAL_ENV=production``, so nothing is generated for them: the
public face's key directory holds the intake public key and the audit key only, and it
starts because production asks no more of a public face. The processes are stopped by the
fixture's finalizer, whatever the test did.
"""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest
from flask import Flask

from portal.core.keyring import AUDIT_FILE, INTAKE_DIR
from tests.conftest import AppFactory

ROOT = Path(__file__).resolve().parents[2]
WEB_PROCESSES_PER_FACE = 2
INTAKE_WORKERS = 3
# A job's registry entry outlives its start by the job timeout plus RQ's 60 s; only then
# is a job whose worker died handed on. Production's 300 s would outlast the test; 10 s
# is ten times the longest batch seen here on a busy machine.
JOB_TIMEOUT_SECONDS = 10
STARTUP_SECONDS = 60
STOP_SECONDS = 15
FLASK = [sys.executable, "-m", "flask", "--app", "wsgi"]


@dataclass
class Cluster:
    public_url: str
    internal_url: str
    web: dict[str, subprocess.Popen[bytes]]
    workers: list[subprocess.Popen[bytes]]
    redis_url: str
    logs: Path
    worker_env: dict[str, str]
    workers_started: int = 0
    _log_files: list[IO[bytes]] = field(default_factory=list)

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        self._log_files.append(log)
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

    def add_worker(self) -> subprocess.Popen[bytes]:
        name = f"worker-{self.workers_started}"
        worker = self.start(name, [*FLASK, "worker"], self.worker_env)
        self.workers.append(worker)
        self.workers_started += 1
        return worker

    def log_tail(self, name: str, lines: int = 30) -> str:
        text = (self.logs / f"{name}.log").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _public_key_directory(internal: Path, public: Path) -> Path:
    """What an operator copies to a public-face host: the public keys and the audit key."""
    (public / INTAKE_DIR).mkdir(parents=True, mode=0o700)
    public.chmod(0o700)
    for key in sorted((internal / INTAKE_DIR).glob("*.public")):
        shutil.copy2(key, public / INTAKE_DIR / key.name)
    shutil.copy2(internal / AUDIT_FILE, public / AUDIT_FILE)
    return public


def _environment(app: Flask, instance: Path, **settings: str) -> dict[str, str]:
    """A production environment: only what the face is given, nothing of the test's own."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PORTAL_", "TEST_")) and name not in ("DATABASE_URL", "REDIS_URL")
    }
    instance.mkdir(parents=True, exist_ok=True)
    return {
        **inherited,
        "PORTAL_ENV": "production",
        "PORTAL_INSTANCE_DIR": str(instance),
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app.config["REDIS_URL"],
        "PORTAL_BLOB_DIR": str(app.config["PORTAL_BLOB_DIR"]),
        "PORTAL_JOB_TIMEOUT": str(JOB_TIMEOUT_SECONDS),
        **settings,
    }


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as answer:  # noqa: S310 - loopback
            return bool(answer.status == 200)
    except OSError:
        return False


def _wait_until(ready: Any, what: str, cluster: Cluster) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while not ready():
        for name, process in [*cluster.web.items()] + [
            (f"worker-{n}", p) for n, p in enumerate(cluster.workers)
        ]:
            if process.poll() is not None:
                pytest.fail(f"{name} exited while starting:\n{cluster.log_tail(name)}")
        assert time.monotonic() < deadline, f"{what} not ready in {STARTUP_SECONDS} s"
        time.sleep(0.2)


def registered_workers(redis_url: str) -> list[Any]:
    """The intake workers registered in Redis (RQ's own view of them)."""
    import redis
    from rq import Queue, Worker

    connection = redis.Redis.from_url(redis_url)
    try:
        return list(Worker.all(queue=Queue("intake", connection=connection)))
    finally:
        connection.close()


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # gunicorn and RQ both stop gracefully on it
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def cluster(make_app: AppFactory, tmp_path: Path) -> Iterator[Cluster]:
    app = make_app()  # the schema through the migrations, and the test's development keys
    internal_keys = Path(app.config["PORTAL_KEYS_DIR"])
    public_keys = _public_key_directory(internal_keys, tmp_path / "public-keys")
    checkpoints = tmp_path / "audit-checkpoints.jsonl"
    public_env = _environment(
        app,
        tmp_path / "public",
        PORTAL_FACES="public",
        SECRET_KEY=secrets.token_urlsafe(48),
        PORTAL_KEYS_DIR=str(public_keys),
    )
    internal_env = _environment(
        app,
        tmp_path / "internal",
        PORTAL_FACES="internal",
        SECRET_KEY=secrets.token_urlsafe(48),
        PORTAL_KEYS_DIR=str(internal_keys),
        PORTAL_AUDIT_CHECKPOINT_PATH=str(checkpoints),
    )
    # Workers look for lost and abandoned jobs every 2 s, and hand on a failed one after 5 s.
    worker_env = {
        **internal_env,
        "PORTAL_RELAY_INTERVAL_SECONDS": "2",
        "PORTAL_RELAY_STALE_SECONDS": "5",
    }
    # In production only an operator starts the checkpoint file; the workers append to it.
    subprocess.run(
        [*FLASK, "audit", "checkpoint", "--start-file"],
        cwd=ROOT,
        env=internal_env,
        check=True,
        capture_output=True,
    )

    logs = tmp_path / "logs"
    logs.mkdir()
    ports = {"public": _free_port(), "internal": _free_port()}
    cluster = Cluster(
        public_url=f"http://127.0.0.1:{ports['public']}",
        internal_url=f"http://127.0.0.1:{ports['internal']}",
        web={},
        workers=[],
        redis_url=app.config["REDIS_URL"],
        logs=logs,
        worker_env=worker_env,
    )

    try:
        for face, env in (("public", public_env), ("internal", internal_env)):
            cluster.web[face] = cluster.start(
                face,
                [
                    *(sys.executable, "-m", "gunicorn"),
                    *("-w", str(WEB_PROCESSES_PER_FACE)),
                    *("-b", f"127.0.0.1:{ports[face]}"),
                    # Two masters on one host would share the default control socket.
                    "--no-control-socket",
                    "wsgi:app",
                ],
                env,
            )
        for _ in range(INTAKE_WORKERS):
            cluster.add_worker()
        _wait_until(lambda: _healthy(cluster.public_url), "the public face", cluster)
        _wait_until(lambda: _healthy(cluster.internal_url), "the internal face", cluster)
        _wait_until(
            lambda: len(registered_workers(cluster.redis_url)) == INTAKE_WORKERS,
            "the intake workers",
            cluster,
        )
        yield cluster
    finally:
        for process in [*cluster.web.values(), *cluster.workers]:
            _stop(process)
        for log in cluster._log_files:
            log.close()


def gunicorn_workers(master: subprocess.Popen[bytes]) -> list[int]:
    """The worker processes a gunicorn master has forked."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time the processes have used so far (Linux's /proc)."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime and stime, fields 14 and 15
    return ticks / os.sysconf("SC_CLK_TCK")
