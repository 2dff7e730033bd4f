from flask import current_app, render_template, request

from portal.accounts.access import current_staff, requires
from portal.cases.states import OPEN_STATUSES, CaseStatus, Programme, ScreeningStatus, ThreatLevel
from portal.core.permissions import Permission, permitted
from portal.extensions import db
from portal.review import blueprint
from portal.review.counts import facet_counts, total
from portal.review.queue import SORTS, VIEWS, Filters, assignee_names, page


@blueprint.get("/")
@requires(Permission.CASE_READ)
def show_queue() -> str:
    user = current_staff()
    may_confirm = permitted(user, Permission.DECISION_CONFIRM)
    service_days = current_app.config.get("PORTAL_REVIEW_SERVICE_DAYS", 30)
    filters = Filters.from_args(request.args, may_confirm=may_confirm, service_days=service_days)
    cases, following = page(db.session, user, filters, request.args.get("after"))
    assignees = assignee_names(db.session)
    query = {key: request.args.getlist(key) for key in request.args if key != "after"}
    counts = facet_counts(db.session, user, filters)
    shown = total(counts, filters)
    # The open view's link carries its count; counting the others on every page view would
    # cost more than the page itself at a million cases (docs/review.md, "Saved views").
    views = {
        view: shown if view == filters.view else None
        for view in VIEWS
        if view != "confirm" or may_confirm
    }
    return render_template(
        "review/queue.html",
        cases=cases,
        following=following,
        filters=filters,
        counts=counts,
        shown=shown,
        views=views,
        sorts=list(SORTS),
        open_statuses=OPEN_STATUSES,
        assignees=assignees,
        query=query,
        # Only open cases wait; with a waiting time or a view, only open statuses can be chosen.
        statuses=[s for s in OPEN_STATUSES if s in VIEWS[filters.view].statuses]
        if filters.view is not None
        else OPEN_STATUSES
        if filters.open_only
        else [status for status in CaseStatus if status != CaseStatus.DRAFT],
        programmes=list(Programme),
        threats=list(ThreatLevel),
        screenings=list(ScreeningStatus),
    )
