from wtforms import PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from portal.cases.labels import LABELS
from portal.core.actors import Role
from portal.core.forms import PortalForm, options
from portal.core.i18n import _ls

REQUIRED = _ls("Required.")


class SignInForm(PortalForm):
    username = StringField(_ls("Username"), validators=[DataRequired(REQUIRED), Length(max=64)])
    password = PasswordField(_ls("Password"), validators=[DataRequired(REQUIRED), Length(max=200)])
    # Not required by the form: a new account has no code to give until its authenticator
    # is set up, which the password alone leads to (``auth.needs_enrolment``). For every
    # other account a missing code fails like a wrong one, saying nothing more.
    code = StringField(
        _ls("Code from your authenticator app"),
        description=_ls("At your first sign-in, leave this empty: you set up the app next."),
        validators=[
            Optional(),
            Regexp(r"^\s*\d{3}\s?\d{3}\s*$", message=_ls("Six digits.")),
        ],
    )


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
