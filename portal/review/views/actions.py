"""Actions on a case: each a POST with its token, done through the staff seam
(``portal.review.services``), which checks, audits and flushes; the request commits."""

import uuid
from collections.abc import Callable
from typing import Any

from flask import flash, redirect, url_for
from werkzeug.wrappers import Response

from portal.accounts.access import current_staff, requires
from portal.accounts.models import StaffUser
from portal.cases.models import Case
from portal.cases.states import DecisionOutcome, ScreeningStatus, ThreatLevel
from portal.core import unit_of_work
from portal.core.forms import PortalForm
from portal.core.i18n import _ls, _s
from portal.core.permissions import Permission
from portal.core.refusal import ActionRefused
from portal.extensions import db
from portal.review import blueprint, forms, services
from portal.review.visibility import load_case

NOT_A_CASEWORKER = _ls("Cases are assigned to active caseworkers or deciders only.")


def _form_problem(form: PortalForm) -> str:
    """What is wrong with a form, in words: the first field's problem, by its label."""
    for field in form:
        if field.errors and field.name != "csrf_token":
            return _s(
                "%(field)s: %(problem)s Nothing was changed.",
                field=field.label.text,
                problem=field.errors[0],
            )
    return _s("The form was incomplete; nothing was changed.")


def _act(
    case_id: uuid.UUID,
    form: PortalForm,
    action: Callable[[Case, Any, StaffUser], object],
) -> Response:
    """Load the case (404 if not visible), validate, act. A refusal rolls the request back
    as a whole and becomes a message; so does a form with a problem."""
    user = current_staff()
    case = load_case(user, case_id)
    if not form.validate_on_submit():
        flash(_form_problem(form), "error")
    else:
        try:
            action(case, form, user)
        except ActionRefused as refusal:
            unit_of_work.discard(db.session)
            flash(str(refusal), "error")
    return redirect(url_for("review.show_case", case_id=case_id))


@blueprint.post("/cases/<uuid:case_id>/assign")
@requires(Permission.CASE_ASSIGN)
def assign_case(case_id: uuid.UUID) -> Response:
    def action(case: Case, form: Any, user: StaffUser) -> None:
        value = form.assignee.data or ""
        try:
            assignee = db.session.get(StaffUser, uuid.UUID(value)) if value else None
        except ValueError:  # not an id at all
            raise ActionRefused(NOT_A_CASEWORKER) from None
        if value and assignee is None:
            raise ActionRefused(NOT_A_CASEWORKER)
        services.assign(db.session, case, user, assignee)

    return _act(case_id, forms.AssignForm(), action)


@blueprint.post("/cases/<uuid:case_id>/notes")
@requires(Permission.CASE_NOTE)
def add_note(case_id: uuid.UUID) -> Response:
    return _act(
        case_id,
        forms.NoteForm(),
        lambda case, form, user: services.add_note(db.session, case, user, form.body.data.strip()),
    )


@blueprint.post("/cases/<uuid:case_id>/questions")
@requires(Permission.CASE_REQUEST_INFO)
def request_information(case_id: uuid.UUID) -> Response:
    return _act(
        case_id,
        forms.QuestionForm(),
        lambda case, form, user: services.request_information(
            db.session, case, user, form.question.data.strip(), form.days.data
        ),
    )


@blueprint.post("/cases/<uuid:case_id>/reminder")
@requires(Permission.CASE_REQUEST_INFO)
def remind_applicant(case_id: uuid.UUID) -> Response:
    def action(case: Case, form: Any, user: StaffUser) -> None:
        reminder = services.remind_applicant(db.session, case, user, form.days.data)
        due = reminder.due_at.strftime("%Y-%m-%d") if reminder.due_at else ""
        flash(_s("Reminder sent. The applicant is asked to answer by %(day)s.", day=due), "info")

    return _act(case_id, forms.ReminderForm(), action)


@blueprint.post("/cases/<uuid:case_id>/threat")
@requires(Permission.RISK_SET)
def set_threat(case_id: uuid.UUID) -> Response:
    return _act(
        case_id,
        forms.ThreatForm(),
        lambda case, form, user: services.set_threat_level(
            db.session, case, user, ThreatLevel(form.level.data), form.reason.data
        ),
    )


@blueprint.post("/cases/<uuid:case_id>/screening")
@requires(Permission.SCREENING_SET)
def set_screening(case_id: uuid.UUID) -> Response:
    return _act(
        case_id,
        forms.ScreeningForm(),
        lambda case, form, user: services.set_screening_status(
            db.session, case, user, ScreeningStatus(form.status.data), form.reason.data
        ),
    )


@blueprint.post("/cases/<uuid:case_id>/priority")
@requires(Permission.PRIORITY_ADJUST)
def adjust_priority(case_id: uuid.UUID) -> Response:
    return _act(
        case_id,
        forms.PriorityForm(),
        lambda case, form, user: services.adjust_priority(
            db.session, case, user, form.points.data, form.reason.data
        ),
    )


@blueprint.post("/cases/<uuid:case_id>/employment/<uuid:job_id>/confirm")
@requires(Permission.EMPLOYMENT_CONFIRM)
def confirm_employment(case_id: uuid.UUID, job_id: uuid.UUID) -> Response:
    return _act(
        case_id,
        PortalForm(),
        lambda case, form, user: services.confirm_employment(db.session, case, user, job_id),
    )


@blueprint.post("/cases/<uuid:case_id>/decision")
@requires(Permission.DECISION_PROPOSE)
def propose_decision(case_id: uuid.UUID) -> Response:
    return _act(
        case_id,
        forms.ProposeForm(),
        lambda case, form, user: services.propose_decision(
            db.session, case, user, DecisionOutcome(form.outcome.data), form.reasons.data.strip()
        ),
    )


@blueprint.post("/cases/<uuid:case_id>/decision/<uuid:decision_id>/confirm")
@requires(Permission.DECISION_CONFIRM)
def confirm_decision(case_id: uuid.UUID, decision_id: uuid.UUID) -> Response:
    return _act(
        case_id,
        PortalForm(),
        lambda case, form, user: services.confirm_decision(db.session, case, user, decision_id),
    )


@blueprint.post("/cases/<uuid:case_id>/decision/<uuid:decision_id>/return")
@requires(Permission.DECISION_CONFIRM)
def return_decision(case_id: uuid.UUID, decision_id: uuid.UUID) -> Response:
    return _act(
        case_id,
        PortalForm(),
        lambda case, form, user: services.return_decision(db.session, case, user, decision_id),
    )


@blueprint.post("/cases/<uuid:case_id>/visa-issued")
@requires(Permission.VISA_RECORD)
def record_visa(case_id: uuid.UUID) -> Response:
    return _act(
        case_id,
        PortalForm(),
        lambda case, form, user: services.record_visa(db.session, case, user),
    )


@blueprint.post("/cases/<uuid:case_id>/arrived")
@requires(Permission.VISA_RECORD)
def record_arrival(case_id: uuid.UUID) -> Response:
    return _act(
        case_id,
        PortalForm(),
        lambda case, form, user: services.record_arrival(db.session, case, user),
    )


@blueprint.post("/cases/<uuid:case_id>/reopen")
@requires(Permission.CASE_REOPEN)
def reopen_case(case_id: uuid.UUID) -> Response:
    return _act(
        case_id,
        forms.ReasonForm(),
        lambda case, form, user: services.reopen(db.session, case, user, form.reason.data.strip()),
    )
