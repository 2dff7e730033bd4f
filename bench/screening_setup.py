"""Shared setup of the screening benchmarks (screening_throughput.py, submit_latency.py).

A PostgreSQL database (``portal_bench_screening`` on the server of ``DATABASE_URL``, default
``postgresql://postgres@127.0.0.1/test``) with 100,000 demo cases from ``flask demo seed``,
their blind indexes computed as the intake would (demo cases are seeded without them) and an
assessment in force that agrees with their screening columns, and a 10,000-entry watch list
imported with ``flask watchlist import``. Keys and state live in
an instance folder (default ``/tmp/portal-bench-screening``) so a second benchmark can reuse
both with ``--reuse``. Redis is ``redis://127.0.0.1:6379/14`` unless ``BENCH_REDIS_URL``.
"""

import argparse
import json
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"
MARKER = "bench-setup.json"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", default="portal_bench_screening")
    parser.add_argument(
        "--instance", type=Path, default=Path(tempfile.gettempdir()) / "portal-bench-screening"
    )
    parser.add_argument("--demo-cases", type=int, default=100_000)
    parser.add_argument("--watchlist", type=int, default=10_000)
    parser.add_argument("--reuse", action="store_true", help="keep an existing setup")
    parser.add_argument("--seed", type=int, default=7)


def environment(arguments: argparse.Namespace) -> dict[str, str]:
    server = make_url(os.environ.get("DATABASE_URL", DEFAULT_SERVER))
    database = server.set(database=arguments.database)
    return {
        **os.environ,
        "DATABASE_URL": database.render_as_string(hide_password=False),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS),
        "PORTAL_INSTANCE_DIR": str(arguments.instance),
        "PORTAL_ENV": "development",
        # Creating the benchmark's own cases needs access codes; their cost is not measured.
        "PORTAL_SCRYPT_N": "1024",
        "PORTAL_QUEUE_NAME": "bench-intake",
    }


def _driver(url: str) -> URL:
    return make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))


