"""``flask --app wsgi staff ...``: create, deactivate and reset staff accounts.

Creating and resetting print an enrolment link, never a password: even the operator does
not learn the secrets a member of staff signs in with. Only the development demo accounts
are printed with their password and TOTP secret.
"""

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select
from werkzeug.routing import BuildError

from portal.accounts.models import StaffUser
from portal.accounts.services import create_staff, deactivate_staff, invite_staff, reset_staff
from portal.core.actors import Role
from portal.core.permissions import roles_compatible
from portal.extensions import db

ROLE_NAMES = [role.value for role in Role]
staff_cli = AppGroup("staff", help="Manage staff accounts.")


def describe_credentials(user: StaffUser, password: str, secret: str) -> str:
    roles = ", ".join(sorted(user.role_names))
    return (
        f"  {user.username:<24} roles: {roles}\n"
        f"  {'':<24} password: {password}   TOTP secret: {secret}\n"
    )


def enrolment_path(token: str) -> str:
    """The link's path on the internal face (a command has no request to take a host from)."""
    try:
        return current_app.url_map.bind("").build("accounts.enrol", {"token": token})
    except BuildError:
        raise click.ClickException("run this on the internal face (PORTAL_FACES)") from None


def describe_enrolment(user: StaffUser, path: str) -> str:
    expires = user.enrolment_expires_at
    until = f"{expires:%Y-%m-%d %H:%M} UTC" if expires else "?"
    return (
        f"{user.username}: enrolment link, valid once until {until}.\n"
        "Give it to the person, who opens it at the internal face's address and there\n"
        "chooses a password and sets up an authenticator app:\n"
        f"  {path}\n"
    )


def seed_demo_accounts() -> str:
    """One account per role, committed; returns their sign-in details (development only)."""
    if current_app.config["PORTAL_ENV"] == "production":
        raise click.ClickException("demo accounts are never created in production")
    if db.session.scalar(select(StaffUser).limit(1)):
        return "Staff accounts exist already; their details were shown when they were made.\n"
    lines = ["Demo staff accounts (development only):\n"]
    for role in Role:
        username = f"demo-{role.value.replace('_', '-')}"
        made = create_staff(db.session, username, f"Demo {role.value}", [role])
        lines.append(describe_credentials(*made))
    db.session.commit()
    return "".join(lines)


@staff_cli.command("create")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="Name shown to colleagues.")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLE_NAMES))
def create_account(username: str, display_name: str, roles: tuple[str, ...]) -> None:
    """Create a staff account and print its enrolment link (used once, 72 hours)."""
    if db.session.scalar(select(StaffUser).where(StaffUser.username == username)):
        raise click.ClickException(f"{username} exists already")
    chosen = [Role(role) for role in roles]
    if not roles_compatible(chosen):
        raise click.ClickException("an administrator holds no other role")
    user, token = invite_staff(db.session, username, display_name, chosen, actor=None)
    path = enrolment_path(token)
    db.session.commit()
    click.echo(describe_enrolment(user, path), nl=False)


def _user(username: str) -> StaffUser:
    user = db.session.scalar(select(StaffUser).where(StaffUser.username == username))
    if user is None:
        raise click.ClickException(f"no account {username}")
    return user


@staff_cli.command("deactivate")
@click.argument("username")
def deactivate_account(username: str) -> None:
    """Deactivate an account; its sessions end at once."""
    deactivate_staff(db.session, _user(username), actor=None)
    db.session.commit()
    click.echo(f"{username} deactivated")


@staff_cli.command("reset")
@click.argument("username")
def reset_account(username: str) -> None:
    """Take the password and authenticator away; print a new enrolment link."""
    user = _user(username)
    path = enrolment_path(reset_staff(db.session, user, actor=None))
    db.session.commit()
    click.echo(describe_enrolment(user, path), nl=False)


@staff_cli.command("seed-dev")
def seed_dev() -> None:
    """One demo account per role (development only; prints the sign-in details)."""
    click.echo(seed_demo_accounts(), nl=False)
