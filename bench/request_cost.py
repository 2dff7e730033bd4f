"""What one applicant request costs the web process, counted in one process: CPU time and
the round trips to PostgreSQL and Redis of the form page and of the final submission, the
two paths of bench/throughput.py, through Flask's test client (no HTTP).

    .venv/bin/python bench/request_cost.py prepare [--drafts 600]
    .venv/bin/python bench/request_cost.py measure page|submission [--requests 100]
        [--warm 10] [--profile FILE]

``prepare`` builds the database (``--database``, default ``portal_bench_cost`` on the server
of ``DATABASE_URL``) with its migrations, makes ready drafts through the portal's services,
signs each in as the throughput benchmark does and keeps the cookies and tokens in the
instance folder; the sign-ins end after 30 minutes, as the portal's do, so ``prepare``
again after that. ``measure`` builds the public face (as deployed), sends ``--warm``
requests, then ``--requests`` counted ones, and prints CPU milliseconds per request
(``time.process_time``: the process's own CPU, less moved by other work on the machine
than a wall clock, though not immune to it), the statements sent to PostgreSQL, its
commits and the connections checked out of the pool (each one a pre-ping), and the
packets sent to Redis. ``--profile`` writes a cProfile of the counted requests.

For instruction counts, which the machine's load does not move at all, run ``measure``
under callgrind with the counting switched on for the counted requests only: build a small
library from callgrind's client requests,

    // cgctl.c: gcc -O1 -shared -fPIC -o libcgctl.so cgctl.c
    #include <valgrind/callgrind.h>
    void cg_start(void) { CALLGRIND_ZERO_STATS; CALLGRIND_START_INSTRUMENTATION;
                          CALLGRIND_TOGGLE_COLLECT; }
    void cg_stop(void) { CALLGRIND_TOGGLE_COLLECT; CALLGRIND_DUMP_STATS; }

then ``CALLGRIND_CONTROL=/path/libcgctl.so valgrind --tool=callgrind --instr-atstart=no
--collect-atstart=no --callgrind-out-file=/tmp/cg.%p .venv/bin/python bench/request_cost.py
measure page --requests 50``: the dump's ``totals:`` line, divided by 50, is one request's
instructions (the start of the process and the warm-up are not counted, so they add no
noise).
"""

import argparse
import cProfile
import ctypes
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import screening_setup as setup  # noqa: E402

FORM_PAGE = "/application/names"
APPLICANTS = "request-cost-applicants.json"
PAGE_DRAFTS = 50


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="portal_bench_cost")
    parser.add_argument(
        "--instance", type=Path, default=Path(tempfile.gettempdir()) / "portal-bench-cost"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    prepare = commands.add_parser("prepare")
    prepare.add_argument("--drafts", type=int, default=600)
    prepare.add_argument("--seed", type=int, default=11)
    prepare.add_argument("--more", action="store_true", help="add drafts to those made")
    measure = commands.add_parser("measure")
    measure.add_argument("path", choices=["page", "submission"])
    measure.add_argument("--requests", type=int, default=100)
    measure.add_argument("--warm", type=int, default=10)
    measure.add_argument("--profile", type=Path)
    measure.add_argument(
        "--start", type=int, help="the first draft to submit (default: after those submitted)"
    )
    measure.add_argument("--show", action="store_true", help="print the statements of one")
    return parser.parse_args()


def _environment(arguments: argparse.Namespace) -> dict[str, str]:
    options = argparse.Namespace(database=arguments.database, instance=arguments.instance)
    return {**setup.environment(options), "PORTAL_FACES": "public"}


def prepare(arguments: argparse.Namespace, env: dict[str, str]) -> None:
    from bench import served

    arguments.instance.mkdir(parents=True, exist_ok=True)
    kept = arguments.instance / APPLICANTS
    rows = json.loads(kept.read_text()) if arguments.more else []
    if not arguments.more:
        setup._recreate(env)
        setup._flask(env, "db", "upgrade")
    app = setup.make_app(env)
    applicants = served.ready_drafts(app, arguments.drafts, arguments.seed + len(rows))
    rows += [{"cookie": a.cookie, "csrf_token": a.csrf_token} for a in applicants]
    kept.write_text(json.dumps(rows))
    print(f"{len(rows)} signed-in drafts in {arguments.database}")


class Counts:
    """Statements, commits and pool check-outs on the app's engine; packets to Redis."""

    def __init__(self, engine: Any) -> None:
        from redis.connection import Connection
        from sqlalchemy import event

        self.statements = self.commits = self.checkouts = self.redis = 0
        self.show = False
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)
        event.listen(engine.pool, "checkout", self._checkout)
        send = Connection.send_packed_command

        def counted(connection: Any, command: Any, check_health: bool = True) -> None:
            self.redis += 1
            send(connection, command, check_health)

        Connection.send_packed_command = counted  # type: ignore[method-assign]

    def _statement(self, *args: Any) -> None:
        self.statements += 1
        if self.show:
            print("  SQL:", " ".join(args[2].split())[:300])

    def _commit(self, *_args: Any) -> None:
        self.commits += 1

    def _checkout(self, *_args: Any) -> None:
        self.checkouts += 1

    def snapshot(self) -> tuple[int, int, int, int]:
        return self.statements, self.commits, self.checkouts, self.redis


