"""Which applicant pages need a signed-in applicant, and which a case still in draft."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, redirect, url_for

from portal.apply.session import current_case
from portal.cases.models import Case
from portal.cases.states import CaseStatus
from portal.extensions import db


def applicant_case() -> Case:
    case: Case = g.case
    return case


def applicant_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        case = current_case(db.session)
        if case is None:
            return redirect(url_for("apply.show_sign_in"))
        g.case = case
        return view(*args, **kwargs)

    return wrapper


def draft_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Answers can be changed until the application is submitted, then the status shows."""

    @applicant_required
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if applicant_case().status != CaseStatus.DRAFT:
            return redirect(url_for("apply.show_status"))
        return view(*args, **kwargs)

    return wrapper
