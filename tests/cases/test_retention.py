"""The retention schedule, the shred ledger, and a restore that must not bring a shredded
case back."""

import base64
import hashlib
import json
import logging
import shutil
import sqlite3
import subprocess
import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from portal.cases import custody, retention
from portal.cases.custody import open_with_access_code
from portal.cases.models import BlindIndex, Case, Document, KeyWrap, Person
from portal.cases.states import ActorKind, CaseStatus
from portal.core import audit, crypto, shred_ledger
from portal.core.audit import AuditEvent
from portal.core.db import utcnow
from portal.extensions import db
from tests.cases.retained import (
    DOCUMENT,
    Saved,
    assert_unreadable,
    readable_document,
    saved_case,
)
from tests.conftest import AppFactory
from tests.factories import PRINCIPAL


@pytest.fixture
def places(tmp_path: Path) -> dict[str, Path]:
    return {
        "PORTAL_SHRED_LEDGER_PATH": tmp_path / "shred-ledger.jsonl",
        "PORTAL_BLOB_DIR": tmp_path / "blobs",
    }


@pytest.fixture
def app(make_app: AppFactory, places: dict[str, Path]) -> Iterator[Flask]:
    app = make_app(**places)
    with app.app_context():
        yield app


def _signed_in_days_ago(saved: Saved, days: float) -> None:
    then = utcnow() - timedelta(days=days)
    with pytest.MonkeyPatch.context() as clock:
        clock.setattr(audit, "utcnow", lambda: then)
        assert open_with_access_code(db.session, saved.reference, saved.code) is not None
        db.session.commit()
    db.session.remove()


def _keys(case_id: uuid.UUID) -> int:
    return db.session.scalar(select(func.count()).where(KeyWrap.case_id == case_id)) or 0


def _events(action: str, case_id: uuid.UUID) -> list[dict[str, str]]:
    return list(
        db.session.scalars(
            select(AuditEvent.details).where(
                AuditEvent.action == action, AuditEvent.case_id == case_id
            )
        )
    )


def _ledger() -> shred_ledger.Ledger:
    return retention.configured_ledger()


# --- the schedule ----------------------------------------------------------------------------


def test_a_case_closed_longer_than_the_period_is_shredded_and_a_recent_one_kept(
    app: Flask,
) -> None:
    assert app.config["PORTAL_RETENTION_CLOSED_DAYS"] == 3 * 365
    old = saved_case(CaseStatus.ARRIVED, closed_days_ago=3 * 365 + 1)
    recent = saved_case(CaseStatus.REJECTED, closed_days_ago=3 * 365 - 1)
    still_open = saved_case(CaseStatus.IN_REVIEW, closed_days_ago=4 * 365)

    report = retention.run(db.session)
    db.session.remove()

    assert (report.shredded, report.drafts_deleted, report.reapplied) == (1, 0, 0)
    assert_unreadable(old)
    shredded = db.session.get(Case, old.id)
    assert shredded is not None and shredded.shredded_at is not None
    # The clear columns the reports count are kept; so is the ciphertext, unreadable.
    assert (shredded.status, shredded.nationality, shredded.people_count) == (
        CaseStatus.ARRIVED,
        "AF",
        3,
    )
    assert db.session.scalar(select(func.count()).where(BlindIndex.case_id == old.id)) == 0
    assert _events("case.shredded", old.id) == [{"reason": "retention"}]
    assert [(e.case_id, e.action) for e in _ledger().entries] == [(old.id, "shredded")]
    for kept in (recent, still_open):
        assert readable_document(kept) == DOCUMENT
        assert _keys(kept.id) == 2  # sealed to the intake key, and under the access code


def test_an_abandoned_draft_is_deleted_with_its_documents_and_a_recent_one_kept(
    app: Flask,
) -> None:
    abandoned = saved_case(created_days_ago=31)
    opened_lately = saved_case(created_days_ago=60)
    _signed_in_days_ago(opened_lately, 29)
    new = saved_case(created_days_ago=1)

    report = retention.run(db.session)
    db.session.remove()

    assert (report.shredded, report.drafts_deleted) == (0, 1)
    assert db.session.get(Case, abandoned.id) is None
    # Everything the draft owned went with it; its audit trail stays.
    for table in (Person, Document, KeyWrap, BlindIndex):
        assert db.session.scalar(select(func.count()).where(table.case_id == abandoned.id)) == 0, (
            table
        )
    assert not custody.blob_store().holds_case(abandoned.id)
    assert _events("case.deleted", abandoned.id) == [{"reason": "abandoned_draft"}]
    assert _events("case.started", abandoned.id)
    assert [(e.case_id, e.action) for e in _ledger().entries] == [(abandoned.id, "deleted")]
    for kept in (opened_lately, new):
        case = open_with_access_code(db.session, kept.reference, kept.code)
        assert case is not None and case.principal is not None
        assert case.principal.family_name == PRINCIPAL["family_name"]


