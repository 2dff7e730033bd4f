"""Signing in and out, enrolment through a link, one's own password, and the
administration of staff accounts."""

import math
import uuid
from typing import Any

import pyotp
import segno
from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal.accounts import auth, blueprint, services, throttle
from portal.accounts.access import current_staff, public, requires
from portal.accounts.forms import (
    EnrolmentForm,
    NewStaffForm,
    PasswordChangeForm,
    SignInForm,
    StaffLanguageForm,
)
from portal.accounts.models import StaffUser
from portal.core import unit_of_work
from portal.core.actors import Role
from portal.core.db import utcnow
from portal.core.digests import keyed_digest
from portal.core.forms import PortalForm, keeps_typed_answers
from portal.core.i18n import _s
from portal.core.permissions import Permission, permitted
from portal.core.refusal import ActionRefused
from portal.core.uncompressed import sent_uncompressed
from portal.extensions import csrf, db, limiter

# Where a member of staff lands after signing in: the first of these they may use (an
# administrator, who has no queue, starts with the insider alerts), else their own account.
LANDING = (
    (Permission.CASE_READ, "review.show_queue"),
    (Permission.ALERTS_READ, "review.show_alerts"),
    (Permission.STAFF_MANAGE, "accounts.list_staff"),
    (Permission.REPORTS_READ, "reports.show_reports"),
)


def client_address() -> str:
    """The client's address (behind trusted proxies, what they report: PORTAL_TRUSTED_PROXIES)."""
    return request.remote_addr or "unknown"


def landing(user: StaffUser) -> str:
    for permission, endpoint in LANDING:
        if permitted(user, permission) and endpoint in current_app.view_functions:
            return url_for(endpoint)
    return url_for("accounts.change_password")


def _signed_in(user: StaffUser) -> Response:
    response = make_response(redirect(landing(user)))
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
    if wait:  # not audited: nothing was checked, and a flood must not flood the audit chain
        return _sign_in_page(form, wait=wait, status=429)
    user = auth.authenticate(
        db.session, username, form.password.data, form.code.data, address=address
    )
    if user is None:
        return _sign_in_page(form, failed=True, status=400)
    unit_of_work.after_commit(db.session, lambda: throttle.forgive(username, address))
    return _signed_in(user)


def _enrol_page(user: StaffUser, form: EnrolmentForm) -> tuple[str, int]:
    secret = services.totp_secret(user)
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name="Portal")
    # Drawn here, as inline SVG: the secret never leaves for a QR service elsewhere.
    qr = str(segno.make(uri, error="m").svg_inline(scale=4))
    # Also written out, for anyone who cannot scan it (a screen reader, a desktop app).
    key = " ".join(secret[start : start + 4] for start in range(0, len(secret), 4))
    page = render_template("accounts/enrol.html", user=user, form=form, qr=qr, key=key)
    return page, 400 if form.errors else 200


@blueprint.route("/enrol/<token>", methods=["GET", "POST"])
@public
@keeps_typed_answers
@limiter.limit("10 per 15 minutes", methods=["POST"])  # per client address
@sent_uncompressed
def enrol(token: str) -> Any:
    """A new or reset account's link: the person chooses a password and sets up their
    authenticator, and is signed in. The link works once, and only for a while."""
    user = auth.pending_enrolment(db.session, token)
    if user is None:
        return render_template("accounts/enrol_invalid.html"), 404
    form = EnrolmentForm()
    if form.validate_on_submit():
        password, code = form.new_password.data, form.code.data
        try:
            enrolled = auth.complete_enrolment(
                db.session, user, token, password, code, address=client_address()
            )
        except ActionRefused as refusal:  # the link was used in the meantime
            unit_of_work.discard(db.session)
            flash(str(refusal), "error")
            return redirect(url_for("accounts.enrol", token=token))
        if enrolled:
            return _signed_in(user)
        form.code.errors = [
            *form.code.errors,
            _s("That code did not match. Scan the code again and enter the current six digits."),
        ]
    return _enrol_page(user, form)


@blueprint.post("/sign-out")
@csrf.exempt
@requires(Permission.OWN_ACCOUNT)
def sign_out() -> Response:
    """Ends the session, whatever the form's token: a page left open until its token
    expired must not keep anyone signed in. Without the token check, all a forged request
    could do is sign someone out, and the cookie (SameSite=Strict) is not even sent with a
    request from another site; everything else still needs a valid token."""
    auth.end_session(db.session, request.cookies.get(auth.COOKIE))
    response = make_response(redirect(url_for("accounts.sign_in")))
    response.delete_cookie(auth.COOKIE, path="/staff")
    return response


