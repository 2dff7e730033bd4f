"""Admin screens (the audit log, failed intake jobs) and the handling of case files."""

import logging
import re
import uuid
from typing import Any

from flask import Response as FlaskResponse
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import false, select
from werkzeug.wrappers import Response

from portal.accounts.access import current_staff, requires
from portal.accounts.models import StaffUser
from portal.cases.custody import document_chunks
from portal.cases.models import Case, Document
from portal.core import unit_of_work
from portal.core.audit import AuditEvent
from portal.core.forms import PortalForm, keeps_typed_answers
from portal.core.i18n import _ls, _s
from portal.core.permissions import Permission
from portal.core.refusal import ActionRefused
from portal.core.text import number_below
from portal.extensions import db
from portal.intake import failures
from portal.review import blueprint, budgets, services
from portal.review.forms import ExportForm
from portal.review.views.insiders import over_budget
from portal.review.visibility import load_case

AUDIT_PAGE = 100
ACTION_CODE = re.compile(r"[a-z_]+(\.[a-z_]+)*", re.ASCII)
INLINE_TYPES = {"image/jpeg", "image/png"}


@blueprint.get("/audit")
@requires(Permission.AUDIT_READ)
def show_audit() -> str:
    """The audit log, newest first, filtered by action, actor or case; keyset by id."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(AUDIT_PAGE)
    action = request.args.get("action", "").strip()
    # Actions are codes ("case.viewed"); anything else (a NUL, which PostgreSQL refuses in
    # text, included) matches no event, so it is not looked up.
    if action and not ACTION_CODE.fullmatch(action):
        query = query.where(false())
    elif action:
        query = query.where(AuditEvent.action == action)
    for name, column in (("actor", AuditEvent.actor_id), ("case", AuditEvent.case_id)):
        try:
            value = uuid.UUID(request.args.get(name, ""))
        except ValueError:
            continue
        query = query.where(column == value)
    before_id = number_below(request.args.get("before", ""), 2**63)
    if before_id is not None:  # anything else: from the newest
        query = query.where(AuditEvent.id < before_id)
    events = list(db.session.scalars(query))
    staff = {user.id: user for user in db.session.scalars(select(StaffUser))}
    return render_template(
        "review/audit.html", events=events, staff=staff, action=action, page_size=AUDIT_PAGE
    )


@blueprint.get("/failed-jobs")
@requires(Permission.QUEUE_MANAGE)
def list_failed_jobs() -> str:
    jobs = failures.list_failed_jobs(db.session, current_app.config["PORTAL_MAX_JOB_ATTEMPTS"])
    return render_template("review/failed_jobs.html", jobs=jobs, form=PortalForm())


@blueprint.post("/failed-jobs/<uuid:case_id>/retry")
@requires(Permission.QUEUE_MANAGE)
def retry_failed_job(case_id: uuid.UUID) -> Response:
    if PortalForm().validate_on_submit():
        try:
            services.retry_intake(db.session, current_staff(), case_id)
            flash(_s("The intake was enqueued again."), "notice")
        except ActionRefused as refusal:
            unit_of_work.discard(db.session)
            flash(str(refusal), "error")
    return redirect(url_for("review.list_failed_jobs"))


log = logging.getLogger(__name__)
MISSING_FILE = _ls(
    "The file of this document is missing from the document store. The administrators "
    "have been told."
)


@blueprint.get("/cases/<uuid:case_id>/documents/<uuid:document_id>")
@requires(Permission.DOCUMENT_READ)
def download_document(case_id: uuid.UUID, document_id: uuid.UUID) -> Any:
    """A decrypted document: images inline, everything else as an attachment; audited."""
    user = current_staff()
    case = load_case(user, case_id)
    document = db.session.scalar(
        select(Document).where(Document.case_id == case.id, Document.id == document_id)
    )
    if document is None:
        abort(404)
    try:
        services.record_download(db.session, case, user, document.id)
    except budgets.BudgetExceeded as refusal:
        return over_budget(refusal)
    try:
        body = document_chunks(case, document.id)
    except FileNotFoundError:
        # The row outlived its file (a store restored from an older backup than the
        # database, say): nothing was decrypted, so nothing is recorded; the operators are
        # told, and the caseworker gets words instead of a server error.
        log.error("document %s: its file is missing from the blob store", document.id)
        unit_of_work.discard(db.session)
        flash(MISSING_FILE, "error")
        return redirect(url_for("review.show_case", case_id=case.id))
    inline = document.content_type in INLINE_TYPES and request.args.get("view") == "1"
    response = FlaskResponse(body, mimetype=document.content_type)
    # Never the applicant's filename: it may name a person, and it is not ours to trust.
    extension = {"image/jpeg": "jpg", "image/png": "png"}.get(document.content_type, "pdf")
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = (
        f'{disposition}; filename="document-{document.id}.{extension}"'
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


@blueprint.route("/cases/<uuid:case_id>/export", methods=["GET", "POST"])
@requires(Permission.CASE_EXPORT)
@keeps_typed_answers
def export_case(case_id: uuid.UUID) -> Any:
    """One case as a printable page, watermarked with who made it, when and why; audited.

    A GET only asks why (it opens nothing); the POST with a reason makes the export. There
    is deliberately no export of many cases at once."""
    user = current_staff()
    case = load_case(user, case_id)
    form = ExportForm()
    if not form.validate_on_submit():
        return _export_form(case, form), 400 if form.is_submitted() else 200
    try:
        made = services.export(db.session, case, user, form.reason.data)
    except budgets.BudgetExceeded as refusal:  # committed: the breach stays recorded
        return _export_form(case, form, refusal), 429, {"Retry-After": str(refusal.retry_after)}
    except ActionRefused as refusal:
        unit_of_work.discard(db.session)
        return _export_form(case, form, refusal), 400
    return render_template("review/export.html", case=case, export=made, exported_by=user)


def _export_form(case: Case, form: ExportForm, refusal: ActionRefused | None = None) -> str:
    """The question before an export, with what the person typed, any refusal, and how
    many exports their budget has left this hour."""
    return render_template(
        "review/export_form.html",
        case=case,
        form=form,
        refusal=refusal,
        usage=budgets.exports_usage(db.session, current_staff().id),
    )
