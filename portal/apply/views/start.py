"""Language, eligibility, the reference and access code, signing in and out."""

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from werkzeug.wrappers import Response

from portal.apply import blueprint, receipt
from portal.apply.access import applicant_case, applicant_required
from portal.apply.forms import ConfirmForm, EligibilityForm, SignInForm
from portal.apply.pages import form_page
from portal.apply.session import current_case, sign_in, sign_out
from portal.cases.custody import open_with_access_code, start_case
from portal.cases.states import CaseStatus, Programme
from portal.core import codes, ratelimit
from portal.core.forms import keeps_typed_answers
from portal.core.i18n import BY_CODE, SESSION_KEY, current_language, offered_languages
from portal.core.uncompressed import sent_uncompressed
from portal.extensions import csrf, db, limiter


@blueprint.get("/")
def show_home() -> str:
    return render_template("apply/home.html", languages=offered_languages())


@blueprint.get("/too-large")
def refuse_too_large() -> Response:
    """Where nginx sends a request whose body is over its limit (deploy/nginx), so that the
    applicant reads the portal's own page, in their language, not nginx's."""
    abort(413)


@blueprint.post("/language")
def choose_language() -> Response:
    choice = request.form.get("language", "")
    if ConfirmForm().validate_on_submit() and choice in BY_CODE:
        session[SESSION_KEY] = choice
    return redirect(url_for("apply.show_home"))


@blueprint.route("/eligibility", methods=["GET", "POST"])
@keeps_typed_answers
def check_eligibility() -> str | tuple[str, int]:
    form = EligibilityForm()
    if not form.validate_on_submit():
        return form_page("apply/eligibility.html", form)
    reasons = []
    if form.outside_germany.data == "no":
        reasons.append("in_germany")
    if form.basis.data == "no":
        reasons.append("no_basis")
    if reasons:
        return render_template("apply/not_eligible.html", reasons=reasons)
    return render_template("apply/start.html", programme=form.programme.data, form=ConfirmForm())


@blueprint.post("/start")
@sent_uncompressed
def start_application() -> str | Response:
    """Create the case; its receipt page shows the reference and access code."""
    form = ConfirmForm()
    programme = request.form.get("programme", "")
    if not form.validate_on_submit() or programme not in set(Programme):
        return redirect(url_for("apply.check_eligibility"))
    case, access_code = start_case(
        db.session, programme=Programme(programme), language=current_language().code
    )
    sign_in(case)
    receipt.keep(case, access_code)
    # Shown by a page of its own, so that reloading it, or coming back to it after the
    # phone went off, shows the code again instead of starting another case.
    return redirect(url_for("apply.show_receipt"))


def _receipt_page(template: str) -> str:
    case = applicant_case()
    access_code = receipt.read(case)
    if access_code is None:
        abort(404)
    return render_template(
        template,
        reference=codes.grouped(case.reference),
        access_code=codes.grouped(access_code),
        draft=case.status == CaseStatus.DRAFT,
    )


@blueprint.get("/application/receipt")
@sent_uncompressed
@applicant_required
def show_receipt() -> str:
    """The reference and access code, until the first sign-in with them."""
    return _receipt_page("apply/access_code.html")


@blueprint.get("/application/receipt/download")
@sent_uncompressed
@applicant_required
def download_receipt() -> Response:
    """The same as a small page to keep on the phone: saving needs no JavaScript."""
    response = current_app.make_response(_receipt_page("apply/receipt_file.html"))
    # A neutral name: a file list on a watched phone should not say what this is.
    response.headers["Content-Disposition"] = 'attachment; filename="information.html"'
    return response


def _typed_reference() -> str | None:
    return codes.normalise_reference(request.form.get("reference", ""))


def _reference_key() -> str:
    """One counter per reference (normalised), whoever tries it, from wherever."""
    return ratelimit.hashed_key("applicant-sign-in-reference", _typed_reference() or "")


def _cannot_be_a_reference() -> bool:
    """What cannot be a reference opens nothing, so it needs no counter of its own (one
    shared by all such typing would refuse everyone who mistypes after a few others did);
    the ceiling per address still counts it."""
    return _typed_reference() is None


def _address_key() -> str:
    return ratelimit.hashed_key("applicant-sign-in-address", get_remote_address())


def _address_ceiling() -> str:
    return f"{current_app.config['PORTAL_APPLICANT_SIGN_IN_PER_ADDRESS']} per 15 minutes"


# Guessing is limited per reference, however many addresses an attacker has; per address
# only generously, since thousands of applicants share one behind a carrier's NAT. The keys
# are keyed hashes (portal.core.ratelimit): Redis never holds a reference or an address.
@blueprint.route("/sign-in", methods=["GET", "POST"])
@keeps_typed_answers
@limiter.limit(_address_ceiling, methods=["POST"], key_func=_address_key)
@limiter.limit(
    "10 per hour", methods=["POST"], key_func=_reference_key, exempt_when=_cannot_be_a_reference
)
def show_sign_in() -> tuple[str, int] | Response:
    form = SignInForm()
    failed = False
    if form.validate_on_submit():
        # A failed attempt's audit event is committed with the request too.
        case = open_with_access_code(db.session, form.reference.data, form.access_code.data)
        if case is not None:
            receipt.forget(db.session, case)
            sign_in(case)
            return redirect(url_for("apply.show_tasks"))
        failed = True
    page, status = form_page("apply/sign_in.html", form, failed=failed)
    return page, 400 if failed else status


@blueprint.post("/sign-out")
@csrf.exempt
def sign_out_applicant() -> Response:
    """Signs out whatever the form's token: on a shared phone, a sign-out that fails on a
    page left open too long would leave the case open to the next person. Signing out is
    all a request without a valid token can do; every other form still needs one."""
    sign_out(current_case(db.session))
    return redirect(url_for("apply.show_home"))
