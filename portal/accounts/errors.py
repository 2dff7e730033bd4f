"""Error pages on the staff URLs: the staff design and language (German or English, as the
account chose or the browser asks; never an applicant language), and a way back to the
person's own start page instead of "/", which a staff-only server does not have."""

from flask import g, render_template, request
from flask_babel import refresh
from sqlalchemy.exc import SQLAlchemyError

from portal.accounts.auth import COOKIE, session_user
from portal.core import unit_of_work
from portal.core.i18n import _ls, _s
from portal.extensions import db

MESSAGES = {
    400: _ls("The request could not be understood. Please go back and try again."),
    403: _ls("You are not allowed to do this."),
    404: _ls("This page does not exist."),
    405: _ls("This page cannot be used like that."),
    409: _ls(
        "Someone changed this case at the same moment. What you sent was not saved: "
        "please open the case again and check it."
    ),
    413: _ls("The file or form is too large."),
    429: _ls("Too many attempts. Please wait a few minutes and try again."),
}
START = "/staff/"


def staff_error_page(code: int, message: str | None = None) -> tuple[str, int]:
    _recognise_signed_in_staff()
    text = message or str(
        MESSAGES.get(
            code, _ls("Something went wrong on our side. Please try again in a few minutes.")
        )
    )
    return render_template("staff/error.html", code=code, message=text, start=_start()), code


def expired_form_page() -> tuple[str, int]:
    return staff_error_page(
        400, _s("This form expired for your safety. Please go back, reload the page and try again.")
    )


def _recognise_signed_in_staff() -> None:
    """Who is signed in, for their language and navigation, also on a URL no view answers
    (where no access check ran). A database that fails here leaves the page anonymous."""
    if g.get("staff") is None:
        try:
            g.staff = session_user(db.session, request.cookies.get(COOKIE))
        except SQLAlchemyError:
            unit_of_work.discard(db.session)
            g.staff = None
    refresh()  # the language is chosen again, now that the person is known


def _start() -> str:
    from portal.accounts.views import landing

    user = g.get("staff")
    return landing(user) if user is not None else START
