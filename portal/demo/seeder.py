"""Demonstration cases, encrypted exactly like real ones but written in bulk.

``flask --app wsgi demo seed --cases N`` fills a development database with N invented
applications: families of one to ten people named in their own script and in Latin letters,
both programmes, and every stage of the lifecycle with its history. No name, number or
story belongs to a real person.

What is stored is what the real code stores: each case has its own random data key, sealed
to the current intake public key and wrapped for an access code, and every personal value
is AES-GCM ciphertext made by ``FieldCipher.encrypt`` with ``field_context(table, column,
row id)``, the column being the model's ``Sealed`` descriptor name. The speed (a million
cases in minutes) comes from shortcuts that do not change what is stored:

- rows are plain tuples written with COPY on PostgreSQL (Core executemany on SQLite), never
  ORM objects, in batches that each commit, so an interrupted run keeps what it wrote;
- worker processes each generate and write their own batches;
- a large load on PostgreSQL goes in with the tables' secondary indexes and foreign keys
  set aside and rebuilds them after (``bulk``);
- every demo case shares ONE access code, so scrypt runs once, not once per case. No real
  case does that, which is one reason this command refuses to run in production.

The parts: ``names`` and ``vocabulary`` hold the fixed data, ``families`` and ``plans`` plan
one case in plain values, ``rows`` turns a plan into encrypted row tuples, and this module
writes them in batches, from worker processes, and reports; ``bulk`` sets aside and rebuilds
the indexes of a large load.
"""

import multiprocessing
import os
import random
import signal
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
from flask import current_app
from psycopg import sql
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Connection,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    LargeBinary,
    String,
    Table,
    TypeDecorator,
    Uuid,
    create_engine,
    select,
)

from portal.accounts.models import StaffRole, StaffUser
from portal.cases import custody, figures
from portal.cases.figures import add_counts
from portal.cases.models import EmployerFigure
from portal.cases.states import ActorKind, CaseStatus
from portal.cases.tally import compact, reclaim
from portal.core import codes, crypto
from portal.core.actors import Role
from portal.core.audit import record_event
from portal.core.blobstore import store_for
from portal.core.db import Base, utcnow
from portal.demo import bulk
from portal.demo.history import Staff
from portal.demo.rows import COLUMNS, Batch, DemoKeys, Row, Setting, add_case
from portal.demo.vocabulary import COLLEAGUES, TEAM
from portal.extensions import db
from portal.intake.checks import Window
from portal.intake.employers import EMPLOYER_GRAINS
from portal.intake.indexing import KEY_OF_PURPOSE
from portal.intake.screening import programme_window

DEFAULT_BATCH_SIZE = 2000


# --- writing ---------------------------------------------------------------------------------


def _postgres_type(table: Table, column: str) -> str:
    """The PostgreSQL type binary COPY must encode a column's values as."""
    kind = table.c[column].type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    for sa_type, name in (
        (Uuid, "uuid"),
        (String, "varchar"),  # enum columns too: they are VARCHARs here
        (Boolean, "bool"),
        (BigInteger, "int8"),
        (Integer, "int4"),
        (DateTime, "timestamptz"),
        (Date, "date"),
        (Float, "float8"),
        (LargeBinary, "bytea"),
        (JSON, "json"),
    ):
        if isinstance(kind, sa_type):
            return name
    raise TypeError(f"no COPY type for {table.name}.{column}")


def _copy(connection: Connection, table: str, columns: Sequence[str], rows: list[Row]) -> None:
    """Binary COPY: no SQL parsing per row and no hex-encoding of ciphertexts."""
    types = [_postgres_type(Base.metadata.tables[table], column) for column in columns]
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    driver: Any = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)


def _insert(connection: Connection, table: str, columns: Sequence[str], rows: list[Row]) -> None:
    connection.execute(
        Base.metadata.tables[table].insert(),
        [dict(zip(columns, row, strict=True)) for row in rows],
    )


def write_batch(engine: Engine, batch: Batch) -> None:
    """Write one batch in one transaction: COPY on PostgreSQL, executemany elsewhere."""
    write = _copy if engine.dialect.name == "postgresql" else _insert
    with engine.begin() as connection:
        for table, columns in COLUMNS.items():
            if batch.rows[table]:
                write(connection, table, columns, batch.rows[table])
        add_counts(
            connection,
            EmployerFigure,
            ("nationality", "category"),
            ("cases", "people", "key_sum"),
            EMPLOYER_GRAINS,
            batch.employers,
        )