def test_running_the_schedule_again_changes_nothing_more(app: Flask) -> None:
    saved_case(CaseStatus.WITHDRAWN, closed_days_ago=5 * 365)
    saved_case(created_days_ago=90)
    first = retention.run(db.session)
    ledger_before = app.config["PORTAL_SHRED_LEDGER_PATH"].read_bytes()
    events_before = db.session.scalar(select(func.count()).select_from(AuditEvent))

    second = retention.run(db.session)

    assert (first.shredded, first.drafts_deleted) == (1, 1)
    assert not second
    assert app.config["PORTAL_SHRED_LEDGER_PATH"].read_bytes() == ledger_before
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events_before


class _OneRound(threading.Event):
    """A timer's stop signal whose first wait ends at once unset, and whose second stops it."""

    waits = 0

    def wait(self, timeout: float | None = None) -> bool:
        self.waits += 1
        return self.waits > 1


def test_the_worker_runs_the_schedule_and_logs_counts_only(
    app: Flask, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal.intake.worker import run_retention_forever

    # Alembic's logging set-up, run when the test schema is built, disables the loggers
    # that exist by then; this one does whenever another module imported the worker first.
    monkeypatch.setattr(logging.getLogger("portal.intake.worker"), "disabled", False)
    saved = saved_case(CaseStatus.ARRIVED, closed_days_ago=4 * 365)
    with caplog.at_level(logging.INFO, logger="portal.intake.worker"):
        run_retention_forever(app, _OneRound())

    assert _keys(saved.id) == 0
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "retention: 1 closed cases shredded" in logged
    assert saved.reference not in logged and str(saved.id) not in logged


def test_a_shred_deletes_blobs_and_writes_the_ledger_only_when_it_commits(app: Flask) -> None:
    saved = saved_case(CaseStatus.ARRIVED)
    ledger_path = app.config["PORTAL_SHRED_LEDGER_PATH"]
    case = db.session.get(Case, saved.id)
    assert case is not None
    custody.shred(db.session, case, actor_kind=ActorKind.SYSTEM)
    assert custody.blob_store().holds_case(saved.id)  # not yet: the shred may roll back
    db.session.rollback()
    assert readable_document(saved) == DOCUMENT
    assert not ledger_path.exists()

    case = db.session.get(Case, saved.id)
    assert case is not None
    custody.shred(db.session, case, actor_kind=ActorKind.SYSTEM)
    db.session.commit()
    assert not custody.blob_store().holds_case(saved.id)
    assert [e.case_id for e in _ledger().entries] == [saved.id]


def test_production_shreds_nothing_without_a_started_ledger(
    app: Flask, places: dict[str, Path]
) -> None:
    saved = saved_case(CaseStatus.ARRIVED, closed_days_ago=4 * 365)
    app.config["PORTAL_ENV"] = "production"
    with pytest.raises(shred_ledger.LedgerRefused, match="start-ledger"):
        retention.run(db.session)
    db.session.rollback()
    assert _keys(saved.id) == 2

    runner = app.test_cli_runner()
    assert runner.invoke(args=["retention", "start-ledger"]).exit_code == 0
    assert runner.invoke(args=["retention", "start-ledger"]).exit_code != 0  # never twice
    result = runner.invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    assert "1 closed cases shredded" in result.output
    assert _keys(saved.id) == 0


# --- backup and restore ----------------------------------------------------------------------


class Backup:
    """A copy of the database, as ``deploy/backup.sh`` takes it (pg_dump in its custom
    format on PostgreSQL, SQLite's online backup otherwise), restored into a database of
    its own; and a copy of the blob store."""

    def __init__(self, database_url: str, blob_dir: Path, folder: Path) -> None:
        self.source, self.blob_dir, self.folder = database_url, blob_dir, folder
        self.restored_url: str | None = None

    def take(self) -> None:
        shutil.copytree(self.blob_dir, self.folder / "blobs")
        if self.source.startswith("sqlite"):
            with (
                sqlite3.connect(make_url(self.source).database or "") as live,
                sqlite3.connect(self.folder / "portal.sqlite3") as copy,
            ):
                live.backup(copy)
            return
        subprocess.run(  # noqa: S603 - fixed arguments, a test database's URL
            ["pg_dump", "--format=custom", f"--file={self.folder / 'portal.dump'}", self.source],
            check=True,
        )

    def restore(self) -> tuple[str, Path]:
        """The restored database's URL and blob folder."""
        blobs = self.folder / "restored-blobs"
        shutil.copytree(self.folder / "blobs", blobs)
        if self.source.startswith("sqlite"):
            restored = self.folder / "restored.sqlite3"
            shutil.copy(self.folder / "portal.sqlite3", restored)
            return f"sqlite:///{restored}", blobs
        url = make_url(self.source)
        name = f"{url.database}_restored"
        self._server(f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
        self.restored_url = url.set(database=name).render_as_string(hide_password=False)
        subprocess.run(  # noqa: S603 - fixed arguments, a test database's URL
            [
                "pg_restore",
                "--no-owner",
                f"--dbname={self.restored_url}",
                str(self.folder / "portal.dump"),
            ],
            check=True,
        )
        return self.restored_url, blobs

    def drop(self) -> None:
        if self.restored_url is not None:
            self._server(f'DROP DATABASE IF EXISTS "{make_url(self.restored_url).database}"')

    def _server(self, *statements: str) -> None:
        url = make_url(self.source).set(drivername="postgresql+psycopg", database="postgres")
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))
        engine.dispose()


