"""Insider budgets on screen: the page a person over a budget sees, and the alerts that
administrators and security officers see (docs/review.md, "Insider budgets")."""

from flask import g, render_template, request
from sqlalchemy import select

from portal.accounts.access import current_staff, requires
from portal.accounts.models import StaffUser
from portal.core.permissions import Permission, permitted
from portal.core.text import number_below
from portal.extensions import db
from portal.review import blueprint, budgets, services


def over_budget(refusal: budgets.BudgetExceeded) -> tuple[str, int, dict[str, str]]:
    """The staff page for a refused opening: what happened and when it frees up.

    Answered with 429 but not as an error: the request commits, with the breach it
    recorded."""
    page = render_template("review/over_budget.html", refusal=refusal)
    return page, 429, {"Retry-After": str(refusal.retry_after)}


@blueprint.get("/alerts")
@requires(Permission.ALERTS_READ)
def show_alerts() -> str:
    before = request.args.get("before", "")
    events, seen = services.read_alerts(
        db.session,
        current_staff(),
        number_below(before, 2**63),
    )
    staff = {user.id: user for user in db.session.scalars(select(StaffUser))}
    return render_template(
        "review/alerts.html",
        events=events,
        seen=seen,
        staff=staff,
        labels=budgets.LABELS,
        page_size=services.ALERTS_PAGE,
    )


@blueprint.app_template_global()
def unseen_alerts() -> int:
    """For the navigation: breaches the signed-in person has not looked at yet."""
    user = g.get("staff")
    if user is None or not permitted(user, Permission.ALERTS_READ):
        return 0
    return budgets.unseen_breaches(db.session, user.id)