# --- batches and workers ---------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """What every batch needs, as plain values that can be sent to a worker process."""

    database_url: str
    keys: DemoKeys
    staff: Staff
    now: datetime
    random_seed: int | None
    window: Window | None = None
    # The blob store's settings when the cases get documents (a small demo), else None.
    blobs: dict[str, Any] | None = None
    # The statuses the first cases of the first batch end in, one each (a small demo
    # shows every stage); the others end where cases are likely to be.
    first: tuple[CaseStatus, ...] = ()

    def setting(self) -> Setting:
        store = store_for(self.blobs) if self.blobs is not None else None
        window = self.window or Window(date(2013, 1, 1), date(2021, 8, 31))
        return Setting(self.staff, window, store)

    def __repr__(self) -> str:  # the URL may hold a password
        return f"Job(now={self.now.isoformat()}, random_seed={self.random_seed})"


@dataclass(frozen=True)
class BatchResult:
    count: int
    samples: dict[str, str]


def make_engine(url: str) -> Engine:
    # SQLite has one writer at a time: the other processes wait for it instead of failing.
    options = {"connect_args": {"timeout": 300}} if url.startswith("sqlite") else {}
    return create_engine(url, **options)


def seed_batch(job: Job, engine: Engine, index: int, size: int) -> BatchResult:
    """Generate, encrypt and commit one batch.

    With a random seed the content depends only on it and the batch index, whatever
    process runs the batch; keys, nonces, ids and references are always fresh randomness.
    """
    # Invented content only: nothing secret comes from this generator.
    rng = random.Random(  # noqa: S311
        None if job.random_seed is None else f"{job.random_seed}:{index}"
    )
    batch = Batch()
    setting = job.setting()
    first = job.first if index == 0 else ()
    for number in range(size):
        final = first[number] if number < len(first) else None
        add_case(rng, batch, job.keys, setting, job.now, final)
    write_batch(engine, batch)
    return BatchResult(size, batch.samples)


_worker: tuple[Job, Engine] | None = None


def _start_worker(job: Job) -> None:
    """Pool initializer: each process opens its own connections, never its parent's."""
    # The pool ends its processes with SIGTERM. A handler inherited from the parent (an RQ
    # worker run in the same process installs one that only asks it to stop) would keep a
    # process alive, and the pool would wait for it forever.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    global _worker
    _worker = (job, make_engine(job.database_url))


def _seed_in_worker(task: tuple[int, int]) -> BatchResult:
    if _worker is None:
        raise RuntimeError("worker process not initialised")
    return seed_batch(*_worker, *task)


def run_batches(job: Job, tasks: list[tuple[int, int]], workers: int) -> Iterator[BatchResult]:
    """Run the batches here (one worker) or in a pool of processes, yielding as they finish."""
    if workers == 1:
        engine = make_engine(job.database_url)
        try:
            for index, size in tasks:
                yield seed_batch(job, engine, index, size)
        finally:
            engine.dispose()
        return
    with multiprocessing.Pool(workers, initializer=_start_worker, initargs=(job,)) as pool:
        yield from pool.imap_unordered(_seed_in_worker, tasks)


# --- the command -----------------------------------------------------------------------------


@dataclass
class SeedReport:
    count: int
    seconds: float
    access_code: str
    samples: dict[str, str]  # status -> a reference of a case in it

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0


def _demo_keys(access_code: str) -> DemoKeys:
    ring = custody.keyring()
    version, public = ring.current_intake_public()
    cost = crypto.ScryptCost(n=current_app.config["PORTAL_SCRYPT_N"])
    salt = crypto.new_salt()
    kek = crypto.derive_access_code_key(access_code, salt, cost)
    internal_version, internal_key = ring.current_internal()
    # The intake's blind-index keys: the workers index the cases as the intake would.
    index_keys = {key: ring.blind_index_key(key) for key in set(KEY_OF_PURPOSE.values())}
    return DemoKeys(version, public, kek, salt, cost.n, internal_version, internal_key, index_keys)


def _active(role: Role) -> tuple[uuid.UUID, ...]:
    query = (
        select(StaffUser.id)
        .join(StaffRole)
        .where(StaffRole.role == role, StaffUser.active.is_(True))
        .order_by(StaffUser.id)
    )
    return tuple(db.session.scalars(query))


def ensure_team() -> Staff:
    """The staff who worked on the demo cases: the active accounts of the case roles, and
    demo colleagues where a role has fewer than ``TEAM`` (one decider cannot confirm their
    own proposal). Colleagues are invited as any account is, and never enrolled: nobody
    can sign in with them."""
    from portal.accounts.services import invite_staff

    taken = set(db.session.scalars(select(StaffUser.username)))
    names = iter(COLLEAGUES * 3)
    for role_name, wanted in TEAM.items():
        role = Role(role_name)
        for number in range(len(_active(role)), wanted):
            username = f"demo-{role.value.replace('_', '-')}-{number + 1}"
            if username in taken:
                continue
            invite_staff(db.session, username, f"{next(names)} (demo)", [role], actor=None)
    db.session.flush()
    return Staff(
        caseworkers=_active(Role.CASEWORKER),
        deciders=_active(Role.DECIDER),
        security_officers=_active(Role.SECURITY_OFFICER),
    )


