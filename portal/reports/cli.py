"""``flask --app wsgi reports refresh``: bring the envoy's figures up to date now."""

import click
from flask import current_app
from flask.cli import AppGroup

from portal.core.db import utcnow
from portal.extensions import db
from portal.intake.employers import refresh_figures

reports_cli = AppGroup("reports", help="The envoy's figures.")


@reports_cli.command("refresh")
def refresh() -> None:
    """Count the moves and employer ticks waiting, and rebuild where cases stand."""
    keyring = current_app.extensions["portal.keyring"]
    if not refresh_figures(db.session, keyring, utcnow()):
        raise click.ClickException("another refresh is running; try again in a moment")
    click.echo("figures refreshed")
