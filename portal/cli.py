"""``flask --app wsgi ...`` commands: keys, queue, worker, staff, demo, watch list."""

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from portal.extensions import db

keys_cli = AppGroup("keys", help="Generate and rotate keys.")
queue_cli = AppGroup("queue", help="Inspect and repair the work queue.")
staff_cli = AppGroup("staff", help="Manage staff accounts.")
demo_cli = AppGroup("demo", help="Demonstration data (never in production).")
audit_cli = AppGroup("audit", help="The audit trail.")


@audit_cli.command("verify")
def verify_audit() -> None:
    """Check the audit hash chain; exit non-zero on any edited, deleted or cut-off event."""
    from portal.core.audit import verify_chain

    key = current_app.extensions["portal.keyring"].audit_key()
    problems = verify_chain(db.session, key)
    for problem in problems:
        click.echo(problem)
    if problems:
        raise click.ClickException(f"the audit chain is broken in {len(problems)} places")
    click.echo("the audit chain is intact")


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


@queue_cli.command("relay")
def relay_queue() -> None:
    """Enqueue promised work that is missing from the queue."""
    from portal.intake.outbox import relay

    report = relay(db.session)
    click.echo(
        f"enqueued {report.enqueued}, re-enqueued {report.requeued}, waiting {report.waiting}"
    )


@queue_cli.command("failed")
def list_failed() -> None:
    """List intake work that failed: given up (screening failed) or waiting for a retry."""
    from portal.intake.failures import list_failed_jobs

    failed = list_failed_jobs(db.session, current_app.config["PORTAL_MAX_JOB_ATTEMPTS"])
    for job in failed:
        at = job.failed_at.isoformat(timespec="seconds") if job.failed_at else "-"
        click.echo(
            f"{job.case_id}  {job.reference}  {job.state}  attempts={job.attempts}  "
            f"error={job.last_error or '-'}  failed_at={at}"
        )
    click.echo(f"{len(failed)} failed")


@queue_cli.command("retry")
@click.argument("case_id", type=click.UUID)
def retry_failed(case_id: object) -> None:
    """Give CASE_ID's intake a fresh set of attempts and enqueue it now."""
    import uuid

    from redis import RedisError

    from portal.core.refusal import ActionRefused
    from portal.intake import queue
    from portal.intake.failures import retry_job

    identifier = uuid.UUID(str(case_id))
    try:
        retry_job(db.session, identifier)
    except ActionRefused:
        raise click.ClickException("this case has no intake to retry") from None
    db.session.commit()  # the job is handed to Redis after this
    try:
        queued = queue.fetch("intake", identifier) is not None
    except RedisError:
        queued = False
    click.echo("enqueued" if queued else "Redis is unreachable: the relay will enqueue it")


@queue_cli.command("rescore")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(min=1))
def rescore_queue(batch_size: int) -> None:
    """Bring the time-waiting points of open cases up to date (workers do it daily)."""
    from portal.intake.rescoring import rescore_time_waiting

    report = rescore_time_waiting(db.session, batch_size=batch_size)
    click.echo(f"rescored {report.updated} cases in {report.batches} batches")


@queue_cli.command("reindex")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(min=1))
def reindex_queue(batch_size: int) -> None:
    """Compute the blind indexes of every screened case again (after names fold anew)."""
    from portal.intake.reindexing import reindex_cases

    click.echo(f"indexed {reindex_cases(db.session, batch_size=batch_size)} cases again")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option(
    "--no-timers",
    is_flag=True,
    help="Run no timers beside it (outbox relay, re-scoring, folding the case tally).",
)
def run_worker(burst: bool, no_timers: bool) -> None:
    """Start an intake worker, with the outbox relay and other upkeep on timers."""
    from portal.intake.worker import run

    run(current_app._get_current_object(), burst=burst, timers=not no_timers)  # type: ignore[attr-defined]


def register(app: Flask) -> None:
    from portal.accounts.cli import register_staff_commands
    from portal.demo.cli import seed_demo
    from portal.watchlist.cli import watchlist_cli

    demo_cli.add_command(seed_demo)
    register_staff_commands(staff_cli)
    for command in (keys_cli, queue_cli, staff_cli, demo_cli, watchlist_cli, audit_cli, run_worker):
        app.cli.add_command(command)