@pytest.fixture
def backup(database_url: str, places: dict[str, Path], tmp_path: Path) -> Iterator[Backup]:
    folder = tmp_path / "backup"
    folder.mkdir()
    taken = Backup(database_url, places["PORTAL_BLOB_DIR"], folder)
    yield taken
    taken.drop()


def test_a_backup_restored_after_a_shred_does_not_bring_the_case_back(
    make_app: AppFactory, places: dict[str, Path], backup: Backup
) -> None:
    live = make_app(**places)
    with live.app_context():
        doomed = saved_case(CaseStatus.REJECTED, closed_days_ago=4 * 365)
        other = saved_case(CaseStatus.IN_REVIEW)
        backup.take()  # the nightly backup, taken before the shred
        assert retention.run(db.session).shredded == 1
        db.session.remove()

    url, blobs = backup.restore()
    restored = make_app(
        PORTAL_SHRED_LEDGER_PATH=places["PORTAL_SHRED_LEDGER_PATH"],  # kept apart: not restored
        PORTAL_BLOB_DIR=blobs,
        SQLALCHEMY_DATABASE_URI=_psycopg(url),
    )
    with restored.app_context():
        # What the restore brought back: the shredded case, readable again.
        assert open_with_access_code(db.session, doomed.reference, doomed.code) is not None
        db.session.rollback()
        runner = restored.test_cli_runner()
        refused = runner.invoke(args=["retention", "check"])
        assert refused.exit_code != 0
        assert "1 shredded cases the ledger lists still have keys" in refused.output

        result = runner.invoke(args=["retention", "reapply"])
        assert result.exit_code == 0, result.output
        assert "1 cases shredded again" in result.output
        db.session.remove()

        assert_unreadable(doomed)
        assert readable_document(other) == DOCUMENT
        assert _events("case.shredded", doomed.id)[-1] == {"source": "shred_ledger"}
        assert runner.invoke(args=["retention", "check"]).exit_code == 0
        db.session.remove()
        db.engine.dispose()  # before the restored database is dropped


def _psycopg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


# --- the ledger ------------------------------------------------------------------------------


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines()


def _write(path: Path, lines: list[bytes]) -> None:
    path.write_bytes(b"".join(line + b"\n" for line in lines))


def _canonical(fields: dict[str, object]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def test_a_forged_ledger_line_shreds_nothing(app: Flask) -> None:
    shredded = saved_case(CaseStatus.ARRIVED, closed_days_ago=4 * 365)
    victim = saved_case(CaseStatus.IN_REVIEW)
    retention.run(db.session)
    path = app.config["PORTAL_SHRED_LEDGER_PATH"]
    genuine = _lines(path)[0]
    # A genuine line edited to name another case, and a line signed with some other key.
    fields = {**json.loads(genuine), "case_id": str(victim.id), "sequence": 2}
    edited = _canonical(fields)
    del fields["signature"]
    fields |= {"sequence": 3, "previous": hashlib.sha256(edited).hexdigest()}
    signature = crypto.sign(
        crypto.new_signing_key(), shred_ledger.SIGNED_CONTEXT + _canonical(fields)
    )
    forged = _canonical({**fields, "signature": base64.b64encode(signature).decode()})
    _write(path, [genuine, edited, forged])

    result = app.test_cli_runner().invoke(args=["retention", "reapply"])
    db.session.remove()

    assert result.exit_code != 0
    assert "line 2 is not signed with the ledger key" in result.output
    assert "line 3 is not signed with the ledger key" in result.output
    assert readable_document(victim) == DOCUMENT
    assert [e.case_id for e in _ledger().entries] == [shredded.id]


def test_a_line_taken_out_of_the_ledger_shows(app: Flask) -> None:
    for years in (4, 5, 6):
        saved_case(CaseStatus.WITHDRAWN, closed_days_ago=years * 365)
    retention.run(db.session)
    path = app.config["PORTAL_SHRED_LEDGER_PATH"]
    first, _second, third = _lines(path)
    _write(path, [first, third])

    problems = retention.unapplied(db.session, _ledger())

    assert "shred ledger line 2 does not follow the line before it" in problems[0]
    assert "1 shredded cases are missing from the ledger" in problems[-1]
