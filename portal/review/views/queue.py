from flask import render_template, request
from sqlalchemy import select

from portal.accounts.access import current_staff, requires
from portal.accounts.models import StaffUser
from portal.cases.states import OPEN_STATUSES, CaseStatus, Programme, ScreeningStatus, ThreatLevel
from portal.core.permissions import Permission
from portal.extensions import db
from portal.review import blueprint
from portal.review.counts import facet_counts
from portal.review.queue import Filters, page


@blueprint.get("/")
@requires(Permission.CASE_READ)
def show_queue() -> str:
    user = current_staff()
    filters = Filters.from_args(request.args)
    cases, following = page(db.session, user, filters, request.args.get("after"))
    assignees = {
        staff.id: staff.display_name
        for staff in db.session.scalars(select(StaffUser).where(StaffUser.active))
    }
    query = {key: request.args.getlist(key) for key in request.args if key != "after"}
    return render_template(
        "review/queue.html",
        cases=cases,
        following=following,
        filters=filters,
        counts=facet_counts(db.session, user, filters),
        assignees=assignees,
        query=query,
        # Only open cases wait; with a waiting time, only open statuses can be chosen.
        statuses=OPEN_STATUSES
        if filters.waiting_days is not None
        else [status for status in CaseStatus if status != CaseStatus.DRAFT],
        programmes=list(Programme),
        threats=list(ThreatLevel),
        screenings=list(ScreeningStatus),
    )
