"""Throughput of an applicant page and of the final submission, next to bare Flask, and
the memory of the web processes and of an intake worker after the load.

    .venv/bin/python bench/throughput.py [--seconds 20] [--rounds 2] [--connections 8]
        [--drafts 6000] [--reuse]

Database and keys: those of bench/screening_setup.py (PostgreSQL with 100,000 demo cases
and a 10,000-entry watch list; ``--reuse`` keeps a ready one), Redis as there. Three servers
run side by side under gunicorn with the deployment's settings (deploy/gunicorn.conf.py)
and the same number of processes: the public face (``wsgi:app`` with
``PORTAL_FACES=public``) and the reference, ``bench/bare_flask.py`` (a small page from a
Jinja template; a POST that inserts one row into the same PostgreSQL and redirects), and a
third, ``bench/stack_floor.py`` (below).

Before anything is timed, complete drafts are made through the portal's services and
signed in as ``apply.session.sign_in`` does after the access code; each applicant's
cookie and CSRF token go to the load generator (bench/load.py), which keeps
``--connections`` requests in flight on loopback. Measured, in interleaved rounds that add
up to ``--seconds`` each, so that a change in the machine's load weighs on both sides:

- page: ``GET /application/names`` (a form page, signed in: session, decryption of the
  draft, template, translations) against the bare page; the start page ``GET /`` beside it;
- submission: ``POST /application/submit`` of a ready draft, one draft per request (a
  302 to the status page is the expected answer; anything else counts as a failure),
  against the bare POST.

Beside both, the stack's floor (``bench/stack_floor.py``): the portal's own libraries
(the SQLAlchemy ORM, Flask-WTF, RQ) doing the least such a page and such a submission must
do, with none of the portal's code, so that the ratios can be split into what the stack
costs against bare Flask and what the portal costs against the stack.

Then the memory (RSS and USS) of every web process of the three servers after the load, and of
one intake worker: idle on an empty queue, then after it has screened the submissions.
Targets: a page at least 0.5 of bare Flask's rate, a submission at least 0.25. Prints the
figures, writes ``bench/results/throughput.json``, exits non-zero when a target is missed
or a request got an unexpected answer.
"""

import argparse
import json
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import load, served  # noqa: E402
from bench import screening_setup as setup  # noqa: E402

RESULT = setup.ROOT / "bench" / "results" / "throughput.json"
TARGETS = {"page": 0.5, "submission": 0.25}
FORM_PAGE = "/application/names"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    setup.add_arguments(parser)
    parser.add_argument("--seconds", type=float, default=20.0, help="per measurement")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds")
    parser.add_argument("--connections", type=int, default=8, help="requests in flight")
    parser.add_argument(
        "--processes",
        type=int,
        default=multiprocessing.cpu_count() * 2 + 1,
        help="web processes of each server (the deployment's default)",
    )
    parser.add_argument("--drafts", type=int, default=6000, help="ready drafts to submit")
    parser.add_argument("--result", type=Path, default=RESULT)
    return parser.parse_args()


def _cycle(requests: list[load.Request]) -> load.Source:
    position = iter(range(sys.maxsize))
    return lambda: requests[next(position) % len(requests)]


def _once(requests: Iterator[load.Request]) -> load.Source:
    return lambda: next(requests, None)


def _status(code: int) -> load.Check:
    return lambda status, _headers: status == code


def _submitted(status: int, headers: Any) -> bool:
    return status == 302 and "submitted=1" in headers.get("Location", "")


