"""deploy/backup.sh and deploy/restore.sh, run as an operator runs them: as subprocesses,
with the internal face's production environment, against PostgreSQL and either blob store
(a folder, or a bucket of an S3 server on loopback).

A backup is taken, a case shredded after it, and the backup restored into a fresh
database: the shredded case stays unreadable, another one opens as before, and a damaged
backup is refused without touching anything.

The scripts' portal commands (``flask db upgrade``, ``retention reapply``, ``blobs export``
...) run with ``PORTAL_ENV=production``, as on a real host: nothing is generated for them,
so they use the test's key directory and ledger and prove the documented environment is
enough. They connect as the roles of deploy/postgresql: the internal face's role for the
portal's commands, the schema owner for pg_dump, pg_restore and the migrations, each with
a password, as production's grants allow and no more. The test's own apps, which make the
cases and read them back afterwards, are the suite's usual development-mode apps on the
same database and keys.
"""

import hashlib
import os
import secrets
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from portal.cases import retention
from portal.cases.models import Case, KeyWrap
from portal.cases.states import CaseStatus
from portal.config import _database_url
from portal.core.audit import AuditEvent
from portal.extensions import db
from tests.cases.retained import (
    DOCUMENT,
    Saved,
    assert_unreadable,
    readable_document,
    saved_case,
)
from tests.conftest import AppFactory
from tests.database_roles import as_role, granted_roles, run_sql

ROOT = Path(__file__).resolve().parents[2]
BACKUP_FILES = {"database.dump", "blobs.tar", "SHA256SUMS"}
BUCKET = "portal-documents"
REGION = "eu-central-1"
SCRIPT_SECONDS = 180  # a bound, not a measurement: each script runs in seconds

needs_postgresql = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith(("postgresql", "postgres:")),
    reason="the scripts back up PostgreSQL only (pg_dump, pg_restore): "
    "set TEST_DATABASE_URL=postgresql://...",
)


def _run(script: str, environment: dict[str, str], *arguments: str) -> Any:
    return subprocess.run(  # noqa: S603 - the project's own scripts, fixed arguments
        ["bash", str(ROOT / "deploy" / script), *arguments],
        cwd="/",  # as from cron or an operator's shell: the scripts find the app themselves
        env=environment,
        capture_output=True,
        text=True,
        timeout=SCRIPT_SECONDS,
        check=False,
    )


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- the two blob stores -----------------------------------------------------------------


@dataclass
class Store:
    """Where the documents are: the app's settings for it, the scripts' environment for it,
    and every blob's ciphertext by its ``case_id/document_id``."""

    config: dict[str, Any]
    environment: dict[str, str]
    blobs: Callable[[], dict[str, bytes]]
    # Everything the store's place holds, to show that a refused restore changed nothing.
    state: Callable[[], object]


def _folder_store(tmp_path: Path) -> Store:
    # The store's parent holds nothing else, so the folders restore.sh puts beside the
    # store (being unpacked, or moved aside) show in its state.
    place = tmp_path / "store"
    root = place / "blobs"
    root.mkdir(parents=True)
    root.chmod(0o2770)  # as docs/deployment.md makes it: shared with the faces' group

    def blobs() -> dict[str, bytes]:
        return {
            f"{path.parent.name}/{path.name}": path.read_bytes()
            for path in root.glob("*/*")
            if path.is_file()
        }

    def state() -> object:
        return sorted(
            (str(path.relative_to(place)), _digest(path.read_bytes()) if path.is_file() else "")
            for path in place.rglob("*")
        )

    # With a trailing slash, as an environment file may well write it.
    return Store({"PORTAL_BLOB_DIR": root}, {"PORTAL_BLOB_DIR": f"{root}/"}, blobs, state)