def measure(arguments: argparse.Namespace, env: dict[str, str]) -> None:
    from portal.extensions import db

    rows = json.loads((arguments.instance / APPLICANTS).read_text())
    app = setup.make_app(env)
    client = app.test_client(use_cookies=False)
    with app.app_context():
        counts = Counts(db.engine)
    used = iter(rows)

    def page() -> None:
        row = rows[page.n % PAGE_DRAFTS]  # type: ignore[attr-defined]
        page.n += 1  # type: ignore[attr-defined]
        answer = client.get(FORM_PAGE, headers={"Cookie": row["cookie"]})
        assert answer.status_code == 200, answer.status_code  # noqa: S101

    page.n = 0  # type: ignore[attr-defined]

    def submission() -> None:
        row = next(used)
        answer = client.post(
            "/application/submit",
            headers={"Cookie": row["cookie"]},
            data={"csrf_token": row["csrf_token"]},
        )
        assert answer.status_code == 302, answer.status_code  # noqa: S101
        assert "submitted=1" in answer.headers["Location"]  # noqa: S101

    if arguments.path == "submission":
        # Drafts submitted by an earlier run are skipped: each run takes fresh ones.
        _skip(app, arguments.start, used)
    request = page if arguments.path == "page" else submission
    for _ in range(arguments.warm):
        request()
    if arguments.show:
        counts.show = True
        request()
        counts.show = False
    if not arguments.requests:
        return
    before = counts.snapshot()
    profile = cProfile.Profile(time.process_time) if arguments.profile else None
    control = _callgrind_control()
    started = time.process_time()
    if profile:
        profile.enable()
    if control:
        control.cg_start()
    for _ in range(arguments.requests):
        request()
    if control:
        control.cg_stop()
    if profile:
        profile.disable()
    cpu = time.process_time() - started
    after = counts.snapshot()
    n = arguments.requests
    names = ("statements", "commits", "pool check-outs (pre-pings)", "Redis packets")
    print(f"{arguments.path}: {cpu / n * 1000:.2f} ms CPU per request over {n}")
    for name, first, last in zip(names, before, after, strict=True):
        print(f"  {name}: {(last - first) / n:.2f} per request")
    if profile:
        # Python function calls: a count the machine's load does not move (the CPU time
        # above is inflated by the profiler).
        profile.dump_stats(arguments.profile)
        calls = pstats.Stats(str(arguments.profile)).total_calls  # type: ignore[attr-defined]
        print(f"  Python function calls: {calls / n:.0f} per request")


def _callgrind_control() -> Any:
    """The library that switches callgrind's counting on and off (see the docstring)."""
    library = os.environ.get("CALLGRIND_CONTROL")
    return ctypes.CDLL(library) if library else None


def _skip(app: Any, start: int | None, used: Any) -> None:
    if start is not None:
        for _ in range(start):
            next(used)
        return
    from sqlalchemy import func, select

    from portal.cases.models import Case
    from portal.cases.states import CaseStatus
    from portal.extensions import db

    with app.app_context():
        done = db.session.scalar(
            select(func.count()).select_from(Case).where(Case.status != CaseStatus.DRAFT)
        )
        db.session.remove()
    for _ in range(PAGE_DRAFTS + (done or 0)):  # the page's drafts stay drafts
        next(used)


def main() -> int:
    arguments = _arguments()
    env = _environment(arguments)
    os.environ.update(env)
    if arguments.command == "prepare":
        prepare(arguments, env)
    else:
        measure(arguments, env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
