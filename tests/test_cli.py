"""The ``flask`` commands: the ones README.md and docs/operations.md name, and no others."""

from flask import Flask
from sqlalchemy import select

from portal.accounts.models import StaffUser
from portal.extensions import db

GROUPS = {
    "keys": {"rotate", "retire"},
    "audit": {"verify", "checkpoint"},
    "retention": {"run", "reapply", "check", "start-ledger"},
    "blobs": {"export", "import"},
    "staff": {"create", "deactivate", "reset", "seed-dev"},
    "queue": {"relay", "failed", "retry", "rescore", "reindex"},
    "watchlist": {"import"},
    "demo": {"seed"},
    "reports": {"refresh"},
}


def test_every_documented_command_is_there_and_no_other(app: Flask) -> None:
    commands = app.cli.commands  # type: ignore[attr-defined]
    assert set(commands) == {*GROUPS, "worker", "db"}  # db: Flask-Migrate's migrations
    for group, names in GROUPS.items():
        assert set(commands[group].commands) == names, group
    result = app.test_cli_runner().invoke(args=["worker", "--help"])
    assert result.exit_code == 0 and "--no-timers" in result.output, result.output


def test_a_staff_account_made_on_the_command_line_is_stored(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["staff", "create", "amira", "--name", "Amira K.", "--role", "caseworker"]
    )
    assert result.exit_code == 0, result.output
    # An enrolment link, never a secret: the person chooses their own.
    assert "amira" in result.output and "/staff/enrol/" in result.output
    assert "password" not in result.output.split("chooses a password")[0]
    assert "TOTP secret" not in result.output
    db.session.remove()
    user = db.session.scalars(select(StaffUser)).one()
    assert (user.username, user.display_name, user.role_names) == (
        "amira",
        "Amira K.",
        {"caseworker"},
    )
