"""Actions on a case: each a POST with its token, each checked, audited and committed."""

import uuid
from collections.abc import Callable
from typing import Any

from flask import flash, redirect, url_for
from werkzeug.wrappers import Response

from portal.accounts.access import current_staff, requires
from portal.accounts.models import StaffUser
from portal.cases.lifecycle import IllegalTransitionError
from portal.cases.models import Case, Employment
from portal.cases.states import CaseStatus, DecisionOutcome, ScreeningStatus, ThreatLevel
from portal.core.forms import PortalForm
from portal.core.i18n import _ls, _s
from portal.core.permissions import Permission
from portal.extensions import db
from portal.intake import assessments
from portal.review import blueprint, forms, services
from portal.review.visibility import load_case

REFUSALS = {
    "not_in_review": _ls("Only a case under review can do this."),
    "no_open_decision": _ls("There is no open proposal any more: it was decided in the meantime."),
    "four_eyes": _ls("A proposal must be confirmed or returned by another person."),
    "not_rejected": _ls("Only a rejected case can be reopened."),
    "not_a_caseworker": _ls("Cases are assigned to caseworkers or deciders only."),
    "not_a_step": _ls("This step cannot be recorded."),
}


def _act(
    case_id: str, form: PortalForm, action: Callable[[Case, Any, StaffUser], object]
) -> Response:
    """Load the case (404 if not visible), validate, act; refusals become a message."""
    user = current_staff()
    case = load_case(user, case_id)
    if not form.validate_on_submit():
        flash(_s("The form was incomplete; nothing was changed."), "error")
    else:
        try:
            action(case, form, user)
        except services.ActionRefused as refusal:
            db.session.rollback()
            flash(str(REFUSALS[refusal.code]), "error")
        except IllegalTransitionError:
            db.session.rollback()
            flash(_s("This step is not possible in the case's current state."), "error")
        except assessments.AssessmentError as error:
            db.session.rollback()
            flash(str(error), "error")
    return redirect(url_for("review.show_case", case_id=case_id))


def _unlocked(case: Case, user: StaffUser) -> Case:
    return services.open_for_review(db.session, case, user)


@blueprint.post("/cases/<case_id>/assign")
@requires(Permission.CASE_ASSIGN)
def assign_case(case_id: str) -> Response:
    def action(case: Case, form: Any, user: StaffUser) -> None:
        value = form.assignee.data or ""
        try:
            assignee = db.session.get(StaffUser, uuid.UUID(value)) if value else None
        except ValueError:  # not an id at all
            raise services.ActionRefused("not_a_caseworker") from None
        if value and assignee is None:
            raise services.ActionRefused("not_a_caseworker")
        services.assign(db.session, case, user, assignee)

    return _act(case_id, forms.AssignForm(), action)


@blueprint.post("/cases/<case_id>/notes")
@requires(Permission.CASE_NOTE)
def add_note(case_id: str) -> Response:
    return _act(
        case_id,
        forms.NoteForm(),
        lambda case, form, user: services.add_note(
            db.session, _unlocked(case, user), user, form.body.data.strip()
        ),
    )


@blueprint.post("/cases/<case_id>/questions")
@requires(Permission.CASE_REQUEST_INFO)
def request_information(case_id: str) -> Response:
    return _act(
        case_id,
        forms.QuestionForm(),
        lambda case, form, user: services.request_information(
            db.session, _unlocked(case, user), user, form.question.data.strip()
        ),
    )


@blueprint.post("/cases/<case_id>/threat")
@requires(Permission.RISK_SET)
def set_threat(case_id: str) -> Response:
    return _act(
        case_id,
        forms.ThreatForm(),
        lambda case, form, user: assessments.set_threat_level(
            db.session,
            case,
            ThreatLevel(form.level.data),
            actor_id=user.id,
            reason=form.reason.data.strip(),
        ),
    )


@blueprint.post("/cases/<case_id>/screening")
@requires(Permission.SCREENING_SET)
def set_screening(case_id: str) -> Response:
    return _act(
        case_id,
        forms.ScreeningForm(),
        lambda case, form, user: assessments.set_screening_status(
            db.session,
            case,
            ScreeningStatus(form.status.data),
            actor_id=user.id,
            reason=form.reason.data.strip(),
        ),
    )


@blueprint.post("/cases/<case_id>/employment/<job_id>/confirm")
@requires(Permission.EMPLOYMENT_CONFIRM)
def confirm_employment(case_id: str, job_id: str) -> Response:
    def action(case: Case, form: Any, user: StaffUser) -> None:
        job = next((j for j in case.employments if str(j.id) == job_id), None)
        if not isinstance(job, Employment):
            raise services.ActionRefused("not_a_step")
        services.confirm_employment(db.session, case, user, job)

    return _act(case_id, PortalForm(), action)


@blueprint.post("/cases/<case_id>/decision")
@requires(Permission.DECISION_PROPOSE)
def propose_decision(case_id: str) -> Response:
    return _act(
        case_id,
        forms.ProposeForm(),
        lambda case, form, user: services.propose_decision(
            db.session,
            _unlocked(case, user),
            user,
            DecisionOutcome(form.outcome.data),
            form.reasons.data.strip(),
        ),
    )


@blueprint.post("/cases/<case_id>/decision/<decision_id>/confirm")
@requires(Permission.DECISION_CONFIRM)
def confirm_decision(case_id: str, decision_id: str) -> Response:
    return _act(
        case_id,
        PortalForm(),
        lambda case, form, user: services.confirm_decision(
            db.session, case, user, _uuid(decision_id)
        ),
    )


@blueprint.post("/cases/<case_id>/decision/<decision_id>/return")
@requires(Permission.DECISION_CONFIRM)
def return_decision(case_id: str, decision_id: str) -> Response:
    return _act(
        case_id,
        PortalForm(),
        lambda case, form, user: services.return_decision(
            db.session, case, user, _uuid(decision_id)
        ),
    )


@blueprint.post("/cases/<case_id>/visa-issued")
@requires(Permission.VISA_RECORD)
def record_visa(case_id: str) -> Response:
    return _act(
        case_id,
        PortalForm(),
        lambda case, form, user: services.record_step(
            db.session, case, user, CaseStatus.VISA_ISSUED
        ),
    )


@blueprint.post("/cases/<case_id>/arrived")
@requires(Permission.VISA_RECORD)
def record_arrival(case_id: str) -> Response:
    return _act(
        case_id,
        PortalForm(),
        lambda case, form, user: services.record_step(db.session, case, user, CaseStatus.ARRIVED),
    )


@blueprint.post("/cases/<case_id>/reopen")
@requires(Permission.CASE_REOPEN)
def reopen_case(case_id: str) -> Response:
    return _act(
        case_id,
        forms.ReasonForm(),
        lambda case, form, user: services.reopen(
            db.session, _unlocked(case, user), user, form.reason.data.strip()
        ),
    )


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise services.ActionRefused("no_open_decision") from None
