"""Actions on a case: each a POST with its token, done through the staff seam
(``portal.review.services``), which checks, audits and flushes; the request commits.

Each action answers with what it did, in words, shown once on the case screen: a
confirmation that names the change, or the refusal. Neither names more of the case than the
screen shows anyway."""

import uuid
from collections.abc import Callable
from typing import Any

from flask import flash, redirect, url_for
from werkzeug.wrappers import Response

from portal.accounts.access import current_staff, requires
from portal.accounts.models import StaffUser
from portal.cases.labels import label
from portal.cases.models import Case
from portal.cases.states import DecisionOutcome, ScreeningStatus, ThreatLevel
from portal.core import unit_of_work
from portal.core.forms import PortalForm
from portal.core.i18n import _ls, _s, ngettext_s
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
    action: Callable[[Case, Any, StaffUser], str],
) -> Response:
    """Load the case (404 if not visible), validate, act. The action returns its
    confirmation; a refusal rolls the request back as a whole and becomes an error message;
    so does a form with a problem."""
    user = current_staff()
    case = load_case(user, case_id)
    if not form.validate_on_submit():
        flash(_form_problem(form), "error")
    else:
        try:
            done = action(case, form, user)
        except ActionRefused as refusal:
            unit_of_work.discard(db.session)
            flash(str(refusal), "error")
        else:
            flash(done, "success")
    return redirect(url_for("review.show_case", case_id=case_id))


@blueprint.post("/cases/<uuid:case_id>/assign")
@requires(Permission.CASE_ASSIGN)
def assign_case(case_id: uuid.UUID) -> Response:
    def action(case: Case, form: Any, user: StaffUser) -> str:
        value = form.assignee.data or ""
        try:
            assignee = db.session.get(StaffUser, uuid.UUID(value)) if value else None
        except ValueError:  # not an id at all
            raise ActionRefused(NOT_A_CASEWORKER) from None
        if value and assignee is None:
            raise ActionRefused(NOT_A_CASEWORKER)
        services.assign(db.session, case, user, assignee)
        if assignee is None:
            return _s("The case is now unassigned.")
        if assignee.id == user.id:
            return _s("The case is now assigned to you.")
        return _s("The case is now assigned to %(name)s.", name=assignee.display_name)

    return _act(case_id, forms.AssignForm(), action)


@blueprint.post("/cases/<uuid:case_id>/notes")
@requires(Permission.CASE_NOTE)
def add_note(case_id: uuid.UUID) -> Response:
    def action(case: Case, form: Any, user: StaffUser) -> str:
        services.add_note(db.session, case, user, form.body.data.strip())
        return _s("Your note was added.")

    return _act(case_id, forms.NoteForm(), action)


@blueprint.post("/cases/<uuid:case_id>/questions")
@requires(Permission.CASE_REQUEST_INFO)
def request_information(case_id: uuid.UUID) -> Response:
    def action(case: Case, form: Any, user: StaffUser) -> str:
        services.request_information(
            db.session, case, user, form.question.data.strip(), form.days.data
        )
        return _s("Your question was sent to the applicant. The case waits for their answer.")

    return _act(case_id, forms.QuestionForm(), action)


@blueprint.post("/cases/<uuid:case_id>/reminder")
@requires(Permission.CASE_REQUEST_INFO)
def remind_applicant(case_id: uuid.UUID) -> Response:
    def action(case: Case, form: Any, user: StaffUser) -> str:
        reminder = services.remind_applicant(db.session, case, user, form.days.data)
        due = reminder.due_at.strftime("%Y-%m-%d") if reminder.due_at else ""
        return _s("Reminder sent. The applicant is asked to answer by %(day)s.", day=due)

    return _act(case_id, forms.ReminderForm(), action)


@blueprint.post("/cases/<uuid:case_id>/threat")
@requires(Permission.RISK_SET)
def set_threat(case_id: uuid.UUID) -> Response:
    def action(case: Case, form: Any, user: StaffUser) -> str:
        level = ThreatLevel(form.level.data)
        services.set_threat_level(db.session, case, user, level, form.reason.data)
        return _s("Threat level set to %(level)s.", level=label(level))

    return _act(case_id, forms.ThreatForm(), action)


