"""The base form, and keeping what a person typed when their form's token has expired.

A CSRF token expires (after hours on a slow connection, or after signing in again). Instead
of an error page that throws the answers away, the page is shown again with everything that
was typed, a fresh token and a note to send it again. Nothing is saved from such a request.
"""

from collections.abc import Callable
from typing import Any

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from wtforms import SelectChoice, TextAreaField
from wtforms.validators import ValidationError

from portal.core.i18n import _ls
from portal.core.text import has_control_characters, without_control_characters


def options(pairs: Any) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def refuse_control_characters(message: Any) -> Callable[[Any, Any], None]:
    """A validator that refuses control and invisible format characters (direction marks
    included) with ``message``, in the page's language. A text area keeps its line breaks
    and tabs; a line is judged as it is kept, without the blanks around it.

    The refused text is shown again without those characters: nobody can find and delete
    an invisible character, but anyone can check what remains and send it again.
    """

    def validator(_form: Any, field: Any) -> None:
        if not field.data:
            return
        multiline = isinstance(field, TextAreaField)
        text = field.data if multiline else field.data.strip()
        if has_control_characters(text, multiline=multiline):
            field.data = without_control_characters(field.data, multiline=multiline)
            raise ValidationError(message)

    return validator


# Staff text (notes, questions, reasons, usernames) is read by colleagues and applicants:
# line breaks and tabs, but no NUL, escape sequences or invisible direction marks pasted in.
# Applicant forms refuse the same with a message in the applicant's language.
staff_plain_text = refuse_control_characters(
    _ls(
        "The text contains control characters or invisible direction marks. Please type it again without them."
    )
)


class PortalForm(FlaskForm):
    def validate_on_submit(self, extra_validators: Any = None) -> bool:
        if g.get("csrf_expired"):
            return False  # shown again for checking, never acted upon
        return bool(super().validate_on_submit(extra_validators))


def show_form_again(error: CSRFError) -> Any:
    """Render the page the form came from again, with what was typed; else a plain 400."""
    from flask import render_template

    view = current_app.view_functions.get(request.endpoint or "")
    message = _("This form expired for your safety. Please check your answers and send it again.")
    if request.method == "POST" and view is not None and getattr(view, "keeps_typed", False):
        g.csrf_expired = message
        result: Any = view(**(request.view_args or {}))
        response = current_app.make_response(result)
        response.status_code = 400
        return response
    return render_template("error.html", code=400, message=message), 400


def keeps_typed_answers(view: Any) -> Any:
    """Mark a view that can safely be shown again with a rejected form's answers."""
    view.keeps_typed = True
    return view