def _bucket_store(monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """A bucket on an S3 server on a free loopback port, which the scripts' subprocesses
    reach as the test's own clients do: through AWS_ENDPOINT_URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        yield from _bucket_on(server, monkeypatch)
    finally:
        server.stop()


def _bucket_on(server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    import boto3

    host, port = server.get_host_and_port()
    aws = {
        "AWS_ENDPOINT_URL": f"http://{host}:{port}",
        # Made-up credentials, and none of the machine's configuration.
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": "/nonexistent",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
    }
    for name, value in aws.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_ENDPOINT_URL_S3", "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    client = boto3.session.Session().client("s3")
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    prefix = "documents"
    url = f"s3://{BUCKET}/{prefix}"

    def objects() -> dict[str, bytes]:
        listing = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
        return {
            item["Key"]: client.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
            for item in listing
        }

    def blobs() -> dict[str, bytes]:
        return {
            key.removeprefix(f"{prefix}/"): data
            for key, data in objects().items()
            if key.startswith(f"{prefix}/")
        }

    def state() -> object:
        return sorted((key, _digest(data)) for key, data in objects().items())

    try:
        yield Store({"PORTAL_BLOB_URL": url}, {**aws, "PORTAL_BLOB_URL": url}, blobs, state)
    finally:
        client.close()


@pytest.fixture(params=["folder", "bucket"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Store]:
    if request.param == "folder":
        yield _folder_store(tmp_path)
    else:
        yield from _bucket_store(monkeypatch)


# --- the database roles, and a database to restore into ----------------------------------


@dataclass
class Databases:
    """The test's database and a fresh one, each reached as the schema's owner and as the
    internal face's role."""

    live_owner: str
    live_internal: str
    fresh_owner: str
    fresh_internal: str


@pytest.fixture
def databases(database_url: str) -> Iterator[Databases]:
    """The roles of deploy/postgresql, as production has them (under a prefix of their
    own: roles belong to the whole server), granted on the test's database so that its
    dump carries the grants as production's does; and an empty database owned by the owner
    role to restore into. The test's database was migrated by the superuser: that is its
    owner."""
    url = make_url(database_url)
    prefix, fresh = f"{url.database}_bk", f"{url.database}_restored_by_script"
    drop_fresh = f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)'
    run_sql(database_url, "postgres", drop_fresh)
    with granted_roles(database_url, prefix):
        run_sql(database_url, "postgres", f'CREATE DATABASE "{fresh}" OWNER {prefix}_owner')
        try:
            yield Databases(
                live_owner=url.render_as_string(hide_password=False),
                live_internal=as_role(database_url, url.database or "", f"{prefix}_internal"),
                fresh_owner=as_role(database_url, fresh, f"{prefix}_owner"),
                fresh_internal=as_role(database_url, fresh, f"{prefix}_internal"),
            )
        finally:
            run_sql(database_url, "postgres", drop_fresh)


# --- the environment the scripts run with ------------------------------------------------


