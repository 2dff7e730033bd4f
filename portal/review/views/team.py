"""The team lead's page: open cases per person and stage, proposals waiting for
confirmation, and moving cases between people (``portal.review.team``)."""

import uuid

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from portal.accounts.access import current_staff, requires
from portal.accounts.models import StaffUser
from portal.cases.states import OPEN_STATUSES, CaseStatus
from portal.core import unit_of_work
from portal.core.db import utcnow
from portal.core.i18n import _ls, ngettext_s
from portal.core.permissions import Permission
from portal.core.refusal import ActionRefused
from portal.extensions import db
from portal.review import blueprint, forms, team
from portal.review.views.actions import NOT_A_CASEWORKER, _form_problem


def _reassign_form(overview: team.Team, *, blank: bool) -> forms.ReassignForm:
    """Cases can be moved from anyone who holds some, to anyone who may hold them; the
    unassigned cases are a source when there are any, and always a target."""
    unassigned = (team.UNASSIGNED, _ls("the unassigned cases"))
    sources = [
        (row.user.id, row.user.display_name) if row.user else unassigned
        for row in overview.holders
        if row.total
    ]
    targets = [
        (row.user.id, row.user.display_name)
        for row in overview.holders
        if row.may_hold and row.user
    ] + [unassigned]
    form = forms.ReassignForm(formdata=None) if blank else forms.ReassignForm()
    return form.offer(sources, targets)


@blueprint.get("/team")
@requires(Permission.TEAM_MANAGE)
def show_team() -> str:
    overview = team.team_overview(db.session, current_staff())
    return render_template(
        "review/team.html",
        team=overview,
        statuses=OPEN_STATUSES,
        form=_reassign_form(overview, blank=True),
        now=utcnow(),
    )


def _staff(value: str) -> StaffUser | None:
    """The person a form names, or None for the unassigned cases."""
    if value == team.UNASSIGNED:
        return None
    try:
        user = db.session.get(StaffUser, uuid.UUID(value))
    except ValueError:  # not an id at all
        user = None
    if user is None:
        raise ActionRefused(NOT_A_CASEWORKER)
    return user


@blueprint.post("/team/reassign")
@requires(Permission.TEAM_MANAGE)
def reassign_cases() -> Response:
    user = current_staff()
    form = _reassign_form(team.team_overview(db.session, user), blank=False)
    if not form.validate_on_submit():
        flash(_form_problem(form), "error")
        return redirect(url_for("review.show_team"))
    try:
        target = _staff(form.target.data)
        moved = team.reassign_cases(
            db.session,
            user,
            _staff(form.source.data),
            target,
            status=CaseStatus(form.status.data) if form.status.data else None,
            limit=form.number.data,
        )
    except ActionRefused as refusal:
        unit_of_work.discard(db.session)
        flash(str(refusal), "error")
    else:
        flash(_moved(moved, target))
    return redirect(url_for("review.show_team"))


def _moved(number: int, target: StaffUser | None) -> str:
    if target is None:
        return ngettext_s(
            "%(num)s case is unassigned again.", "%(num)s cases are unassigned again.", number
        )
    return ngettext_s(
        "%(num)s case was moved to %(name)s.",
        "%(num)s cases were moved to %(name)s.",
        number,
        name=target.display_name,
    )
