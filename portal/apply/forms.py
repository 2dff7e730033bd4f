"""The applicant's forms: a few questions each, every message translated."""

import re
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.apply import choices
from portal.core.dates import Calendar, EnteredDate, calendars_for, solar_hijri_of, year_fits
from portal.core.forms import (
    BuiltinMessages,
    Length,
    NumberRange,
    PortalForm,
    options,
    refuse_control_characters,
)
from portal.core.i18n import current_language
from portal.core.normalise import fold_letters, phone_key
from portal.core.numerals import local_number, native_digits

NAME_MAX = 100
LATIN = re.compile(r"^[A-Za-z\u00C0-\u024F][A-Za-z\u00C0-\u024F' .\-]*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DOCUMENT_NUMBER = re.compile(r"^[\w\- /]{2,40}$")
REQUIRED = _l("Please answer this question.")
# Years are checked up to this year, read when a form is checked, so the ranges never expire.
FIRST_BIRTH_YEAR = 1900  # the birth-date message names it, in every language
# Well before any programme's employment window (PORTAL_LOCAL_STAFF_FROM): earlier jobs
# are part of a person's history too.
FIRST_EMPLOYMENT_YEAR = 1980


class ApplicantForm(PortalForm):
    """Every applicant form. WTForms' own messages ("Not a valid choice.") are said in the
    portal's words in every applicant language: WTForms has no Pashto catalogue, and its
    messages would show back a tampered value."""

    class Meta:  # WTForms combines it with the Meta of every base class
        def get_translations(self, form: Any) -> BuiltinMessages:
            return BuiltinMessages()


YES_NO = options([("yes", _l("Yes")), ("no", _l("No"))])


# Text as a keyboard types it: no invisible direction marks, which can make a name display
# as something it is not, and no other control characters (NUL, escape sequences).
plain_text = refuse_control_characters(
    _l(
        "There were invisible characters in this text. We have removed them. Please check the text and send it again."
    )
)


def this_year() -> int:
    return date.today().year


class UpToThisYear:
    """A year from the Gregorian year ``first`` to this year, counted in the calendar the
    form's ``calendar`` field chose, and said in the page's digits."""

    def __init__(self, first: int) -> None:
        self.first = first

    def __call__(self, form: Any, field: Any) -> None:
        calendar = chosen_calendar(form.calendar)
        if calendar is None or field.data is None:
            return  # the calendar question has its own message
        if mismatch := calendar_mismatch(calendar, field.data):
            raise ValidationError(mismatch)
        if calendar is Calendar.SOLAR_HIJRI:
            first = solar_hijri_of(date(self.first, 1, 1))[0]
            last = solar_hijri_of(date.today())[0]
        else:
            first, last = self.first, this_year()
        NumberRange(first, last, years=True)(form, field)


def latin_letters(_form: Any, field: Any) -> None:
    if field.data and not LATIN.match(field.data.strip()):
        raise ValidationError(_l("Please write this in Latin letters, as in your passport."))


def _name(label: Any, *, latin: bool = False, required: bool = False) -> StringField:
    # Only the first name field is required: many people have one name, and many have no
    # Latin spelling of it (a Dari tazkira and no passport).
    needed = DataRequired(REQUIRED) if required else Optional()
    checks = [needed, Length(max=NAME_MAX), plain_text]
    return StringField(label, validators=checks + ([latin_letters] if latin else []))


def _latin_given_names_too(form: Any, field: Any) -> None:
    """A family name in Latin letters needs the given names in Latin letters beside it."""
    if field.data and field.data.strip() and not (form.given_names_latin.data or "").strip():
        raise ValidationError(_l("Please also write the name or given names in Latin letters."))


# The name as the person's documents write it, in any script, comes first; Latin letters
# are optional (apply/templates/apply/_latin_names.html offers a spelling to correct).
GIVEN_NAMES = _l("Name or given names")
FAMILY_NAME = _l("Family name (if there is one)")
GIVEN_NAMES_LATIN = _l("Name or given names in Latin letters")
FAMILY_NAME_LATIN = _l("Family name in Latin letters")


class DigitsField(StringField):
    """A whole number typed in any digits (۱۳۶۴ as well as 1364), shown back in the digits
    of the page's language, or exactly as typed when it was refused."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        text = fold_letters(str(valuelist[0])).strip() if valuelist else ""
        if not text:
            return
        if not (text.isascii() and text.isdecimal()):
            raise ValueError(_l("Please write a number, using digits only."))
        self.data = int(text)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else native_digits(self.data, current_language().code)


def calendar_field() -> RadioField:
    """Which calendar a date is in: asked, not guessed from the year."""
    return RadioField(
        _l("Calendar"),
        choices=options(
            [(Calendar.SOLAR_HIJRI, _l("Solar Hijri")), (Calendar.GREGORIAN, _l("Gregorian"))]
        ),
        validate_choice=False,  # checked against the page's language's calendars instead
    )


def offer_calendars(field: Any) -> None:
    """Offer the calendars of the page's language, its usual one chosen unless answered."""
    offered = calendars_for(current_language().code)
    field.choices = [choice for choice in field.choices if choice.value in offered]
    if field.data is None:
        field.data = offered[0].value


def chosen_calendar(field: Any) -> Calendar | None:
    """The calendar chosen; None for a value the page did not offer (a tampered form)."""
    offered = calendars_for(current_language().code)
    return next((c for c in offered if c.value == field.data), None)


def calendar_mismatch(calendar: Calendar, year: int) -> str | None:
    """A clear message if ``year`` is a year of the other calendar, not the chosen one,
    where the page offers a choice (elsewhere, and for a year of neither, such as 12, the
    year's range says what is wrong)."""
    other = Calendar.SOLAR_HIJRI if calendar is Calendar.GREGORIAN else Calendar.GREGORIAN
    if (
        len(calendars_for(current_language().code)) < 2
        or year_fits(calendar, year)
        or not year_fits(other, year)
    ):
        return None
    shown = native_digits(year, current_language().code)
    if calendar is Calendar.GREGORIAN:
        return _(
            "%(year)s looks like a Solar Hijri year, but the Gregorian calendar is chosen. Please choose Solar Hijri or correct the year.",
            year=shown,
        )
    return _(
        "%(year)s looks like a Gregorian year, but the Solar Hijri calendar is chosen. Please choose Gregorian or correct the year.",
        year=shown,
    )


def _birth_years(calendar: Calendar) -> str:
    """The years a birth date may have, in the chosen calendar and the page's digits: from
    the first whose every day is in FIRST_BIRTH_YEAR or later (1279 in Solar Hijri) to this
    one."""
    if calendar is Calendar.SOLAR_HIJRI:
        first = solar_hijri_of(date(FIRST_BIRTH_YEAR, 1, 1))[0] + 1
    else:
        first = FIRST_BIRTH_YEAR
    return _(
        "Please give a year from %(min)s to %(max)s.",
        min=local_number(first, grouping=False),
        max=local_number(_this_year_in(calendar), grouping=False),
    )


def _this_year_in(calendar: Calendar) -> int:
    return solar_hijri_of(date.today())[0] if calendar is Calendar.SOLAR_HIJRI else this_year()


class ApproximateDateMixin:
    """Year, month and day, of which only the year is needed ("about 1990" is fine), in the
    calendar the person chose. Kept as entered (``portal.core.dates``)."""

    birth_calendar = calendar_field()
    birth_year = DigitsField(_l("Year"), validators=[Optional()])
    birth_month = DigitsField(_l("Month (if known)"), validators=[Optional()])
    birth_day = DigitsField(_l("Day (if known)"), validators=[Optional()])
    birth_unknown = BooleanField(_l("I do not know the date of birth"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_calendars(self.birth_calendar)

    def validate(self, extra_validators: Any = None) -> bool:
        valid = bool(super().validate(extra_validators))  # type: ignore[misc]
        # Checked here, not per field: an empty field stops its own validators.
        for field, message in self._date_problems():
            field.errors = [*field.errors, message]
            valid = False
        return valid

    def _date_problems(self) -> list[tuple[Any, Any]]:
        self._entered: EnteredDate | None = None
        if self.birth_unknown.data:
            return []
        if self.birth_year.errors or self.birth_month.errors or self.birth_day.errors:
            return []
        calendar = chosen_calendar(self.birth_calendar)
        if calendar is None:
            return [(self.birth_year, _l("Please choose the calendar of the date."))]
        year, month, day = self.birth_year.data, self.birth_month.data, self.birth_day.data
        if year is None:
            return [(self.birth_year, _l("Please give at least the year of birth."))]
        if month is not None and not 1 <= month <= 12:
            return [(self.birth_month, _l("The month must be a number from 1 to 12."))]
        if day is not None and month is None:
            return [(self.birth_day, _l("Please give the month too, or leave the day empty."))]
        if mismatch := calendar_mismatch(calendar, year):
            return [(self.birth_year, mismatch)]
        try:
            entered = EnteredDate(calendar, year, month, day)
            earliest = entered.earliest
        except ValueError:
            return [(self.birth_day, _l("This day does not exist in that month."))]
        # The year in the calendar it was typed in: Solar Hijri 1405 ends in March 2027.
        if earliest.year < FIRST_BIRTH_YEAR or year > _this_year_in(calendar):
            return [(self.birth_year, _birth_years(calendar))]
        if earliest > date.today():
            # This year is right; the month (or the day) given is what lies ahead.
            part = self.birth_day if day is not None else self.birth_month
            return [(part, _l("A date of birth cannot be in the future."))]
        self._entered = entered
        return []

    def approximate_date(self) -> str | None:
        """The date as stored: the entered calendar and parts (``EnteredDate.to_text``)."""
        entered = getattr(self, "_entered", None)
        if self.birth_unknown.data or entered is None:
            return None
        return str(entered.to_text())

    def fill_date(self, value: str | None) -> None:
        """Show a stored date as it was entered; "unknown" for none."""
        self.birth_unknown.data = value is None
        entered = EnteredDate.from_text(value)
        if entered is None:
            return
        self.birth_calendar.data = entered.calendar.value
        self.birth_year.data, self.birth_month.data, self.birth_day.data = (
            entered.year,
            entered.month,
            entered.day,
        )


class ConfirmableMixin:
    """A form whose answers may look unlikely (``apply.plausibility``): the person confirms
    them to save anyway."""

    confirmed = BooleanField(_l("I have checked: these answers are correct."))


class EligibilityForm(ApplicantForm):
    programme = RadioField(
        _l("Which describes you?"),
        choices=options(choices.PROGRAMMES),
        validators=[InputRequired(REQUIRED)],
    )
    outside_germany = RadioField(
        _l("Are you outside Germany now?"),
        choices=YES_NO,
        validators=[InputRequired(REQUIRED)],
    )
    basis = RadioField(
        _l(
            "Did you work for a German institution, or are you at risk because of who you are or what you do?"
        ),
        choices=YES_NO,
        validators=[InputRequired(REQUIRED)],
    )


class SignInForm(ApplicantForm):
    reference = StringField(
        _l("Reference number"),
        validators=[DataRequired(REQUIRED), Length(max=40)],
    )
    access_code = StringField(
        _l("Access code"), validators=[DataRequired(REQUIRED), Length(max=60)]
    )


class NamesForm(ApplicantForm):
    given_names = _name(GIVEN_NAMES, required=True)
    family_name = _name(FAMILY_NAME)
    given_names_latin = _name(GIVEN_NAMES_LATIN, latin=True)
    family_name_latin = _name(FAMILY_NAME_LATIN, latin=True)
    validate_family_name_latin = _latin_given_names_too


class BirthForm(ApproximateDateMixin, ApplicantForm):
    place_of_birth = StringField(
        _l("Place of birth"),
        validators=[DataRequired(REQUIRED), Length(max=120), plain_text],
    )
    nationality = SelectField(_l("Nationality"), validators=[DataRequired(REQUIRED)])
    marital_status = RadioField(
        _l("Marital status"),
        choices=options(choices.MARITAL_STATUSES),
        validators=[InputRequired(REQUIRED)],
    )


class StayForm(ApplicantForm):
    country_of_stay = SelectField(
        _l("Country where you are now"), validators=[DataRequired(REQUIRED)]
    )
    place_of_stay = StringField(
        _l("Town or city where you are now"),
        validators=[DataRequired(REQUIRED), Length(max=120), plain_text],
    )


class ContactForm(ApplicantForm):
    phone = StringField(
        _l("Phone number (optional)"),
        validators=[Optional(), Length(max=40), plain_text],
    )
    email = StringField(
        _l("E-mail address (optional)"),
        validators=[Optional(), Length(max=120), plain_text],
    )
    messenger = StringField(
        _l("Messenger name or number (optional)"),
        validators=[Optional(), Length(max=80), plain_text],
    )

    def validate_phone(self, field: Any) -> None:
        if field.data and phone_key(field.data, None, "AF") is None:
            raise ValidationError(
                _l(
                    "This does not look like a phone number. Please include the country code, like +93."
                )
            )

    def validate_email(self, field: Any) -> None:
        if field.data and not EMAIL.match(field.data.strip()):
            raise ValidationError(_l("This does not look like an e-mail address."))


class IdentityForm(ApplicantForm):
    summary_names = {"declaration_signature": _l("Declaration in lieu of an oath")}
    identity_document = RadioField(
        _l("Which identity document do you have?"),
        choices=options(choices.IDENTITY_DOCUMENTS),
        validators=[InputRequired(REQUIRED)],
    )
    document_number = StringField(_l("Document number"), validators=[Length(max=40)])
    sworn_declaration = BooleanField(
        _l("I declare in lieu of an oath that the personal details I give are true.")
    )
    declaration_signature = StringField(
        _l("Type your full name as your signature"),
        validators=[Length(max=NAME_MAX), plain_text],
    )

    def validate_document_number(self, field: Any) -> None:
        if self.identity_document.data == "none":
            return
        if not field.data:
            raise ValidationError(_l("Please give the document number."))
        if not DOCUMENT_NUMBER.match(field.data.strip()):
            raise ValidationError(_l("Please use only letters, digits, spaces and dashes."))

    def validate_declaration_signature(self, field: Any) -> None:
        if self.identity_document.data != "none":
            return
        if not self.sworn_declaration.data:
            raise ValidationError(_l("Without a document, please make the declaration above."))
        if not (field.data or "").strip():
            raise ValidationError(_l("Please type your full name as your signature."))


class EmploymentForm(ConfirmableMixin, ApplicantForm):
    employer = SelectField(
        _l("Employer"), choices=options(choices.EMPLOYERS), validators=[DataRequired(REQUIRED)]
    )
    employer_other = StringField(
        _l("Name of the employer, if another"),
        validators=[Length(max=120), plain_text],
    )
    place = StringField(
        _l("Place of work"),
        validators=[DataRequired(REQUIRED), Length(max=120), plain_text],
    )
    calendar = calendar_field()
    started_year = DigitsField(
        _l("Started: year"),
        validators=[InputRequired(REQUIRED), UpToThisYear(FIRST_EMPLOYMENT_YEAR)],
    )
    started_month = DigitsField(_l("Started: month"), validators=[Optional(), NumberRange(1, 12)])
    ended_year = DigitsField(
        _l("Ended: year (empty if still working)"),
        validators=[Optional(), UpToThisYear(FIRST_EMPLOYMENT_YEAR)],
    )
    ended_month = DigitsField(_l("Ended: month"), validators=[Optional(), NumberRange(1, 12)])
    role = StringField(
        _l("Your job"),
        validators=[DataRequired(REQUIRED), Length(max=120), plain_text],
    )
    staff_number = StringField(
        _l("Staff number (optional)"),
        validators=[Optional(), Length(max=40), plain_text],
    )
    supervisor = StringField(
        _l("Supervisor's name (optional)"),
        validators=[Optional(), Length(max=120), plain_text],
    )

    def validate_employer_other(self, field: Any) -> None:
        if self.employer.data == "other" and not (field.data or "").strip():
            raise ValidationError(_l("Please name the employer."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_calendars(self.calendar)

    def validate_calendar(self, field: Any) -> None:
        if chosen_calendar(field) is None:
            raise ValidationError(_l("Please choose the calendar of the date."))

    def entered(self, prefix: str) -> EnteredDate | None:
        """The start or end ("started", "ended") as entered, once the form is valid."""
        calendar = chosen_calendar(self.calendar)
        year, month = self[f"{prefix}_year"].data, self[f"{prefix}_month"].data
        if calendar is None or year is None:
            return None
        try:
            return EnteredDate(calendar, year, month)
        except ValueError:
            return None  # a month outside 1 to 12: its own field says so

    def fill(self, prefix: str, value: str | None) -> None:
        """Show a stored start or end as it was entered."""
        entered = EnteredDate.from_text(value)
        if entered is None:
            return
        self.calendar.data = entered.calendar.value
        self[f"{prefix}_year"].data, self[f"{prefix}_month"].data = entered.year, entered.month

    def validate_ended_year(self, field: Any) -> None:
        if field.errors or self.started_year.errors or self.started_month.errors:
            return
        started, ended = self.entered("started"), self.entered("ended")
        if started is None or ended is None:
            return
        # Within one calendar, as entered: a month left out counts as the whole year.
        if ended.latest < started.earliest:
            raise ValidationError(_l("The end must be after the start."))


class RiskForm(ApplicantForm):
    summary_names = {
        "risk_profile": _l("Why you are at risk"),
        "threat_description": _l("The threat"),
    }
    risk_profile = SelectMultipleField(
        _l("Why are you at risk? Choose all that apply."),
        choices=options(choices.RISK_PROFILES),
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validators=[DataRequired(_l("Please choose at least one."))],
    )
    threat_description = TextAreaField(
        _l("Describe the threat: who threatens you, how, and since when."),
        validators=[DataRequired(REQUIRED), Length(max=5000), plain_text],
    )


class FamilyMemberForm(ConfirmableMixin, ApproximateDateMixin, ApplicantForm):
    relation = SelectField(
        _l("How is this person related to you?"),
        choices=options(choices.RELATIONSHIPS),
        validators=[DataRequired(REQUIRED)],
    )
    given_names = _name(GIVEN_NAMES, required=True)
    family_name = _name(FAMILY_NAME)
    given_names_latin = _name(GIVEN_NAMES_LATIN, latin=True)
    family_name_latin = _name(FAMILY_NAME_LATIN, latin=True)
    marital_status = RadioField(
        _l("Marital status"),
        choices=options(choices.MARITAL_STATUSES),
        validators=[InputRequired(REQUIRED)],
    )
    lives_with_principal = RadioField(
        _l("Does this person live with you?"),
        choices=YES_NO,
        validators=[InputRequired(REQUIRED)],
    )
    identity_document = RadioField(
        _l("Their identity document"),
        choices=options(choices.IDENTITY_DOCUMENTS),
        validators=[InputRequired(REQUIRED)],
    )
    document_number = StringField(_l("Document number"), validators=[Length(max=40)])

    validate_family_name_latin = _latin_given_names_too

    def validate_document_number(self, field: Any) -> None:
        if self.identity_document.data != "none" and not (field.data or "").strip():
            raise ValidationError(_l("Please give the document number."))
        if field.data and not DOCUMENT_NUMBER.match(field.data.strip()):
            raise ValidationError(_l("Please use only letters, digits, spaces and dashes."))


class DocumentForm(ApplicantForm):
    kind = SelectField(
        _l("What is this document?"),
        choices=options(choices.DOCUMENT_KINDS),
        validators=[DataRequired(REQUIRED)],
    )
    file = FileField(
        _l("File (JPEG, PNG or PDF)"), validators=[FileRequired(_l("Please choose a file."))]
    )


class DeclarationsForm(ApplicantForm):
    summary_names = {
        "truthful": _l("Your answers are true and complete"),
        "consent": _l("Consent to the processing of your data"),
    }
    truthful = BooleanField(
        _l("I confirm that everything I have written is true and complete."),
        validators=[DataRequired(_l("Please confirm this to continue."))],
    )
    consent = BooleanField(
        _l(
            "I agree that the German authorities process my data and my family's data to decide on this application."
        ),
        validators=[DataRequired(_l("Please confirm this to continue."))],
    )


class ConfirmForm(ApplicantForm):
    """A form with nothing but its CSRF token: submit, withdraw, remove, sign out."""


class MessageForm(ApplicantForm):
    body = TextAreaField(
        _l("Your answer"),
        validators=[DataRequired(REQUIRED), Length(max=5000), plain_text],
    )