@blueprint.post("/cases/<uuid:case_id>/screening")
@requires(Permission.SCREENING_SET)
def set_screening(case_id: uuid.UUID) -> Response:
    def action(case: Case, form: Any, user: StaffUser) -> str:
        status = ScreeningStatus(form.status.data)
        services.set_screening_status(db.session, case, user, status, form.reason.data)
        return _s("Screening result set to %(status)s.", status=label(status))

    return _act(case_id, forms.ScreeningForm(), action)


@blueprint.post("/cases/<uuid:case_id>/priority")
@requires(Permission.PRIORITY_ADJUST)
def adjust_priority(case_id: uuid.UUID) -> Response:
    def action(case: Case, form: Any, user: StaffUser) -> str:
        points = form.points.data
        services.adjust_priority(db.session, case, user, points, form.reason.data)
        if points > 0:
            return ngettext_s(
                "Priority raised by %(num)d point to %(score)d.",
                "Priority raised by %(num)d points to %(score)d.",
                points,
                score=case.priority_score,
            )
        return ngettext_s(
            "Priority lowered by %(num)d point to %(score)d.",
            "Priority lowered by %(num)d points to %(score)d.",
            -points,
            score=case.priority_score,
        )

    return _act(case_id, forms.PriorityForm(), action)


@blueprint.post("/cases/<uuid:case_id>/employment/<uuid:job_id>/confirm")
@requires(Permission.EMPLOYMENT_CONFIRM)
def confirm_employment(case_id: uuid.UUID, job_id: uuid.UUID) -> Response:
    def action(case: Case, form: Any, user: StaffUser) -> str:
        services.confirm_employment(db.session, case, user, job_id)
        return _s("The employer's confirmation was recorded.")

    return _act(case_id, PortalForm(), action)


@blueprint.post("/cases/<uuid:case_id>/decision")
@requires(Permission.DECISION_PROPOSE)
def propose_decision(case_id: uuid.UUID) -> Response:
    def action(case: Case, form: Any, user: StaffUser) -> str:
        outcome = DecisionOutcome(form.outcome.data)
        services.propose_decision(db.session, case, user, outcome, form.reasons.data.strip())
        return _s(
            "Decision proposed: %(outcome)s. Another decider must confirm it.",
            outcome=label(outcome),
        )

    return _act(case_id, forms.ProposeForm(), action)


@blueprint.post("/cases/<uuid:case_id>/decision/<uuid:decision_id>/confirm")
@requires(Permission.DECISION_CONFIRM)
def confirm_decision(case_id: uuid.UUID, decision_id: uuid.UUID) -> Response:
    def action(case: Case, form: Any, user: StaffUser) -> str:
        decision = services.confirm_decision(db.session, case, user, decision_id)
        return _s("Decision confirmed: %(outcome)s.", outcome=label(decision.outcome))

    return _act(case_id, PortalForm(), action)


@blueprint.post("/cases/<uuid:case_id>/decision/<uuid:decision_id>/return")
@requires(Permission.DECISION_CONFIRM)
def return_decision(case_id: uuid.UUID, decision_id: uuid.UUID) -> Response:
    def action(case: Case, form: Any, user: StaffUser) -> str:
        services.return_decision(db.session, case, user, decision_id)
        return _s("The proposal was returned; the case is back in review.")

    return _act(case_id, PortalForm(), action)


@blueprint.post("/cases/<uuid:case_id>/visa-issued")
@requires(Permission.VISA_RECORD)
def record_visa(case_id: uuid.UUID) -> Response:
    def action(case: Case, form: Any, user: StaffUser) -> str:
        services.record_visa(db.session, case, user)
        return _s("Recorded: the visa was issued.")

    return _act(case_id, PortalForm(), action)


@blueprint.post("/cases/<uuid:case_id>/arrived")
@requires(Permission.VISA_RECORD)
def record_arrival(case_id: uuid.UUID) -> Response:
    def action(case: Case, form: Any, user: StaffUser) -> str:
        services.record_arrival(db.session, case, user)
        return _s("Recorded: arrived in Germany. The case is closed.")

    return _act(case_id, PortalForm(), action)


@blueprint.post("/cases/<uuid:case_id>/reopen")
@requires(Permission.CASE_REOPEN)
def reopen_case(case_id: uuid.UUID) -> Response:
    def action(case: Case, form: Any, user: StaffUser) -> str:
        services.reopen(db.session, case, user, form.reason.data.strip())
        return _s("The case was reopened and is back in review; your reason was kept as a note.")

    return _act(case_id, forms.ReasonForm(), action)
