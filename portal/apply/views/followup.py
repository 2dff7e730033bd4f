"""After submitting: the status in plain words, messages with the consulate, new family
members, withdrawing."""

from typing import Any

from flask import current_app, redirect, render_template, request, url_for
from sqlalchemy import select

from portal.apply import blueprint, choices, receipt, services
from portal.apply.access import applicant_case, applicant_required
from portal.apply.forms import ConfirmForm, FamilyMemberForm, MessageForm, options
from portal.apply.latin_names import offer_latin_spelling
from portal.apply.pages import form_page
from portal.apply.plausibility import to_confirm
from portal.apply.progress import uploaded_documents
from portal.apply.uploads import UploadRejected, check_upload
from portal.apply.views.family import member_values, member_warnings
from portal.cases.custody import blob_store
from portal.cases.lifecycle import CLOSED, can_move
from portal.cases.models import Message
from portal.cases.states import CaseStatus, DocumentKind, MessageDirection, Relationship
from portal.core import codes
from portal.core.forms import keeps_typed_answers
from portal.core.numerals import local_number
from portal.extensions import db

# After submission only people who joined the family since can be added.
NEW_SINCE_SUBMISSION = [Relationship.SPOUSE, Relationship.REGISTERED_PARTNER, Relationship.CHILD]


def _messages() -> list[Message]:
    case = applicant_case()
    return list(
        db.session.scalars(
            select(Message).where(Message.case_id == case.id).order_by(Message.created_at)
        )
    )


@blueprint.get("/case")
@applicant_required
def show_status() -> str:
    case = applicant_case()
    messages = _messages()
    unread = sum(
        1 for m in messages if m.direction == MessageDirection.TO_APPLICANT and m.read_at is None
    )
    return render_template(
        "apply/status.html",
        case=case,
        reference=codes.grouped(case.reference),
        just_submitted=bool(request.args.get("submitted")),
        receipt_available=receipt.available(case),
        unread=unread,
        can_withdraw=can_move(case, CaseStatus.WITHDRAWN),
        open=case.status not in CLOSED and case.status != CaseStatus.DRAFT,
        form=ConfirmForm(),
    )


@blueprint.route("/case/messages", methods=["GET", "POST"])
@keeps_typed_answers
@applicant_required
def show_messages() -> Any:
    case = applicant_case()
    if case.status == CaseStatus.DRAFT:  # nothing to write about before the application
        return redirect(url_for("apply.show_tasks"))
    messages = _messages()
    form = MessageForm()
    rejected = None
    if case.status not in CLOSED and form.validate_on_submit():
        upload = request.files.get("file")
        clean = None
        if upload and upload.filename:
            limit = current_app.config["PORTAL_UPLOAD_MAX_BYTES"]
            try:
                # An attachment is one of the case's files, as an upload is.
                if len(uploaded_documents(case)) >= current_app.config["PORTAL_UPLOAD_MAX_FILES"]:
                    raise UploadRejected("too_many")
                clean = check_upload(upload.stream, max_bytes=limit)
            except UploadRejected as rejection:
                rejected = rejection.reason
        if rejected is None:
            questions = [m for m in messages if m.is_information_request]
            message = services.reply_to_consulate(
                db.session,
                case,
                form.body.data.strip(),
                in_reply_to=questions[-1] if questions else None,
            )
            if clean is not None and upload is not None:
                services.add_document(
                    db.session,
                    case,
                    kind=DocumentKind.OTHER,
                    filename=upload.filename or "",
                    clean=clean,
                    store=blob_store(),
                    message=message,
                )
            return redirect(url_for("apply.show_messages"))
    services.mark_read(db.session, messages)
    questions = [
        m
        for m in messages
        if m.is_information_request and m.direction == MessageDirection.TO_APPLICANT
    ]
    page, status = form_page(
        "apply/messages.html",
        form,
        messages=messages,
        # The question waiting for an answer, which shows its deadline.
        asking=questions[-1] if questions and case.status == CaseStatus.INFO_REQUESTED else None,
        case=case,
        closed=case.status in CLOSED,
        rejected=rejected,
        # Limits, in refusals too, written in the digits of the page's language.
        max_megabytes=local_number(current_app.config["PORTAL_UPLOAD_MAX_BYTES"] // (1024 * 1024)),
        max_files=local_number(current_app.config["PORTAL_UPLOAD_MAX_FILES"]),
    )
    return page, 400 if rejected else status


@blueprint.route("/case/family/new", methods=["GET", "POST"])
@keeps_typed_answers
@applicant_required
def add_family_since() -> Any:
    """A spouse married or a child born since the application was sent."""
    case = applicant_case()
    if case.status == CaseStatus.DRAFT:
        return redirect(url_for("apply.add_family_member"))
    if case.status in CLOSED:
        return redirect(url_for("apply.show_status"))
    form = FamilyMemberForm()
    form.relation.choices = options(
        [pair for pair in choices.RELATIONSHIPS if pair[0] in NEW_SINCE_SUBMISSION]
    )
    offered = offer_latin_spelling(form)
    if offered is not None:
        return form_page(
            "apply/family_member.html", form, back="apply.show_status", offered=offered
        )
    warnings: list[Any] = []
    if form.validate_on_submit():
        values = member_values(form)
        warnings = to_confirm(form, member_warnings(case, values))
        if not warnings:
            services.add_family_member(db.session, case, **values)
            return redirect(url_for("apply.show_status"))
    return form_page("apply/family_member.html", form, back="apply.show_status", warnings=warnings)


@blueprint.route("/case/withdraw", methods=["GET", "POST"])
@keeps_typed_answers
@applicant_required
def withdraw_application() -> Any:
    case = applicant_case()
    if not can_move(case, CaseStatus.WITHDRAWN):
        return redirect(url_for("apply.show_status"))
    form = ConfirmForm()
    if form.validate_on_submit():
        services.withdraw_case(db.session, case)
        return redirect(url_for("apply.show_status"))
    return render_template("apply/withdraw.html", form=form)
