from typing import Any

from flask import current_app
from wtforms import IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from portal.cases.deadlines import MAX_DAYS, MIN_DAYS
from portal.cases.labels import LABELS
from portal.cases.models import Case
from portal.cases.states import (
    OPEN_STATUSES,
    CaseStatus,
    DecisionOutcome,
    ScreeningStatus,
    ThreatLevel,
)
from portal.core.forms import PortalForm, options, staff_plain_text
from portal.core.i18n import _ls
from portal.review.search import MAX_TERMS_LENGTH, parse_year
from portal.review.team import MAX_MOVE

REQUIRED = _ls("Required.")
MAX_PRIORITY_ADJUSTMENT = 50


class NoteForm(PortalForm):
    body = TextAreaField(
        _ls("Note"), validators=[DataRequired(REQUIRED), Length(max=5000), staff_plain_text]
    )


def _answer_days() -> IntegerField:
    """Days from today the applicant has to answer; left empty, the configured default."""
    return IntegerField(
        _ls("Days to answer"),
        validators=[Optional(), NumberRange(min=MIN_DAYS, max=MAX_DAYS)],
    )


class QuestionForm(PortalForm):
    question = TextAreaField(
        _ls("Question for the applicant"),
        validators=[DataRequired(REQUIRED), Length(max=5000), staff_plain_text],
    )
    days = _answer_days()


class ReminderForm(PortalForm):
    days = _answer_days()


class AssignForm(PortalForm):
    assignee = StringField(_ls("Assign to"))  # a staff id, or empty to unassign


class ReassignForm(PortalForm):
    """Moving open cases between people (the team page); the people are filled in by the
    view, from who holds cases and who may."""

    source = SelectField(_ls("Move the cases of"), validators=[DataRequired(REQUIRED)])
    status = SelectField(_ls("Stage"))
    target = SelectField(_ls("To"), validators=[DataRequired(REQUIRED)])
    number = IntegerField(
        _ls("How many at most (the highest priority first)"),
        default=MAX_MOVE,
        validators=[InputRequired(REQUIRED), NumberRange(min=1, max=MAX_MOVE)],
    )

    def offer(self, sources: Any, targets: Any) -> "ReassignForm":
        self.source.choices = options(sources)
        self.target.choices = options(targets)
        self.status.choices = options(
            [("", _ls("every open stage"))]
            + [(status.value, LABELS[CaseStatus][status]) for status in OPEN_STATUSES]
        )
        return self


class ThreatForm(PortalForm):
    level = SelectField(
        _ls("Threat level"), choices=options((t.value, LABELS[ThreatLevel][t]) for t in ThreatLevel)
    )
    reason = TextAreaField(
        _ls("Reason"), validators=[DataRequired(REQUIRED), Length(max=2000), staff_plain_text]
    )


class ScreeningForm(PortalForm):
    status = SelectField(
        _ls("Screening"),
        choices=options(
            (s.value, LABELS[ScreeningStatus][s])
            for s in (ScreeningStatus.CLEAR, ScreeningStatus.CONCERN, ScreeningStatus.HIT)
        ),
    )
    reason = TextAreaField(
        _ls("Reason"), validators=[DataRequired(REQUIRED), Length(max=2000), staff_plain_text]
    )


class PriorityForm(PortalForm):
    # Larger than any one line of the rubric, so staff can outweigh it either way.
    points = IntegerField(
        _ls("Points to add (negative to take away)"),
        validators=[
            InputRequired(REQUIRED),
            NumberRange(min=-MAX_PRIORITY_ADJUSTMENT, max=MAX_PRIORITY_ADJUSTMENT),
        ],
    )
    reason = TextAreaField(
        _ls("Reason"), validators=[DataRequired(REQUIRED), Length(max=2000), staff_plain_text]
    )


class ProposeForm(PortalForm):
    outcome = RadioField(
        _ls("Proposed decision"),
        choices=options(
            [(DecisionOutcome.ADMIT, _ls("Admit")), (DecisionOutcome.REJECT, _ls("Reject"))]
        ),
        validators=[DataRequired(REQUIRED)],
    )
    reasons = TextAreaField(
        _ls("Reasons"), validators=[DataRequired(REQUIRED), Length(max=5000), staff_plain_text]
    )


class ReasonForm(PortalForm):
    reason = TextAreaField(
        _ls("Reason"), validators=[DataRequired(REQUIRED), Length(max=2000), staff_plain_text]
    )


class ExportForm(PortalForm):
    reason = TextAreaField(
        _ls("Why do you need this export?"),
        validators=[DataRequired(REQUIRED), Length(max=2000), staff_plain_text],
    )


def _year_of_birth(_form: PortalForm, field: StringField) -> None:
    try:
        parse_year(field.data)
    except ValueError:
        raise ValidationError(
            _ls(
                "A year of birth has four digits, for example 1985, or 1364 in the "
                "Solar Hijri calendar."
            )
        ) from None


class SearchForm(PortalForm):
    # Not ``staff_plain_text``: names are pasted with zero-width joiners, which Persian
    # writes inside names and the normalisation removes.
    terms = StringField(
        _ls("Reference, name, document or phone number"),
        validators=[
            DataRequired(_ls("Type what you are looking for.")),
            Length(max=MAX_TERMS_LENGTH),
        ],
    )
    year = StringField(_ls("Year of birth (with a name)"), validators=[_year_of_birth])


class ActionForms:
    """The case screen's forms (each posts to its own action), starting at the case's
    current values: a select shows what the case holds now, not the first option."""

    def __init__(self, case: Case) -> None:
        answer_days = current_app.config["PORTAL_INFO_REQUEST_DAYS"]
        self.note = NoteForm(formdata=None)
        self.question = QuestionForm(formdata=None, days=answer_days)
        self.reminder = ReminderForm(formdata=None, days=answer_days)
        self.assign = AssignForm(formdata=None, assignee=str(case.assignee_id or ""))
        self.threat = ThreatForm(formdata=None, level=str(case.threat_level))
        # Pending and failed are not choices: then no option is marked, and the browser
        # shows the first (clear), which the officer must choose on purpose.
        self.screening = ScreeningForm(formdata=None, status=str(case.screening_status))
        self.priority = PriorityForm(formdata=None)
        self.propose = ProposeForm(formdata=None)
        self.reason = ReasonForm(formdata=None)
        self.confirm = PortalForm(formdata=None)
