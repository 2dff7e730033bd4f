"""Staff accounts: sign-in with password and TOTP, sessions, account administration."""

from flask import Blueprint

blueprint = Blueprint("accounts", __name__, template_folder="templates", url_prefix="/staff")

from portal.accounts import views as views  # noqa: E402  (registers the routes)
