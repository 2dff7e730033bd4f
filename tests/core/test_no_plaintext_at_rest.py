"""What an applicant typed is nowhere at rest: not in the database files, a dump, or Redis."""

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.engine import make_url

from portal.apply.services import submit_case
from portal.cases.models import Case
from portal.cases.states import Programme
from portal.core.redis import get_redis
from portal.extensions import db
from portal.intake.worker import make_worker
from tests.factories import PRINCIPAL, make_case

DISTINCTIVE = [
    *PRINCIPAL.values(),
    "Gulbuddin-Qasimi-Xq",  # Latin
    "گلبدین‌قاسمی",  # Arabic script with a zero-width non-joiner
    "Drohbrief der Gruppe Schwarzer Adler",
    "Hauptmann Kesselring-Uhde",
    "zarmina.hidden@example.org",
]


def _fill(app: Flask) -> None:
    """Drafts, submitted and screened cases of both programmes, full of DISTINCTIVE."""
    for programme in Programme:
        draft, _code = make_case(db.session, programme=programme)
        draft.people[1].given_names = "Gulbuddin-Qasimi-Xq"
        draft.people[1].family_name = "گلبدین‌قاسمی"
        db.session.commit()
        submitted, _code = make_case(db.session, programme=programme)
        submit_case(db.session, submitted)
        db.session.commit()
    make_worker(app).work(burst=True)
    assert db.session.query(Case).count() == 4


def _found_in(blob: bytes) -> list[str]:
    found = []
    for value in DISTINCTIVE:
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            if value.encode(encoding) in blob:
                found.append(f"{value!r} ({encoding})")
    return found


def _read_in_another_process(path: Path) -> bytes:
    """Closing any descriptor of a SQLite file drops all of this process's locks on it
    (POSIX locks are per process), and another process could then reset the shared
    memory this process has mapped. Reading from a child process leaves them alone."""
    return subprocess.run(["cat", str(path)], check=True, capture_output=True).stdout


def _database_bytes(app: Flask, tmp_path: Path) -> Iterator[tuple[str, bytes]]:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    db.session.remove()
    db.engine.dispose()  # let SQLite write everything back into its files
    if url.get_backend_name() == "sqlite":
        database = Path(str(url.database))
        for path in database.parent.glob(database.name + "*"):  # the file, -wal, -shm
            yield path.name, _read_in_another_process(path)
    else:
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            pytest.fail("pg_dump is needed to scan a PostgreSQL dump")
        plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
        dump = subprocess.run(
            [pg_dump, "--data-only", "--dbname", plain], check=True, capture_output=True
        ).stdout
        assert b"COPY public.person" in dump  # the dump really holds the data
        yield "pg_dump", dump


def test_typed_values_are_not_in_the_database(app: Flask, tmp_path: Path) -> None:
    _fill(app)
    scanned = 0
    for name, blob in _database_bytes(app, tmp_path):
        scanned += len(blob)
        assert _found_in(blob) == [], name
    assert scanned > 10_000


def test_typed_values_are_not_in_redis(app: Flask) -> None:
    _fill(app)
    connection = get_redis()
    keys = list(connection.scan_iter(count=1000))
    assert keys, "the queue wrote nothing to Redis"
    for key in keys:
        dumped = connection.dump(key) or b""
        assert _found_in(key + dumped) == [], key
