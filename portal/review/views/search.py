"""Searching for a case: a POST, so that names and phone numbers never stand in a URL,
a browser's history or a server's log (docs/review.md)."""

from typing import Any

from flask import render_template, request

from portal.accounts.access import current_staff, requires
from portal.core import unit_of_work
from portal.core.forms import keeps_typed_answers
from portal.core.permissions import Permission
from portal.core.refusal import ActionRefused
from portal.extensions import db
from portal.review import blueprint
from portal.review.budgets import BudgetExceeded
from portal.review.forms import SearchForm
from portal.review.queue import assignee_names
from portal.review.search import SearchResult, parse_year, search_cases
from portal.review.views.insiders import over_budget


@blueprint.route("/search", methods=["GET", "POST"])
@requires(Permission.CASE_SEARCH)
@keeps_typed_answers
def search() -> Any:
    """A GET shows the empty form; a POST searches and shows the cases found at once (no
    redirect: the terms would have to travel in the URL or the session to a next page)."""
    form = SearchForm()
    if request.method == "GET":
        return _page(form)
    if not form.validate_on_submit():
        return _page(form), 400
    try:
        result = search_cases(
            db.session, current_staff(), form.terms.data or "", parse_year(form.year.data)
        )
    except BudgetExceeded as refusal:  # committed: the breach stays recorded
        return over_budget(refusal)
    except ActionRefused as refusal:
        unit_of_work.discard(db.session)
        return _page(form, refusal=refusal), 400
    return _page(form, result=result)


def _page(
    form: SearchForm, result: SearchResult | None = None, refusal: ActionRefused | None = None
) -> str:
    assignees = {}
    if result and any(case.assignee_id for case in result.cases):
        assignees = assignee_names(db.session)
    return render_template(
        "review/search.html", form=form, result=result, refusal=refusal, assignees=assignees
    )