def _combined(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    seconds = sum(r["seconds"] for r in rounds)
    expected = sum(r["expected"] for r in rounds)
    return {
        "per_second": round(expected / seconds, 1),
        "requests": sum(r["requests"] for r in rounds),
        "unexpected": sum(r["unexpected"] for r in rounds),
        "errors": sum(r["errors"] for r in rounds),
        "seconds": round(seconds, 1),
        "median_ms": statistics.median(r["median_ms"] for r in rounds if r["median_ms"]),
        "p95_ms_worst_round": max(r["p95_ms"] or 0 for r in rounds),
        "generator_cpu_seconds": round(sum(r["generator_cpu_seconds"] for r in rounds), 1),
        "rounds_per_second": [r["per_second"] for r in rounds],
    }


def _measure(
    arguments: argparse.Namespace, pairs: dict[str, list[tuple[str, str, load.Source, load.Check]]]
) -> dict[str, dict[str, Any]]:
    """Every measurement in ``pairs`` round after round, in the same order each round."""
    share = arguments.seconds / arguments.rounds
    rounds: dict[str, list[dict[str, Any]]] = {}
    for number in range(arguments.rounds):
        for measurements in pairs.values():
            for name, base, source, check in measurements:
                figures = load.closed_loop(
                    base, source, check, connections=arguments.connections, seconds=share
                )
                rounds.setdefault(name, []).append(figures)
                print(
                    f"  round {number + 1}: {name:<28} {figures['per_second']:>8} /s "
                    f"p95 {figures['p95_ms']} ms  unexpected {figures['unexpected']}"
                    f"  load {served.load_average()[0]}",
                    flush=True,
                )
    return {name: _combined(figures) for name, figures in rounds.items()}


def _worker_memory(app: Any, env: dict[str, str], ids: list[Any], log: Path) -> dict[str, Any]:
    """One worker idle on an empty queue, then one that screens the submitted drafts."""
    idle_env = {**env, "PORTAL_QUEUE_NAME": "bench-idle"}
    with served.workers(idle_env, 1, log) as processes:
        time.sleep(8)  # it builds its app and connects
        idle = served.memory_of(processes)
    with served.workers(env, 1, log) as processes:
        time.sleep(8)  # at least as long as the idle one ran
        deadline = time.monotonic() + 600
        while (waiting := served.waiting_for_intake(app, ids)) and time.monotonic() < deadline:
            time.sleep(1)
        after = served.memory_of(processes)
    return {
        "idle": idle,
        "after_screening": after,
        "submissions_screened": len(ids) - waiting,
        "still_waiting": waiting,
    }


def main() -> int:
    arguments = _arguments()
    env = setup.prepare(arguments)
    log = Path(tempfile.gettempdir()) / f"bench-throughput-{os.getpid()}.log"
    os.environ.update(env)
    from bench import bare_flask, stack_floor

    bare_flask.create_table()
    floor_cases = stack_floor.prepare()
    app = setup.make_app(env)
    from portal.core.redis import get_redis

    with app.app_context():
        get_redis().flushdb()  # jobs left by an earlier run are not this run's work
    print(f"making {arguments.drafts} ready drafts, signed in ...", flush=True)
    seed = int.from_bytes(os.urandom(4), "big")
    readers = served.ready_drafts(app, 50, seed)
    submitters = served.ready_drafts(app, arguments.drafts, seed + 1)
    page_requests = [
        load.Request("GET", FORM_PAGE, {"Cookie": applicant.cookie}) for applicant in readers
    ]
    submissions = served.submissions(submitters)
    web_env = served.environment_for_web(env)
    processes = arguments.processes
    print(f"serving both with {processes} processes each; log in {log}", flush=True)
    with (
        served.gunicorn("bench.bare_flask:create_app()", web_env, processes=processes, log=log) as (
            bare,
            bare_master,
        ),
        served.gunicorn("wsgi:app", web_env, processes=processes, log=log) as (portal, master),
        served.gunicorn(
            "bench.stack_floor:create_app()", web_env, processes=processes, log=log
        ) as (floor, floor_master),
    ):
        floor_page = _cycle([load.Request("GET", f"/page?case={c}") for c in floor_cases])
        floor_submit = _cycle([load.Request("POST", f"/submit?case={c}") for c in floor_cases])
        warm: list[tuple[str, load.Source]] = [
            (bare, _cycle([load.Request("GET", "/")])),
            (portal, _cycle(page_requests)),
            (portal, _cycle([load.Request("GET", "/")])),
            (floor, floor_page),
        ]
        for base, source in warm:  # every process builds its app and compiles its templates
            load.closed_loop(base, source, _status(200), connections=processes, seconds=3)
        load_before = served.load_average()
        bare_post = _cycle([load.Request("POST", "/rows")])
        pairs: dict[str, list[tuple[str, str, load.Source, load.Check]]] = {
            "page": [
                ("bare Flask page", bare, _cycle([load.Request("GET", "/")]), _status(200)),
                ("applicant form page", portal, _cycle(page_requests), _status(200)),
                ("start page", portal, _cycle([load.Request("GET", "/")]), _status(200)),
                ("stack floor page", floor, floor_page, _status(200)),
            ],
            "submission": [
                ("bare Flask row insert", bare, bare_post, _status(302)),
                ("final submission", portal, _once(submissions), _submitted),
                ("stack floor submission", floor, floor_submit, _status(302)),
            ],
        }
        figures = _measure(arguments, pairs)
        memory = {
            "portal_web": served.memory_of(served.web_processes(master)),
            "bare_flask_web": served.memory_of(served.web_processes(bare_master)),
            "stack_floor_web": served.memory_of(served.web_processes(floor_master)),
        }
        load_after = served.load_average()
    submitted = [a.case_id for a in submitters][: figures["final submission"]["requests"]]
    memory["intake_worker"] = _worker_memory(app, env, submitted, log)
    ratios = {
        "page": round(
            figures["applicant form page"]["per_second"] / figures["bare Flask page"]["per_second"],
            3,
        ),
        "submission": round(
            figures["final submission"]["per_second"]
            / figures["bare Flask row insert"]["per_second"],
            3,
        ),
    }
    rate = {name: row["per_second"] for name, row in figures.items()}
    # Where the stack alone stands against bare Flask, and the portal against the stack.
    floor = {
        "stack floor page / bare Flask page": rate["stack floor page"] / rate["bare Flask page"],
        "applicant form page / stack floor page": rate["applicant form page"]
        / rate["stack floor page"],
        "stack floor submission / bare Flask row insert": rate["stack floor submission"]
        / rate["bare Flask row insert"],
        "final submission / stack floor submission": rate["final submission"]
        / rate["stack floor submission"],
    }
    result = {
        "benchmark": "throughput of applicant pages and submissions, and memory",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds_per_measurement": arguments.seconds,
        "rounds": arguments.rounds,
        "connections": arguments.connections,
        "web_processes": processes,
        "figures": figures,
        "ratios": ratios,
        "targets": TARGETS,
        "stack_floor_ratios": {name: round(value, 3) for name, value in floor.items()},
        "memory": memory,
        "load_average_before": load_before,
        "load_average_after": load_after,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    arguments.result.parent.mkdir(parents=True, exist_ok=True)
    arguments.result.write_text(json.dumps(result, indent=2) + "\n")
    _print(result)
    return _verdict(result, drafts_ran_out=len(submitted) >= arguments.drafts)


def _print(result: dict[str, Any]) -> None:
    for name, row in result["figures"].items():
        print(
            f"{name:<24} {row['per_second']:>8} /s  median {row['median_ms']} ms  "
            f"p95 (worst round) {row['p95_ms_worst_round']} ms  rounds {row['rounds_per_second']}"
        )
    for name, ratio in result["ratios"].items():
        print(f"{name}: {ratio} of bare Flask (target at least {TARGETS[name]})")
    for name, ratio in result["stack_floor_ratios"].items():
        print(f"{name}: {ratio}")
    for name, row in result["memory"].items():
        print(f"memory, {name}: {row}")
    print(f"load average {result['load_average_before']} -> {result['load_average_after']}")


def _verdict(result: dict[str, Any], *, drafts_ran_out: bool) -> int:
    failed: list[str] = [
        f"{name}: {ratio} < {TARGETS[name]}"
        for name, ratio in result["ratios"].items()
        if ratio < TARGETS[name]
    ]
    failed += [
        f"{name}: {row['unexpected']} unexpected answers, {row['errors']} errors"
        for name, row in result["figures"].items()
        if row["unexpected"] or row["errors"]
    ]
    if drafts_ran_out:
        # The drafts ran out before the time did: the rate holds, over a shorter time.
        print("all prepared drafts were submitted; raise --drafts for the full time")
    for line in failed:
        print(f"missed: {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
