"""``make bench``: every benchmark in turn, then each one's figures beside their references
in ``bench/results/latest.json`` and as a table in ``docs/performance.md``.

    .venv/bin/python -m bench [--databases portal_bench] [NAME ...]   # all, or the named

Benchmarks on PostgreSQL use the machine's server (``DATABASE_URL``, default
postgresql://postgres@127.0.0.1/test) and databases named after ``--databases``: the kept
million cases of the queue, report and search benchmarks (``portal_bench``, seeded by the
first run under the kept keys of ``/tmp/portal_bench-search``, which takes about half an
hour more on 2 CPUs), the screening setup (``portal_bench_screening``,
built by the first run and kept) and the seeding benchmark's own (created and dropped).
Redis for the screening, submission and throughput benchmarks: ``BENCH_REDIS_URL``
(default index 14). Each benchmark prints its figures and writes its own result file in
bench/results/; this collects them. A benchmark that failed or missed its target makes
the whole run exit non-zero, after the table is written.
"""

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import figures

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
LATEST = RESULTS / "latest.json"
DOC = HERE.parent / "docs" / "performance.md"
BEGIN, END = "<!-- make bench: begin -->", "<!-- make bench: end -->"
# The seeding benchmark seeds this many cases: its rate, without seeding a million each run.
SEED_CASES = 100_000


def _commands(databases: str) -> dict[str, list[str]]:
    """Each benchmark's arguments. In this order: the report benchmark moves a day of cases
    after the queue has been timed; the screening setup is built by the first that needs it."""
    screening = [
        "--database",
        f"{databases}_screening",
        "--instance",
        str(Path(tempfile.gettempdir()) / f"{databases}-screening"),
        "--reuse",
    ]
    return {
        "seed_demo": ["--cases", str(SEED_CASES), "--database", f"{databases}_seed"],
        "queue_pages": ["--database", databases],
        "reports": ["--database", databases],
        "search": ["--database", databases],
        "page_weight": [],
        "screening_throughput": screening,
        "submit_latency": screening,
        "throughput": screening,
        "document_memory": [],
    }


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="portal_bench", help="prefix of their names")
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    return parser.parse_args()


def _run(name: str, arguments: list[str]) -> dict[str, object]:
    print(f"\n=== bench/{name}.py ===", flush=True)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    command = [sys.executable, str(HERE / f"{name}.py"), *arguments]
    code = subprocess.run(command, cwd=HERE.parent, check=False).returncode  # noqa: S603
    return {
        "exit_code": code,
        "seconds": round(time.perf_counter() - started, 1),
        "load_average_at_start": round(load, 2),
    }


def main() -> int:
    arguments = _arguments()
    commands = _commands(arguments.databases)
    unknown = [name for name in arguments.names if name not in commands]
    if unknown:
        print(f"no such benchmark: {', '.join(unknown)}; there are: {', '.join(commands)}")
        return 2
    started = time.perf_counter()
    runs = {name: _run(name, commands[name]) for name in arguments.names or list(commands)}
    latest = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 1),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average_at_end": [round(value, 2) for value in os.getloadavg()],
        "runs": runs,
        "figures": figures.collect(RESULTS, list(runs)),  # those not run: their last run
    }
    LATEST.write_text(json.dumps(latest, indent=2) + "\n")
    _write_table(figures.table(latest))
    print("\n" + figures.table(latest))
    failed = [name for name, run in runs.items() if run["exit_code"] != 0]
    if failed:
        print("\nmissed their targets or failed: " + ", ".join(failed))
    return 1 if failed else 0


def _write_table(table: str) -> None:
    """Replace what lies between the markers of docs/performance.md; the rest is prose."""
    text = DOC.read_text()
    section = f"{BEGIN}\n{table}\n{END}"
    replaced, count = re.subn(
        re.escape(BEGIN) + ".*?" + re.escape(END), lambda _m: section, text, flags=re.S
    )
    DOC.write_text(replaced if count else f"{text.rstrip()}\n\n{section}\n")


if __name__ == "__main__":
    sys.exit(main())
