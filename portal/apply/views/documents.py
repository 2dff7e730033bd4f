"""Uploading documents: checked, cleaned and encrypted before anything is stored."""

from typing import Any

from flask import abort, current_app, redirect, render_template, url_for
from werkzeug.wrappers import Response

from portal.apply import blueprint, choices, services
from portal.apply.access import applicant_case, draft_required
from portal.apply.forms import ConfirmForm, DocumentForm
from portal.apply.progress import uploaded_documents
from portal.apply.uploads import UploadRejected, check_upload
from portal.cases.custody import blob_store
from portal.cases.states import DocumentKind
from portal.core.forms import keeps_typed_answers
from portal.core.numerals import local_number
from portal.extensions import db


@blueprint.route("/application/documents", methods=["GET", "POST"])
@keeps_typed_answers
@draft_required
def list_documents() -> Any:
    case = applicant_case()
    documents = uploaded_documents(case)
    form = DocumentForm()
    rejected = None
    if form.validate_on_submit():
        limit = current_app.config["PORTAL_UPLOAD_MAX_FILES"]
        upload = form.file.data
        try:
            if len(documents) >= limit:
                raise UploadRejected("too_many")
            # Checked from werkzeug's spooled file, never read whole into memory.
            clean = check_upload(
                upload.stream, max_bytes=current_app.config["PORTAL_UPLOAD_MAX_BYTES"]
            )
        except UploadRejected as rejection:
            rejected = rejection.reason
        else:
            services.add_document(
                db.session,
                case,
                kind=DocumentKind(form.kind.data),
                filename=upload.filename or "",
                clean=clean,
                store=blob_store(),
            )
            return redirect(url_for("apply.list_documents"))
    status = 400 if rejected or form.errors else 200
    page = render_template(
        "apply/documents.html",
        form=form,
        documents=documents,
        rejected=rejected,
        confirm=ConfirmForm(),
        choices=choices,
        # Limits, in refusals too, written in the digits of the page's language.
        max_megabytes=local_number(current_app.config["PORTAL_UPLOAD_MAX_BYTES"] // (1024 * 1024)),
        max_files=local_number(current_app.config["PORTAL_UPLOAD_MAX_FILES"]),
    )
    return page, status


@blueprint.post("/application/documents/<document_id>/remove")
@draft_required
def remove_document(document_id: str) -> Response:
    case = applicant_case()
    document = next((d for d in uploaded_documents(case) if str(d.id) == document_id), None)
    if document is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        services.remove_document(db.session, case, document, blob_store())
    return redirect(url_for("apply.list_documents"))