def _internal_environment(
    app: Flask, instance: Path, store: Store, *, database: str, owner: str, tools: Path
) -> dict[str, str]:
    """The internal face's production environment, as /etc/portal/internal.env gives it
    (``database``: its role's connection), the schema owner's connection to the same
    database, and how to run the portal's commands from this checkout's virtualenv."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PORTAL_", "TEST_", "AWS_"))
        and name not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")
    }
    instance.mkdir(parents=True, exist_ok=True)
    return {
        **inherited,
        "PORTAL_ENV": "production",
        "PORTAL_FACES": "internal",
        "PORTAL_INSTANCE_DIR": str(instance),
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": database,
        "PORTAL_OWNER_DATABASE_URL": _database_url(owner),  # as SQLAlchemy names it, too
        "REDIS_URL": app.config["REDIS_URL"],
        "PORTAL_KEYS_DIR": str(app.config["PORTAL_KEYS_DIR"]),
        "PORTAL_SHRED_LEDGER_PATH": str(app.config["PORTAL_SHRED_LEDGER_PATH"]),
        "PORTAL_AUDIT_CHECKPOINT_PATH": str(app.config["PORTAL_AUDIT_CHECKPOINT_PATH"]),
        "PORTAL_FLASK": f"{sys.executable} -m flask --app wsgi",
        "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}",
        **store.environment,
    }


# --- the database tools, watched ---------------------------------------------------------


@pytest.fixture
def database_tools(tmp_path: Path) -> tuple[Path, Path]:
    """A folder with pg_dump and pg_restore that note their arguments and the PGPASSWORD
    they were given, then run the real ones; and the file they note them in."""
    folder, notes = tmp_path / "tools", tmp_path / "tools.log"
    folder.mkdir()
    for tool in ("pg_dump", "pg_restore"):
        real = shutil.which(tool)
        assert real is not None, f"{tool} is not installed"
        wrapper = folder / tool
        wrapper.write_text(
            "#!/bin/sh\n"
            f"printf '%s\\t%s\\t%s\\n' {tool} \"${{PGPASSWORD-}}\" \"$*\" >> '{notes}'\n"
            f'exec {real} "$@"\n'
        )
        wrapper.chmod(0o755)
    return folder, notes


def _tool_calls(notes: Path) -> list[tuple[str, str, str]]:
    """(tool, PGPASSWORD, arguments) of each call."""
    return [tuple(line.split("\t", 2)) for line in notes.read_text().splitlines()]  # type: ignore[misc]


# --- what a backup holds -----------------------------------------------------------------


def _document_path(saved: Saved) -> str:
    return f"{saved.id}/{saved.document_id}"


def _archived_blobs(folder: Path) -> dict[str, bytes]:
    with tarfile.open(folder / "blobs.tar") as archive:
        return {
            member.name.removeprefix("./"): archive.extractfile(member).read()  # type: ignore[union-attr]
            for member in archive.getmembers()
            if member.isfile()
        }


def _assert_a_whole_backup(folder: Path, store: Store, cases: list[Saved]) -> None:
    assert folder.stat().st_mode & 0o777 == 0o700
    assert {path.name for path in folder.iterdir()} == BACKUP_FILES
    for path in folder.iterdir():
        assert path.stat().st_mode & 0o777 == 0o600, path.name
    sums: dict[str, str] = {}
    for line in (folder / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        sums[name] = digest
    assert sums == {
        name: _digest((folder / name).read_bytes()) for name in ("database.dump", "blobs.tar")
    }
    assert (folder / "database.dump").read_bytes().startswith(b"PGDMP")  # pg_dump's custom format
    # Every document's ciphertext, byte for byte as the store keeps it: nothing decrypted.
    archived = _archived_blobs(folder)
    assert archived == store.blobs()
    assert {_document_path(saved) for saved in cases} <= set(archived)
    assert not any(DOCUMENT in data for data in archived.values())


DAMAGES = {
    "a document's ciphertext": "",
    # The sum of the damaged archive unreadable too: a checker that skipped lines it cannot
    # parse, as sha256sum does unless told to be strict, would check the dump alone.
    "and its line of the sums": "garbled",
    "and its line of the sums gone": "gone",
}


def _damaged_copy(folder: Path, copy: Path, saved: Saved, sums: str) -> Path:
    """The backup with one byte of a document's ciphertext changed, as a failing disk or a
    bad copy would: the archive still unpacks, only the sums tell; ``sums``: whether its
    line in SHA256SUMS is ``garbled`` or ``gone`` too."""
    shutil.copytree(folder, copy)
    lines = (copy / "SHA256SUMS").read_text().splitlines()
    if sums:
        kept_lines = [line for line in lines if not line.endswith("blobs.tar")]
        garbled = [f"{line[:20]} blobs.tar" for line in lines if line.endswith("blobs.tar")]
        lines = kept_lines + (garbled if sums == "garbled" else [])
        (copy / "SHA256SUMS").write_text("".join(f"{line}\n" for line in lines))
    with tarfile.open(copy / "blobs.tar") as archive:
        offset = archive.getmember(f"./{_document_path(saved)}").offset_data
    with (copy / "blobs.tar").open("r+b") as tar:
        tar.seek(offset + 40)
        byte = tar.read(1)
        tar.seek(offset + 40)
        tar.write(bytes([byte[0] ^ 0x01]))
    return copy


def _database_state() -> object:
    return (
        sorted((str(case.id), case.shredded_at) for case in db.session.scalars(select(Case))),
        db.session.scalar(select(func.count()).select_from(KeyWrap)),
        db.session.scalar(select(func.count()).select_from(AuditEvent)),
    )


# --- the tests ---------------------------------------------------------------------------


@needs_postgresql
def test_a_backup_restored_by_the_scripts_keeps_a_case_shredded_since_unreadable(
    make_app: AppFactory,
    store: Store,
    databases: Databases,
    database_tools: tuple[Path, Path],
    tmp_path: Path,
) -> None:
    ledger = tmp_path / "ledger" / "shred-ledger.jsonl"
    ledger.parent.mkdir()
    live = make_app(**store.config, PORTAL_SHRED_LEDGER_PATH=ledger)
    with live.app_context():
        doomed = saved_case(CaseStatus.REJECTED, closed_days_ago=4 * 365)
        kept = saved_case(CaseStatus.IN_REVIEW)
    environment = _internal_environment(
        live,
        tmp_path / "instance",
        store,
        database=databases.live_internal,
        owner=databases.live_owner,
        tools=database_tools[0],
    )
    backups = tmp_path / "backups"

    taken = _run("backup.sh", {**environment, "BACKUP_DIR": str(backups)})

    assert taken.returncode == 0, taken.stdout + taken.stderr
    (folder,) = backups.iterdir()
    _assert_a_whole_backup(folder, store, [doomed, kept])

    # After the backup: the doomed case is shredded, and a new draft is written.
    with live.app_context():
        assert retention.run(db.session).shredded == 1
        db.session.remove()
        later = saved_case()
    assert _document_path(later) in store.blobs()
    restore_environment = {
        **environment,
        "DATABASE_URL": databases.fresh_internal,
        "PORTAL_OWNER_DATABASE_URL": databases.fresh_owner,
    }
    folder_modes = {
        path: path.stat().st_mode for path in store.config.values() if isinstance(path, Path)
    }

    restored = _run("restore.sh", restore_environment, str(folder))

    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "1 cases shredded again" in restored.stdout
    assert "every shred in the ledger is applied" in restored.stdout
    # As the owner, its password in the tools' environment, never on their command line.
    owner = make_url(databases.fresh_owner)
    assert [call[:2] for call in _tool_calls(database_tools[1])] == [
        ("pg_dump", ""),  # the test's superuser has no password
        ("pg_restore", owner.password),
    ]
    assert not any(str(owner.password) in call[2] for call in _tool_calls(database_tools[1]))
    assert f"{owner.username}@" in _tool_calls(database_tools[1])[1][2]
    blobs = store.blobs()
    assert _document_path(doomed) not in blobs
    assert _document_path(kept) in blobs
    if "PORTAL_BLOB_URL" in store.config:
        # The object written after the backup is counted and left for the operator.
        assert "1 objects in the bucket are not in the backup" in restored.stdout
    else:
        # The store in use was moved aside whole, the later document with it.
        (aside,) = (tmp_path / "store").glob("blobs.replaced-*")
        assert (aside / _document_path(later)).is_file()
        # The restored store is shared as the one it replaced (docs/deployment.md).
        assert {path: path.stat().st_mode for path in folder_modes} == folder_modes
    after = make_app(
        **store.config,
        PORTAL_SHRED_LEDGER_PATH=ledger,
        SQLALCHEMY_DATABASE_URI=_database_url(databases.fresh_owner),
    )
    with after.app_context():
        assert_unreadable(doomed)
        assert readable_document(kept) == DOCUMENT
        assert db.session.get(Case, later.id) is None
        db.session.remove()
        # Written after the restore: a restore that went ahead would take it away.
        since = saved_case()
        before = (_database_state(), store.state())
        db.session.remove()

        for number, (damage, sums) in enumerate(DAMAGES.items()):
            damaged = _damaged_copy(folder, tmp_path / f"damaged-{number}", kept, sums)

            refused = _run("restore.sh", restore_environment, str(damaged))

            assert refused.returncode != 0, damage
            assert "the backup is damaged" in refused.stderr, damage
            assert (_database_state(), store.state()) == before, damage
            db.session.remove()  # no lock held that a restore which went ahead would wait for
        # The portal's commands are tried before anything is replaced: failing after the
        # database, a restore would leave the cases shredded since the backup readable.
        without_commands = {**restore_environment, "PORTAL_FLASK": "flask --app wsgi"}
        without_commands["PATH"] = "/usr/bin:/bin"  # no virtualenv: no flask, or another's
        refused = _run("restore.sh", without_commands, str(folder))
        assert refused.returncode != 0
        assert "cannot run the portal's commands" in refused.stderr
        assert (_database_state(), store.state()) == before
        db.session.remove()
        assert readable_document(since) == DOCUMENT
        db.session.remove()
        db.engine.dispose()  # before the restored database is dropped


KEPT_APART = [
    pytest.param("PORTAL_KEYS_DIR", "blobs/keys", id="keys-in-the-blob-store"),
    pytest.param("PORTAL_KEYS_DIR", "backups/keys", id="keys-in-the-backups"),
    pytest.param("BACKUP_DIR", "keys/backups", id="backups-in-the-keys"),
    pytest.param("PORTAL_SHRED_LEDGER_PATH", "backups/shred-ledger.jsonl", id="ledger-in-backups"),
    pytest.param(
        "PORTAL_AUDIT_CHECKPOINT_PATH", "blobs/audit-checkpoints.jsonl", id="checkpoints-in-blobs"
    ),
    pytest.param("PORTAL_KEYS_DIR", "link-to-blobs/keys", id="keys-in-blobs-through-a-link"),
]


@pytest.mark.parametrize(("setting", "place"), KEPT_APART)
def test_a_backup_that_would_take_the_keys_or_the_ledger_along_is_refused(
    tmp_path: Path, setting: str, place: str
) -> None:
    (tmp_path / "blobs").mkdir()
    (tmp_path / "link-to-blobs").symlink_to(tmp_path / "blobs")
    environment = {
        "PATH": os.environ["PATH"],
        # Never reached: the overlap is refused before anything is read.
        "DATABASE_URL": "postgresql://portal@127.0.0.1:1/portal",
        "PORTAL_BLOB_DIR": str(tmp_path / "blobs"),
        "BACKUP_DIR": str(tmp_path / "backups"),
        "PORTAL_KEYS_DIR": str(tmp_path / "keys"),
        "PORTAL_SHRED_LEDGER_PATH": str(tmp_path / "ledger" / "shred-ledger.jsonl"),
        "PORTAL_AUDIT_CHECKPOINT_PATH": str(tmp_path / "ledger" / "audit-checkpoints.jsonl"),
    }
    environment[setting] = str(tmp_path / place)

    refused = _run("backup.sh", environment)

    assert refused.returncode != 0
    assert "overlap" in refused.stderr
    assert "must live apart from the blob store and the backups" in refused.stderr
    backups = Path(environment["BACKUP_DIR"])
    assert not backups.exists() or not any(backups.iterdir())


@needs_postgresql
def test_a_backup_that_fails_half_way_leaves_nothing_behind(
    database_url: str, tmp_path: Path
) -> None:
    backups = tmp_path / "backups"
    environment = {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": database_url,
        # The database is dumped, then the blob store cannot be read.
        "PORTAL_BLOB_DIR": str(tmp_path / "no-such-store"),
        "BACKUP_DIR": str(backups),
        "PORTAL_SHRED_LEDGER_PATH": str(tmp_path / "ledger" / "shred-ledger.jsonl"),
    }

    failed = _run("backup.sh", environment)

    assert failed.returncode != 0
    assert "no-such-store" in failed.stderr
    # Not even the dump: half a backup restores nothing, and the dump is worth protecting.
    assert list(backups.iterdir()) == []


def _tar_that_ends_with(status: int, folder: Path) -> Path:
    """A ``tar`` that archives as the real one does, then exits with ``status``: 1 is what
    GNU tar says when a file changed or went while it read (an upload or a shred during
    the night's backup), 2 a real error."""
    folder.mkdir()
    real = shutil.which("tar")
    assert real is not None
    shim = folder / "tar"
    shim.write_text(f'#!/bin/sh\n"{real}" "$@" || exit $?\nexit {status}\n')
    shim.chmod(0o755)
    return folder


@needs_postgresql
@pytest.mark.parametrize(("tar_status", "succeeds"), [(1, True), (2, False)])
def test_a_blob_store_that_changes_while_it_is_read_is_still_backed_up(
    database_url: str, tmp_path: Path, tar_status: int, succeeds: bool
) -> None:
    store = tmp_path / "blobs"
    (store / "ab").mkdir(parents=True)
    (store / "ab" / "document").write_bytes(b"ciphertext")
    (store / "ab" / ".upload-k2j4").write_bytes(b"half an upload")
    tools = _tar_that_ends_with(tar_status, tmp_path / "tools")
    backups = tmp_path / "backups"
    environment = {
        "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}",
        "DATABASE_URL": database_url,
        "PORTAL_BLOB_DIR": str(store),
        "BACKUP_DIR": str(backups),
        "PORTAL_SHRED_LEDGER_PATH": str(tmp_path / "ledger" / "shred-ledger.jsonl"),
    }

    result = _run("backup.sh", environment)

    if not succeeds:
        assert result.returncode != 0
        assert f"tar exit status {tar_status}" in result.stderr
        assert list(backups.iterdir()) == []
        return
    assert result.returncode == 0, result.stderr
    (backup,) = backups.iterdir()
    with tarfile.open(backup / "blobs.tar") as archive:
        names = {Path(name).name for name in archive.getnames()}
    assert "document" in names
    assert ".upload-k2j4" not in names  # no document yet
