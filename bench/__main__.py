"""``make bench``: every benchmark in turn; each prints its figures and writes them to
bench/results/. Benchmarks on PostgreSQL use the machine's server (``DATABASE_URL``,
default postgresql://postgres@127.0.0.1/test) and create their own databases.

    .venv/bin/python -m bench [NAME ...]      # all, or only the named ones
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# In this order: the queue and report benchmarks reuse the million cases the seeding one
# keeps (the report benchmark moves a day of cases after the queue has been timed).
BENCHMARKS = {
    "seed_demo": ["--keep"],
    "queue_pages": [],
    "reports": [],
    "page_weight": [],
    "screening_throughput": [],
    "submit_latency": [],
    "document_memory": [],
}


def main(names: list[str]) -> int:
    failed = []
    for name in names or list(BENCHMARKS):
        print(f"\n=== bench/{name}.py ===", flush=True)
        command = [sys.executable, str(HERE / f"{name}.py"), *BENCHMARKS.get(name, [])]
        if subprocess.run(command, cwd=HERE.parent, check=False).returncode != 0:  # noqa: S603
            failed.append(name)
    if failed:
        print("\nmissed their targets or failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