class Progress:
    """Prints how far seeding is, at most every few seconds, and the rate so far."""

    def __init__(self, echo: Callable[[str], None], total: int, every: float = 5.0) -> None:
        self.echo, self.total, self.every = echo, total, every
        self.done, self.started, self.shown = 0, time.perf_counter(), 0.0

    def advance(self, count: int) -> None:
        self.done += count
        elapsed = time.perf_counter() - self.started
        if elapsed - self.shown >= self.every or self.done == self.total:
            self.shown = elapsed
            rate = self.done / elapsed if elapsed else 0.0
            self.echo(f"  {self.done:>10,} / {self.total:,} cases  ({rate:,.0f} cases/s)")


def _prepare(random_seed: int | None, documents: bool, every_stage: bool) -> tuple[Job, str]:
    """The job every batch shares, and the one access code that opens every demo case."""
    access_code = codes.new_access_code()
    config = current_app.config
    blobs = {
        name: config.get(name)
        for name in ("PORTAL_BLOB_DIR", "PORTAL_BLOB_URL", "PORTAL_BLOB_S3_SSE")
    }
    job = Job(
        database_url=db.engine.url.render_as_string(hide_password=False),
        keys=_demo_keys(access_code),
        staff=ensure_team(),
        now=utcnow(),
        random_seed=random_seed,
        window=programme_window(),
        blobs=blobs if documents else None,
        first=tuple(CaseStatus) if every_stage else (),
    )
    db.session.commit()  # the colleagues, and the end of the reads: SQLite would block
    return job, access_code


def seed(
    count: int,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    workers: int | None = None,
    random_seed: int | None = None,
    documents: bool = False,
    every_stage: bool = False,
    echo: Callable[[str], None] = click.echo,
) -> SeedReport:
    """Create ``count`` demo cases that all open with one access code, printed at the end;
    with ``documents``, each with a few small generated files in the blob store; with
    ``every_stage``, the first cases one in each status of the lifecycle."""
    if current_app.config["PORTAL_ENV"] == "production":
        raise click.ClickException("demo data is never seeded in production")
    if count < 1 or batch_size < 1:
        raise click.ClickException("the number of cases and the batch size must be positive")
    started = time.perf_counter()
    instance = Path(current_app.instance_path)
    if bulk.mend_interrupted(db.engine, instance):
        echo("Rebuilt the indexes and foreign keys an interrupted run had set aside")
    job, access_code = _prepare(random_seed, documents, every_stage)
    tasks = [
        (index, min(batch_size, count - first))
        for index, first in enumerate(range(0, count, batch_size))
    ]
    workers = max(1, min(workers or os.cpu_count() or 1, len(tasks)))
    echo(f"Seeding {count:,} demo cases: {len(tasks):,} batches, {workers} process(es)")
    progress = Progress(echo, count)
    samples: dict[str, str] = {}
    with bulk.loading(db.engine, list(COLUMNS), count, instance, echo):
        if workers > 1:
            # Forked workers must not inherit pooled connections: they open their own.
            db.session.close()
            db.engine.dispose()
        for result in run_batches(job, tasks, workers):
            progress.advance(result.count)
            samples = result.samples | samples  # keep the first reference seen for each status
    # One event for the whole run: the cases are invented, their creation is one act.
    record_event(db.session, "demo.seeded", actor_kind=ActorKind.SYSTEM, count=str(count))
    db.session.commit()
    compact(db.engine)  # the tally's triggers wrote a row per case
    reclaim(db.engine)
    figures.refresh(db.engine, utcnow())  # count the moves every batch left
    report = SeedReport(count, time.perf_counter() - started, access_code, samples)
    _print_summary(echo, report)
    return report


def _print_summary(echo: Callable[[str], None], report: SeedReport) -> None:
    echo(
        f"Seeded {report.count:,} demo cases in {report.seconds:,.1f} s "
        f"({report.rate:,.0f} cases/s)."
    )
    echo("Development only: every demo case opens with this access code and its reference:")
    echo(f"  access code  {codes.grouped(report.access_code)}")
    for status in CaseStatus:
        if reference := report.samples.get(status.value):
            echo(f"  {status.value:<18} {codes.grouped(reference)}")
