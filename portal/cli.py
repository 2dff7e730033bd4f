"""``flask --app wsgi ...``: the commands of every area, added to the app in one place.

Each area's ``cli.py`` defines its command group (``staff``, ``queue`` and ``worker``,
``watchlist``, ``demo``); the groups here span areas: ``keys`` re-wraps case keys, staff
secrets and the watch list's key, ``audit`` checks the whole trail and writes its signed
checkpoints, ``retention`` shreds what is due and re-applies the shred ledger after a
restore, ``blobs`` copies an object store's ciphertext in and out for backups. Each
command commits once, at its end; one that works in batches commits each
batch, and says why.
"""

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from portal.core.blobstore import S3BlobStore, store_for
from portal.core.keyring import KeyRing
from portal.extensions import db

keys_cli = AppGroup("keys", help="Generate and rotate keys.")
audit_cli = AppGroup("audit", help="The audit trail.")
retention_cli = AppGroup("retention", help="Shred closed cases, delete abandoned drafts.")
blobs_cli = AppGroup("blobs", help="Copy an object store's ciphertext for backups.")


def _internal_keyring() -> KeyRing:
    """The keys of an internal face, which alone holds the audit checkpoint key."""
    ring: KeyRing = current_app.extensions["portal.keyring"]
    if ring.audit_checkpoint is None:
        raise click.ClickException(
            "this process holds no audit checkpoint key: run audit and retention commands on "
            "the internal face"
        )
    return ring


@audit_cli.command("verify")
@click.option(
    "--checkpoints",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A checkpoint file to compare with (default: PORTAL_AUDIT_CHECKPOINT_PATH), such "
    "as a copy fetched from where the checkpoints are kept.",
)
def verify_audit(checkpoints: Path | None) -> None:
    """Check the audit hash chain and compare it with the newest signed checkpoint; exit
    non-zero on any edited, deleted or cut-off event, on a chain wiped or rolled back
    behind its checkpoint, and on a checkpoint file that was edited."""
    from portal.core.audit import verify_chain
    from portal.core.audit_checkpoints import compare_with_checkpoints

    ring = _internal_keyring()
    path = checkpoints or current_app.config["PORTAL_AUDIT_CHECKPOINT_PATH"]
    problems = verify_chain(db.session, ring.audit_key())
    comparison = compare_with_checkpoints(db.session, path, ring.audit_checkpoint_public_key())
    problems += comparison.problems
    for problem in problems:
        click.echo(problem)
    if comparison.latest is not None:
        click.echo(f"compared with {comparison.latest.name}: {comparison.latest.reach}")
    if problems:
        raise click.ClickException(f"the audit chain is broken in {len(problems)} places")
    click.echo("the audit chain is intact")


@audit_cli.command("checkpoint")
@click.option(
    "--start-file",
    is_flag=True,
    help="Start the file if it does not exist: when setting up, and after moving a full "
    "file away (verify against it first).",
)
def checkpoint_audit(start_file: bool) -> None:
    """Append a signed checkpoint of the audit chain to PORTAL_AUDIT_CHECKPOINT_PATH.

    Refused if the chain falls short of the newest checkpoint there (wiped or rolled back),
    if the file's last line is not a signed checkpoint, and if there is no file and
    --start-file was not given.
    """
    from portal.core.audit_checkpoints import CheckpointRefused, write_checkpoint

    ring = _internal_keyring()
    path = current_app.config["PORTAL_AUDIT_CHECKPOINT_PATH"]
    try:
        checkpoint, _ = write_checkpoint(
            db.session, path, ring.audit_checkpoint_key(), start_file=start_file
        )
    except CheckpointRefused as refused:
        for problem in refused.problems:
            click.echo(problem)
        raise click.ClickException("no checkpoint written") from None
    except OSError as exc:
        raise click.ClickException(f"cannot write to {path}: {exc.strerror}") from None
    click.echo(f"{checkpoint.name} written to {path}: {checkpoint.reach}")


@keys_cli.command("rotate")
@click.argument("kind", type=click.Choice(["intake", "internal"]))
@click.option("--batch-size", default=500, show_default=True)
def rotate_keys(kind: str, batch_size: int) -> None:
    """Add a new KIND key and re-wrap every case key under it.

    Safe to run again after an interruption: it continues where it stopped.
    """
    from sqlalchemy import func, select

    from portal.accounts.services import reseal_totp_secrets
    from portal.cases import custody
    from portal.cases.models import KeyWrap
    from portal.core import keyring as keyfiles
    from portal.watchlist.store import lists_on_old_keys, rewrap_list_keys

    directory = current_app.config["PORTAL_KEYS_DIR"]
    ring = custody.keyring()
    newest = max(ring.intake_public if kind == "intake" else ring.internal)
    unfinished = db.session.scalar(
        select(func.count()).where(KeyWrap.method == kind, KeyWrap.key_version < newest)
    )
    if kind == "internal":
        unfinished = (unfinished or 0) + lists_on_old_keys(db.session, newest)
    if not unfinished:  # otherwise an interrupted rotation is resumed
        (keyfiles.add_intake_key_pair if kind == "intake" else keyfiles.add_internal_key)(directory)
        current_app.extensions["portal.keyring"] = keyfiles.KeyRing.load(directory, internal=True)
    # The case keys are re-wrapped and committed batch by batch, so that a rotation
    # interrupted half-way is resumed where it stopped (see above).
    if kind == "intake":
        count = custody.rotate_intake_wraps(db.session, batch_size=batch_size)
    else:
        count = custody.rotate_internal_wraps(db.session, batch_size=batch_size)
        count += reseal_totp_secrets(db.session)
        count += rewrap_list_keys(db.session)  # the watch list's key, not its entries
    db.session.commit()
    click.echo(f"{kind} key rotated; {count} keys re-wrapped. Old key files can now be retired.")