def _recreate(env: dict[str, str]) -> None:
    database = _driver(env["DATABASE_URL"])
    engine = create_engine(database.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{database.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{database.database}"'))
    engine.dispose()


def _flask(env: dict[str, str], *args: str) -> str:
    flask = Path(sys.executable).with_name("flask")
    done = subprocess.run(
        [str(flask), "--app", "wsgi", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )
    return done.stdout.decode()


def make_app(env: dict[str, str]) -> Any:
    os.environ.update(env)
    from portal import create_app

    return create_app()


# --- names for the watch list and for the cases to screen ------------------------------------


def _pools() -> tuple[Any, Any]:
    from portal.demo import names

    given = names.AF_MEN + names.AF_WOMEN + names.SY_MEN + names.SY_WOMEN + names.PK_MEN
    families = names.AF_FAMILIES + names.SY_FAMILIES + names.IR_FAMILIES + names.PK_FAMILIES
    return given, families


def watchlist_csv(count: int, rng: random.Random) -> str:
    """Listed people named like the applicants (a hard case for the matcher: common names)."""
    given, families = _pools()
    lines = ["name,aliases,date_of_birth,reference"]
    for n in range(count):
        (g_native, g_latin), (f_native, f_latin) = rng.choice(given), rng.choice(families)
        aliases = []
        if rng.random() < 0.5:
            aliases.append(f"{g_native} {f_native}")
        if rng.random() < 0.3:
            aliases.append(f"{rng.choice(g_latin)} {rng.choice(f_latin)}")
        born = rng.choice(
            [
                "",
                str(rng.randint(1950, 2000)),
                f"{rng.randint(1950, 2000)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            ]
        )
        name = f"{rng.choice(g_latin)} {rng.choice(f_latin)}"
        lines.append(f"{name},{';'.join(aliases)},{born},WL-{n:06d}")
    return "\n".join(lines) + "\n"


# --- blind indexes of the demo cases ------------------------------------------------------


def _index_share(arguments: tuple[dict[str, str], int, int]) -> int:
    """Index every submitted demo case whose number falls to this process."""
    env, share, shares = arguments
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from portal.cases.custody import CASE, INTAKE, _context, keyring
    from portal.cases.models import Case, KeyWrap
    from portal.core import crypto
    from portal.extensions import db
    from portal.intake.facts import facts_of
    from portal.intake.indexing import index_cases

    app = make_app(env)
    done = 0
    with app.app_context():
        ids = [
            case_id
            for n, case_id in enumerate(
                db.session.scalars(select(Case.id).where(Case.status != "draft").order_by(Case.id))
            )
            if n % shares == share
        ]
        ring = keyring()
        for first in range(0, len(ids), 500):
            batch = ids[first : first + 500]
            wraps = {
                wrap.case_id: wrap
                for wrap in db.session.scalars(
                    select(KeyWrap).where(KeyWrap.case_id.in_(batch), KeyWrap.method == INTAKE)
                )
            }
            cases = db.session.scalars(
                select(Case).where(Case.id.in_(batch)).options(selectinload(Case.people))
            ).all()
            for case in cases:
                wrap = wraps[case.id]
                # A setup shortcut: unsealed without the per-case audit event the intake writes.
                key = crypto.unseal_with_private_key(
                    wrap.wrapped,
                    ring.intake_private_key(wrap.key_version or 0),
                    context=_context(case.id, CASE, INTAKE),
                )
                case.unlock(CASE, crypto.FieldCipher(key))
            index_cases(db.session, cases, facts_of(db.session, cases))
            done += len(cases)
            db.session.commit()
            db.session.expunge_all()
    return done


def index_demo_cases(env: dict[str, str], processes: int = 2) -> int:
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        return sum(pool.map(_index_share, [(env, n, processes) for n in range(processes)]))


# Demo cases are seeded with screening columns but without the assessment the intake would
# have written. Give each screened one an assessment in force that agrees with its columns
# (its points as one line), so that a new case linked to it updates it as in production.
ASSESS_DEMO_CASES = """
INSERT INTO risk_assessment
    (id, case_id, source, threat_level, screening_status, priority_score, reasons, created_at)
SELECT gen_random_uuid(), c.id, 'system', c.threat_level, c.screening_status, c.priority_score,
       json_build_array(json_build_object(
           'code', 'risk_profile', 'points', c.priority_score, 'params', json_build_object())),
       c.status_changed_at
FROM "case" c
WHERE c.screening_status NOT IN ('pending', 'failed')
  AND NOT EXISTS (SELECT 1 FROM risk_assessment r WHERE r.case_id = c.id)
"""


def _assess_demo_cases(env: dict[str, str]) -> int:
    engine = create_engine(_driver(env["DATABASE_URL"]))
    with engine.begin() as connection:
        added = connection.execute(text(ASSESS_DEMO_CASES)).rowcount
    engine.dispose()
    return added


def _vacuum(env: dict[str, str]) -> None:
    """Servers may run without autovacuum (this one does): start from clean tables, and
    from a quiet server: without a checkpoint, the gigabytes a fresh setup has just
    written are flushed to disk while the benchmark runs, and slow it down."""
    engine = create_engine(_driver(env["DATABASE_URL"]), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("VACUUM ANALYZE"))
        try:
            connection.execute(text("CHECKPOINT"))
        except DBAPIError:  # it takes a superuser (or pg_checkpoint): then without one
            print("no CHECKPOINT allowed: the setup's writes may weigh on the figures")
    engine.dispose()


def prepare(arguments: argparse.Namespace) -> dict[str, str]:
    """The database and instance, built unless ``--reuse`` finds them ready."""
    env = environment(arguments)
    marker = arguments.instance / MARKER
    if arguments.reuse and marker.exists():
        print(f"reusing {arguments.database}: {marker.read_text().strip()}")
        _flask(env, "db", "upgrade")  # a setup made before the latest migration
        if added := _assess_demo_cases(env):  # a setup made before this step existed
            print(f"gave {added} screened demo cases their assessment")
        _vacuum(env)
        return env
    arguments.instance.mkdir(parents=True, exist_ok=True)
    marker.unlink(missing_ok=True)
    _recreate(env)
    _flask(env, "db", "upgrade")
    timings: dict[str, Any] = {}
    started = time.perf_counter()
    _flask(env, "demo", "seed", "--cases", str(arguments.demo_cases), "--seed", str(arguments.seed))
    timings["seed_seconds"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    timings["indexed_cases"] = index_demo_cases(env)
    timings["index_seconds"] = round(time.perf_counter() - started, 1)
    listing = arguments.instance / "watchlist.csv"
    listing.write_text(watchlist_csv(arguments.watchlist, random.Random(arguments.seed)))
    timings["watchlist"] = _flask(env, "watchlist", "import", str(listing)).strip()
    listing.unlink()  # personal-looking data: not left lying around
    timings["assessed_demo_cases"] = _assess_demo_cases(env)
    _vacuum(env)
    marker.write_text(json.dumps({"demo_cases": arguments.demo_cases, **timings}) + "\n")
    print(f"set up {arguments.database}: {timings}")
    return env


# --- cases to screen ------------------------------------------------------------------


def new_cases(
    count: int, rng: random.Random, *, submit: bool, keep: bool = False
) -> list[uuid.UUID]:
    """Complete draft cases (``submit``: submitted, outbox promised, not yet enqueued).

    ``keep`` leaves the session open, so the drafts stay unlocked in it, as in the
    applicant's own session.
    """
    from datetime import UTC, datetime

    from portal.cases.custody import start_case
    from portal.cases.lifecycle import transition
    from portal.cases.models import Employment, Person
    from portal.cases.states import ActorKind, CaseStatus, IdentityDocument, Programme
    from portal.cases.states import Relationship as Rel
    from portal.extensions import db
    from portal.intake import outbox, queue

    given, families = _pools()
    ids = []
    for n in range(count):
        programme = rng.choice(list(Programme))
        case, _code = start_case(db.session, programme=programme, language="fa_AF")
        case.nationality = case.country_of_stay = "AF"
        case.contact = {
            "phone": f"+93 7{rng.randint(0, 9)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
        }
        case.declarations_confirmed_at = datetime.now(UTC)
        (f_native, f_latin) = rng.choice(families)
        size = rng.randint(1, 5)
        for position in range(size):
            g_native, g_latin = rng.choice(given)
            relation = (
                Rel.PRINCIPAL if position == 0 else Rel.SPOUSE if position == 1 else Rel.CHILD
            )
            year = rng.randint(1960, 1995) if position < 2 else rng.randint(2000, 2022)
            person = Person(
                case=case,
                position=position,
                relation=relation,
                nationality="AF",
                identity_document=IdentityDocument.PASSPORT,
            )
            db.session.add(person)
            person.given_names, person.family_name = g_native, f_native
            person.given_names_latin = rng.choice(g_latin)
            person.family_name_latin = rng.choice(f_latin)
            person.birth_date = rng.choice(
                [str(year), f"{year}-01-01", f"{year}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"]
            )
            person.document_number = f"P{rng.randint(0, 10**8):08d}"
            person.place_of_birth, person.place_of_stay = "Kabul", "Kabul, Karte Se"
        case.people_count = size
        if programme == Programme.LOCAL_STAFF:
            job = Employment(case=case, position=0)
            db.session.add(job)
            job.employer = rng.choice(["bundeswehr", "giz", "auswaertiges_amt", "kfw"])
            job.started_on, job.ended_on = (
                f"{rng.randint(2005, 2016)}-03",
                f"{rng.randint(2017, 2021)}-06",
            )
            job.role = "Sprachmittler"
        else:
            case.risk_profile = rng.sample(["journalist", "judge_prosecutor", "lgbtqi", "other"], 2)
            case.threat_description = "Threatening letters since 2021."
        if submit:
            transition(db.session, case, CaseStatus.SUBMITTED, actor_kind=ActorKind.APPLICANT)
            outbox.promise(db.session, queue.INTAKE_JOB, case.id)
        ids.append(case.id)
        if n % 100 == 99:
            db.session.commit()
    db.session.commit()
    if not keep:
        db.session.remove()
    return ids
