"""Declared access for staff views: each names one permission, or says it is public."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, g, redirect, request, url_for
from flask_babel import refresh

from portal.accounts.auth import COOKIE, session_user
from portal.accounts.models import StaffUser
from portal.core.permissions import Permission, permitted
from portal.extensions import db

PUBLIC = "public"  # the sign-in page: the only staff view without a permission


def current_staff() -> StaffUser:
    user: StaffUser = g.staff
    return user


def can(permission: Permission) -> bool:
    user = g.get("staff")
    return user is not None and permitted(user, permission)


def requires(permission: Permission) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Only a signed-in member of staff holding ``permission`` reaches the view."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = session_user(db.session, request.cookies.get(COOKIE))
            if user is None:
                return redirect(url_for("accounts.sign_in"))
            g.staff = user
            refresh()  # the page speaks the person's chosen staff language from here on
            if not permitted(user, permission):
                abort(403)
            return view(*args, **kwargs)

        wrapper.required_permission = permission  # type: ignore[attr-defined]
        return wrapper

    return decorator


def public(view: Callable[..., Any]) -> Callable[..., Any]:
    view.required_permission = PUBLIC  # type: ignore[attr-defined]
    return view
