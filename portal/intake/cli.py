"""``flask --app wsgi queue ...`` and ``flask --app wsgi worker``: the intake's work queue."""

import uuid

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from redis import RedisError

from portal.extensions import db
from portal.intake import queue

queue_cli = AppGroup("queue", help="Inspect and repair the work queue.")


@queue_cli.command("relay")
def relay_queue() -> None:
    """Enqueue promised work that is missing from the queue."""
    from portal.intake.outbox import relay

    # Commits entry by entry (see outbox.relay): each enqueue is recorded as it happens.
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
def retry_failed(case_id: uuid.UUID) -> None:
    """Give CASE_ID's intake a fresh set of attempts and enqueue it now."""
    from portal.core.refusal import ActionRefused
    from portal.intake.failures import retry_job

    try:
        retry_job(db.session, case_id)
    except ActionRefused:
        raise click.ClickException("this case has no intake to retry") from None
    db.session.commit()  # the job is handed to Redis after this
    try:
        queued = queue.fetch(queue.INTAKE_JOB, case_id) is not None
    except RedisError:
        queued = False
    click.echo("enqueued" if queued else "Redis is unreachable: the relay will enqueue it")


@queue_cli.command("rescore")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(min=1))
def rescore_queue(batch_size: int) -> None:
    """Bring the time-waiting points of open cases up to date (workers do it daily)."""
    from portal.intake.rescoring import rescore_time_waiting

    report = rescore_time_waiting(db.session, batch_size=batch_size)  # commits each batch
    click.echo(f"rescored {report.updated} cases in {report.batches} batches")


@queue_cli.command("reindex")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(min=1))
def reindex_queue(batch_size: int) -> None:
    """Compute the blind indexes of every screened case again (after names fold anew)."""
    from portal.intake.reindexing import reindex_cases

    count = reindex_cases(db.session, batch_size=batch_size)  # commits each batch
    click.echo(f"indexed {count} cases again")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option(
    "--no-timers",
    is_flag=True,
    help="Run no timers beside it (outbox relay, re-scoring, folding the case tally, audit checkpoints).",
)
@with_appcontext
def worker_command(burst: bool, no_timers: bool) -> None:
    """Start an intake worker, with the outbox relay and other upkeep on timers."""
    from portal.intake.worker import run

    run(current_app._get_current_object(), burst=burst, timers=not no_timers)  # type: ignore[attr-defined]
