"""Staff accounts and TOTP sign-in for browser tests."""

from typing import Any

import pyotp
from flask import Flask
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from portal.accounts.services import create_staff
from portal.core.actors import Role
from portal.extensions import db

PASSWORD = "a long and private passphrase"


def make_account(app: Flask, name: str, *roles: Role) -> str:
    """Creates the account and returns its TOTP secret."""
    with app.app_context():
        _user, _password, secret = create_staff(
            db.session, name, name.title(), list(roles), password=PASSWORD
        )
        db.session.commit()
    return secret


def staff_sign_in(
    page: Any, base: str, name: str, secret: str, lands_on: str = "form.filters"
) -> None:
    """Sign in; the page landed on shows ``lands_on`` (the queue's filters by default)."""
    page.goto(base + "/staff/sign-in")
    page.fill("[name=username]", name)
    page.fill("[name=password]", PASSWORD)
    page.fill("[name=code]", pyotp.TOTP(secret).now())
    page.locator("main form button[type=submit]").click()
    # The click returns before the page it leads to has loaded: wait for it.
    try:
        page.locator(lands_on).first.wait_for(timeout=15_000)
    except PlaywrightTimeout:
        raise AssertionError(f"no {lands_on} after signing in") from None
    assert page.locator(lands_on).count() == 1, f"more than one {lands_on} after signing in"
