"""Signing in and out, TOTP enrolment, and the administration of staff accounts."""

import math
import uuid
from typing import Any

import pyotp
import segno
from flask import abort, current_app, make_response, redirect, render_template, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal.accounts import auth, blueprint, services, throttle
from portal.accounts.access import current_staff, public, requires
from portal.accounts.forms import NewStaffForm, SignInForm
from portal.accounts.models import StaffUser
from portal.core import unit_of_work
from portal.core.actors import Role
from portal.core.forms import PortalForm, keeps_typed_answers
from portal.core.permissions import Permission
from portal.extensions import db, limiter

ENROLMENT_SECONDS = 600
HOME = "review.show_queue"


def _enrolment_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="totp enrolment")


def client_address() -> str:
    """The client's address (behind trusted proxies, what they report: PORTAL_TRUSTED_PROXIES)."""
    return request.remote_addr or "unknown"


def _signed_in(user: StaffUser) -> Response:
    home = url_for(HOME) if HOME.split(".")[0] in current_app.blueprints else "/staff/"
    response = make_response(redirect(home))
    token = auth.open_session(db.session, user, address=client_address())
    response.set_cookie(
        auth.COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        path="/staff",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


def _qr(user: StaffUser) -> str:
    uri = pyotp.TOTP(services.totp_secret(user)).provisioning_uri(
        name=user.username, issuer_name="Portal"
    )
    # Drawn here, as inline SVG: the secret never leaves for a QR service elsewhere.
    return str(segno.make(uri, error="m").svg_inline(scale=4))


def _enrol_page(user: StaffUser, token: str, failed: bool = False) -> tuple[str, int]:
    page = render_template(
        "accounts/enrol.html", token=token, qr=_qr(user), form=PortalForm(), failed=failed
    )
    return page, 400 if failed else 200


def _sign_in_page(
    form: SignInForm, *, failed: bool = False, wait: int = 0, status: int = 200
) -> tuple[str, int]:
    page = render_template(
        "accounts/sign_in.html", form=form, failed=failed, wait_minutes=math.ceil(wait / 60)
    )
    return page, status


@blueprint.route("/sign-in", methods=["GET", "POST"])
@public
@keeps_typed_answers
def sign_in() -> Any:
    form = SignInForm()
    if not form.validate_on_submit():
        return _sign_in_page(form, status=400 if form.errors else 200)
    username, address = form.username.data, client_address()
    wait = throttle.reserve(username, address)
    if wait:
        return _sign_in_page(form, wait=wait, status=429)
    user = db.session.scalar(select(StaffUser).where(StaffUser.username == username.strip()))
    if user is not None and auth.needs_enrolment(user, form.password.data):
        return _enrol_page(user, _enrolment_signer().dumps(str(user.id)))
    user = auth.authenticate(
        db.session, username, form.password.data, form.code.data, address=address
    )
    if user is None:
        return _sign_in_page(form, failed=True, status=400)
    unit_of_work.after_commit(db.session, lambda: throttle.forgive(username, address))
    return _signed_in(user)


@blueprint.post("/enrol")
@public
@limiter.limit("10 per 15 minutes")
def enrol() -> Any:
    token = request.form.get("token", "")
    try:
        user_id = uuid.UUID(_enrolment_signer().loads(token, max_age=ENROLMENT_SECONDS))
    except (BadSignature, ValueError):
        return redirect(url_for("accounts.sign_in"))
    user = db.session.get(StaffUser, user_id)
    if user is None or not user.active or user.totp_enrolled_at is not None:
        return redirect(url_for("accounts.sign_in"))
    if not PortalForm().validate_on_submit():
        return redirect(url_for("accounts.sign_in"))
    if not auth.confirm_enrolment(db.session, user, request.form.get("code", "")):
        return _enrol_page(user, token, failed=True)
    return _signed_in(user)


@blueprint.post("/sign-out")
@requires(Permission.OWN_ACCOUNT)
def sign_out() -> Response:
    if PortalForm().validate_on_submit():
        auth.end_session(db.session, request.cookies.get(auth.COOKIE))
    response = make_response(redirect(url_for("accounts.sign_in")))
    response.delete_cookie(auth.COOKIE, path="/staff")
    return response


def _staff_page(new: NewStaffForm, status: int = 200) -> tuple[str, int]:
    users = db.session.scalars(select(StaffUser).order_by(StaffUser.username)).all()
    page = render_template("accounts/staff_list.html", users=users, form=PortalForm(), new=new)
    return page, status


@blueprint.get("/admin/staff")
@requires(Permission.STAFF_MANAGE)
def list_staff() -> tuple[str, int]:
    return _staff_page(NewStaffForm(formdata=None))


@blueprint.post("/admin/staff")
@requires(Permission.STAFF_MANAGE)
def create_staff() -> Any:
    form = NewStaffForm()
    if not form.validate_on_submit():
        return _staff_page(form, 400)
    if db.session.scalar(select(StaffUser).where(StaffUser.username == form.username.data)):
        form.username.errors = [*form.username.errors, "exists"]
        return _staff_page(form, 400)
    user, password, _secret = services.create_staff(
        db.session,
        form.username.data,
        form.display_name.data,
        [Role(role) for role in form.roles.data],
        actor=current_staff(),
        enrolled=False,
    )
    return render_template("accounts/staff_password.html", user=user, password=password)


def _other_user(user_id: str) -> StaffUser:
    try:
        user = db.session.get(StaffUser, uuid.UUID(user_id))
    except ValueError:
        user = None
    if user is None or user.id == current_staff().id:  # nobody locks themselves out
        abort(404)
    return user


@blueprint.post("/admin/staff/<user_id>/deactivate")
@requires(Permission.STAFF_MANAGE)
def deactivate_staff(user_id: str) -> Response:
    user = _other_user(user_id)
    if PortalForm().validate_on_submit():
        services.deactivate_staff(db.session, user, actor=current_staff())
    return redirect(url_for("accounts.list_staff"))


@blueprint.post("/admin/staff/<user_id>/reset")
@requires(Permission.STAFF_MANAGE)
def reset_staff(user_id: str) -> Any:
    user = _other_user(user_id)
    if not PortalForm().validate_on_submit():
        return redirect(url_for("accounts.list_staff"))
    password = services.reset_staff(db.session, user, actor=current_staff())
    return render_template("accounts/staff_password.html", user=user, password=password)