@keys_cli.command("retire")
@click.argument("kind", type=click.Choice(["intake", "internal"]))
def retire_keys(kind: str) -> None:
    """Delete KIND key files older than the newest, once nothing uses them."""
    from sqlalchemy import func, select

    from portal.accounts.models import StaffUser
    from portal.cases.models import KeyWrap
    from portal.core import keyring as keyfiles
    from portal.watchlist.store import lists_on_old_keys

    directory = current_app.config["PORTAL_KEYS_DIR"]
    ring = keyfiles.KeyRing.load(directory, internal=True)
    newest = max(ring.intake_public if kind == "intake" else ring.internal)
    still_used = (
        db.session.scalar(
            select(func.count()).where(KeyWrap.method == kind, KeyWrap.key_version < newest)
        )
        or 0
    )
    if kind == "internal":
        still_used += (
            db.session.scalar(select(func.count()).where(StaffUser.totp_key_version < newest)) or 0
        )
        still_used += lists_on_old_keys(db.session, newest)
    if still_used:
        raise click.ClickException(f"{still_used} keys still use an old {kind} key: rotate first")
    for path in keyfiles.retire_keys_before(directory, kind, newest):
        click.echo(f"deleted {path}")


@retention_cli.command("run")
def run_retention() -> None:
    """Re-apply the shred ledger, then shred closed cases and delete abandoned drafts that
    are due (PORTAL_RETENTION_CLOSED_DAYS, PORTAL_RETENTION_DRAFT_DAYS). The worker does the
    same every PORTAL_RETENTION_INTERVAL_SECONDS."""
    from portal.cases import retention

    _internal_keyring()
    # Committed batch by batch (portal.cases.retention): a long run keeps what it did.
    click.echo(str(retention.run(db.session)))


@retention_cli.command("reapply")
def reapply_retention() -> None:
    """After restoring the database and the blob store: shred and delete again every case
    the shred ledger lists, then check that none is readable. Exit non-zero, so that the
    service is not started, on a forged or broken ledger line or anything left readable."""
    from portal.cases import retention

    _internal_keyring()
    ledger = retention.configured_ledger()
    # Committed batch by batch (portal.cases.retention): run again, it finishes the rest.
    count = retention.reapply(db.session, ledger)
    click.echo(f"{len(ledger.entries)} ledger entries read; {count} cases shredded again")
    _refuse_on(retention.unapplied(db.session, ledger))


@retention_cli.command("check")
def check_retention() -> None:
    """Exit non-zero if the shred ledger is damaged or lists a case that can still be read
    (a restore not yet followed by `retention reapply`): run it before starting a face."""
    from portal.cases import retention

    _internal_keyring()
    _refuse_on(retention.unapplied(db.session, retention.configured_ledger()))


def _refuse_on(problems: list[str]) -> None:
    for problem in problems:
        click.echo(problem)
    if problems:
        raise click.ClickException("the shred ledger is not applied: do not start the service")
    click.echo("every shred in the ledger is applied")


@retention_cli.command("start-ledger")
def start_ledger() -> None:
    """Create an empty shred ledger at PORTAL_SHRED_LEDGER_PATH (once, when setting up:
    in production nothing is shredded until it exists)."""
    from portal.core import shred_ledger

    path = current_app.config["PORTAL_SHRED_LEDGER_PATH"]
    try:
        created = shred_ledger.start(path)
    except OSError as exc:
        raise click.ClickException(f"cannot create {path}: {exc.strerror}") from None
    if not created:
        raise click.ClickException(f"{path} exists already: a ledger is never started twice")
    click.echo(f"shred ledger started at {path}")


def _object_store() -> S3BlobStore:
    store = store_for(current_app.config)
    if not isinstance(store, S3BlobStore):
        raise click.ClickException(
            "PORTAL_BLOB_URL is not set: a folder store is backed up with tar, as is"
        )
    return store


@blobs_cli.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def export_blobs(folder: Path) -> None:
    """Copy the bucket's ciphertext into an empty FOLDER, laid out as a folder store (for
    deploy/backup.sh). Nothing is decrypted."""
    store = _object_store()
    if folder.exists() and any(folder.iterdir()):
        raise click.ClickException(f"{folder} is not empty")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    click.echo(f"{store.copy_out(folder)} blobs copied out of the bucket")


@blobs_cli.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def import_blobs(folder: Path) -> None:
    """Upload the ciphertext in FOLDER, as `blobs export` wrote it, into the bucket (for
    deploy/restore.sh, before `retention reapply`)."""
    uploaded, others = _object_store().copy_in(folder)
    click.echo(f"{uploaded} blobs uploaded into the bucket")
    if others:
        click.echo(
            f"{others} objects in the bucket are not in the backup: documents written after "
            "it, which no restored row can decrypt; delete them once the restore is checked"
        )


def register(app: Flask) -> None:
    """Add every area's command group to ``flask``; nothing else adds commands."""
    from portal.accounts.cli import staff_cli
    from portal.demo.cli import demo_cli
    from portal.intake.cli import queue_cli, worker_command
    from portal.reports.cli import reports_cli
    from portal.watchlist.cli import watchlist_cli

    for command in (
        keys_cli,
        audit_cli,
        retention_cli,
        blobs_cli,
        staff_cli,
        queue_cli,
        worker_command,
        watchlist_cli,
        demo_cli,
        reports_cli,
    ):
        app.cli.add_command(command)
