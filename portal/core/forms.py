"""The base form, and keeping what a person typed when their form's token has expired.

A CSRF token expires (after hours on a slow connection, or after signing in again). Instead
of an error page that throws the answers away, the page is shown again with everything that
was typed, a fresh token and a note to send it again. Nothing is saved from such a request.
"""

from collections.abc import Callable
from typing import Any, ClassVar

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from wtforms import SelectChoice, TextAreaField, validators
from wtforms.validators import ValidationError

from portal.core.i18n import _ls
from portal.core.numerals import local_number
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


# WTForms' own messages ("Not a valid choice.", "This field is required.") come from its
# catalogues, which have no Pashto and speak of "fields"; the portal says the same in its
# own words, in every applicant language. Keyed by WTForms' English text.
_CHOOSE_FROM_THE_LIST = _l("Please choose one of the options given.")
BUILTIN_MESSAGES = {
    "This field is required.": _l("Please answer this question."),
    "Not a valid choice.": _CHOOSE_FROM_THE_LIST,
    "Invalid Choice: could not coerce.": _CHOOSE_FROM_THE_LIST,
    "Invalid choice(s): one or more data inputs could not be coerced.": _CHOOSE_FROM_THE_LIST,
    # The refused value is not repeated back: it is whatever someone sent instead.
    "'%(value)s' is not a valid choice for this field.": _CHOOSE_FROM_THE_LIST,
    "Not a valid integer value.": _l("Please write a number, using digits only."),
    "Not a valid decimal value.": _l("Please write a number, using digits only."),
    "Not a valid float value.": _l("Please write a number, using digits only."),
}
# Whatever else WTForms might say is still said in the page's language.
_SOMETHING_ELSE = _l("Please check this answer.")


class BuiltinMessages:
    """The translations object WTForms asks for its own messages: the applicant forms'
    ``Meta.get_translations`` (staff forms keep WTForms' German and English)."""

    def gettext(self, string: str) -> str:
        return str(BUILTIN_MESSAGES.get(string, _SOMETHING_ELSE))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular)


class Length(validators.Length):
    """WTForms' Length (it still sets ``maxlength``) with a message in the page's digits."""

    def __call__(self, form: Any, field: Any) -> None:
        length = len(field.data) if field.data else 0
        if self.max != -1 and length > self.max:
            raise ValidationError(
                _(
                    "Please shorten this answer. Characters allowed: %(max)s.",
                    max=local_number(self.max),
                )
            )
        if length < self.min:
            raise ValidationError(
                _("Please write more. Characters needed: %(min)s.", min=local_number(self.min))
            )


class NumberRange(validators.NumberRange):
    """WTForms' NumberRange with a message in the page's digits; ``years`` for a year."""

    def __init__(self, min: int, max: int, *, years: bool = False) -> None:  # noqa: A002
        super().__init__(min, max)
        self.years = years

    def __call__(self, form: Any, field: Any) -> None:
        data = field.data
        if data is not None and self.min <= data <= self.max:
            return
        bounds = {
            "min": local_number(self.min, grouping=not self.years),
            "max": local_number(self.max, grouping=not self.years),
        }
        if self.years:
            raise ValidationError(_("Please give a year from %(min)s to %(max)s.", **bounds))
        raise ValidationError(_("Please give a number from %(min)s to %(max)s.", **bounds))


class PortalForm(FlaskForm):
    # The error summary names each question by its label; a field whose label is a whole
    # sentence (a declaration to tick) is named here by a few words instead.
    summary_names: ClassVar[dict[str, Any]] = {}

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