def _this_session_key() -> str:
    """Tries at the current password, counted per session (its token, hashed)."""
    cookie = request.cookies.get(auth.COOKIE, "")
    return "staff-password:" + keyed_digest("password change limit", cookie)


@blueprint.route("/account/password", methods=["GET", "POST"])
@requires(Permission.OWN_ACCOUNT)
@keeps_typed_answers
@limiter.limit("10 per 15 minutes", methods=["POST"], key_func=_this_session_key)
def change_password() -> Any:
    form = PasswordChangeForm()
    refusal = None
    if form.validate_on_submit():
        try:
            services.change_own_password(
                db.session,
                current_staff(),
                form.current_password.data,
                form.new_password.data,
                keep_session=request.cookies.get(auth.COOKIE),
            )
        except ActionRefused as refused:
            unit_of_work.discard(db.session)
            refusal = str(refused)
        else:
            flash(_s("Your password was changed. Everywhere else you were signed out."), "notice")
            return redirect(url_for("accounts.change_password"))
    page = render_template("accounts/password.html", form=form, refusal=refusal)
    return page, 400 if form.errors or refusal else 200


@blueprint.route("/account/language", methods=["POST"])
@requires(Permission.OWN_ACCOUNT)
def choose_language() -> Any:
    form = StaffLanguageForm()
    if not form.validate_on_submit():
        abort(400)
    services.choose_language(db.session, current_staff(), form.language.data)
    return redirect(_staff_path(form.next.data) or landing(current_staff()))


def _staff_path(path: str | None) -> str | None:
    """``path`` if it is a page of this server under /staff/, else None (never another site)."""
    if not path or not path.startswith("/staff/") or "\\" in path or "//" in path:
        return None
    return path


def _staff_page(
    new: NewStaffForm, status: int = 200, refusal: str | None = None
) -> tuple[str, int]:
    users = db.session.scalars(select(StaffUser).order_by(StaffUser.username)).all()
    page = render_template(
        "accounts/staff_list.html",
        users=users,
        form=PortalForm(),
        new=new,
        refusal=refusal,
        now=utcnow(),
    )
    return page, status


def _link_page(user: StaffUser, token: str) -> str:
    """The enrolment link, shown once to the administrator to hand over: no secret of the
    account itself."""
    link = url_for("accounts.enrol", token=token, _external=True)
    return render_template("accounts/staff_link.html", user=user, link=link)


@blueprint.get("/admin/staff")
@requires(Permission.STAFF_MANAGE)
def list_staff() -> tuple[str, int]:
    return _staff_page(NewStaffForm(formdata=None))


@blueprint.post("/admin/staff")
@requires(Permission.STAFF_MANAGE)
@sent_uncompressed
def create_staff() -> Any:
    form = NewStaffForm()
    if not form.validate_on_submit():
        return _staff_page(form, 400)
    try:
        user, token = services.invite_staff(
            db.session,
            form.username.data,
            form.display_name.data,
            [Role(role) for role in form.roles.data],
            actor=current_staff(),
        )
    except ActionRefused as refusal:
        unit_of_work.discard(db.session)
        return _staff_page(form, 400, refusal=str(refusal))
    return _link_page(user, token)


def _other_user(user_id: uuid.UUID) -> StaffUser:
    user = db.session.get(StaffUser, user_id)
    if user is None or user.id == current_staff().id:  # nobody locks themselves out
        abort(404)
    return user


@blueprint.post("/admin/staff/<uuid:user_id>/deactivate")
@requires(Permission.STAFF_MANAGE)
def deactivate_staff(user_id: uuid.UUID) -> Response:
    user = _other_user(user_id)
    if PortalForm().validate_on_submit():
        services.deactivate_staff(db.session, user, actor=current_staff())
    return redirect(url_for("accounts.list_staff"))


@blueprint.post("/admin/staff/<uuid:user_id>/reset")
@requires(Permission.STAFF_MANAGE)
@sent_uncompressed
def reset_staff(user_id: uuid.UUID) -> Any:
    user = _other_user(user_id)
    if not PortalForm().validate_on_submit():
        return redirect(url_for("accounts.list_staff"))
    token = services.reset_staff(db.session, user, actor=current_staff())
    return _link_page(user, token)
