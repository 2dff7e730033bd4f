from typing import Any

from wtforms import PasswordField, SelectMultipleField, StringField, ValidationError
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from portal.accounts.services import MIN_PASSWORD_LENGTH
from portal.cases.labels import LABELS
from portal.core.actors import Role
from portal.core.forms import PortalForm, options, staff_plain_text
from portal.core.i18n import STAFF_LANGUAGES, _ls
from portal.core.permissions import roles_compatible

REQUIRED = _ls("Required.")
SIX_DIGITS = Regexp(r"^\s*\d{3}\s?\d{3}\s*$", message=_ls("Six digits."))


def _code_field() -> Any:
    return StringField(
        _ls("Code from your authenticator app"), validators=[DataRequired(REQUIRED), SIX_DIGITS]
    )


def _new_password_fields() -> tuple[Any, Any]:
    """A password the person chooses, typed twice so a slip of the finger is caught."""
    chosen = PasswordField(
        _ls("New password"),
        description=_ls("At least %(count)s characters.", count=MIN_PASSWORD_LENGTH),
        validators=[
            DataRequired(REQUIRED),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=_ls("At least %(count)s characters.", count=MIN_PASSWORD_LENGTH),
            ),
        ],
    )
    again = PasswordField(
        _ls("New password again"),
        validators=[
            DataRequired(REQUIRED),
            EqualTo("new_password", message=_ls("The two passwords are not the same.")),
        ],
    )
    return chosen, again


class SignInForm(PortalForm):
    # No username holds a control character (PostgreSQL refuses a NUL in text outright).
    username = StringField(
        _ls("Username"),
        validators=[
            DataRequired(REQUIRED),
            Length(max=64),
            staff_plain_text,
        ],
    )
    password = PasswordField(_ls("Password"), validators=[DataRequired(REQUIRED), Length(max=200)])
    code = _code_field()


class EnrolmentForm(PortalForm):
    new_password, new_password_again = _new_password_fields()
    code = _code_field()


class PasswordChangeForm(PortalForm):
    current_password = PasswordField(
        _ls("Current password"), validators=[DataRequired(REQUIRED), Length(max=200)]
    )
    new_password, new_password_again = _new_password_fields()


class StaffLanguageForm(PortalForm):
    """The language switch in the staff navigation: one button per staff language."""

    language = StringField(validators=[DataRequired(REQUIRED), AnyOf(STAFF_LANGUAGES)])
    # The staff page to return to (only a path under /staff/ is followed).
    next = StringField(validators=[Length(max=2000)])


class NewStaffForm(PortalForm):
    username = StringField(
        _ls("Username"),
        validators=[
            DataRequired(REQUIRED),
            Regexp(
                r"^[a-z0-9][a-z0-9.\-]{1,62}$",
                message=_ls("Lower-case letters, digits, dots and dashes."),
            ),
        ],
    )
    display_name = StringField(_ls("Name"), validators=[DataRequired(REQUIRED), Length(max=128)])
    roles = SelectMultipleField(
        _ls("Roles"),
        choices=options((role.value, LABELS[Role][role]) for role in Role),
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validators=[DataRequired(_ls("At least one role."))],
    )

    def validate_roles(self, field: SelectMultipleField) -> None:
        known = {role.value: role for role in Role}  # unknown values: the choices say so
        if not roles_compatible(known[value] for value in field.data or [] if value in known):
            raise ValidationError(
                _ls(
                    "An administrator holds no other role. Create a separate account for that work."
                )
            )
