"""The task list, the sections about the principal applicant, checking and submitting."""

from collections.abc import Callable
from typing import Any

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal.apply import blueprint, choices, receipt, services
from portal.apply.access import applicant_case, draft_required
from portal.apply.forms import (
    BirthForm,
    ConfirmForm,
    ContactForm,
    DeclarationsForm,
    IdentityForm,
    NamesForm,
    RiskForm,
    StayForm,
    options,
)
from portal.apply.latin_names import names_of, offer_latin_spelling
from portal.apply.pages import form_page
from portal.apply.progress import ready_to_submit, sections, uploaded_documents
from portal.cases.states import IdentityDocument
from portal.core import codes
from portal.core.forms import PortalForm, keeps_typed_answers
from portal.extensions import db


def _edit(form: PortalForm, template: str, save: Callable[[], None], next_endpoint: str) -> Any:
    """Show a section's form; on a valid answer save it and go on (or back to the check)."""
    if form.validate_on_submit():
        save()
        if request.args.get("check"):
            return redirect(url_for("apply.show_check"))
        return redirect(url_for(next_endpoint))
    return form_page(template, form)


@blueprint.get("/application")
@draft_required
def show_tasks() -> str:
    case = applicant_case()
    return render_template(
        "apply/tasks.html",
        sections=sections(case),
        case=case,
        reference=codes.grouped(case.reference),
        ready=ready_to_submit(case),
        receipt_available=receipt.available(case),
    )


@blueprint.route("/application/names", methods=["GET", "POST"])
@keeps_typed_answers
@draft_required
def edit_names() -> Any:
    case = applicant_case()
    form = NamesForm(obj=case.principal)
    offered = offer_latin_spelling(form)
    if offered is not None:
        return form_page("apply/names.html", form, offered=offered)
    return _edit(
        form,
        "apply/names.html",
        lambda: services.save_principal(db.session, case, **names_of(form)),
        "apply.edit_birth",
    )


@blueprint.route("/application/birth", methods=["GET", "POST"])
@keeps_typed_answers
@draft_required
def edit_birth() -> Any:
    case = applicant_case()
    principal = case.principal
    form = BirthForm(obj=principal)
    form.nationality.choices = options(choices.countries())
    if request.method == "GET" and principal is not None and principal.place_of_birth:
        form.nationality.data = case.nationality
        form.fill_date(principal.birth_date)  # answered before: show it, "unknown" included

    def save() -> None:
        services.save_principal(
            db.session,
            case,
            birth_date=form.approximate_date(),
            place_of_birth=form.place_of_birth.data.strip(),
            nationality=form.nationality.data,
            marital_status=form.marital_status.data,
        )
        services.save_case(db.session, case, nationality=form.nationality.data)

    return _edit(form, "apply/birth.html", save, "apply.edit_stay")


@blueprint.route("/application/stay", methods=["GET", "POST"])
@keeps_typed_answers
@draft_required
def edit_stay() -> Any:
    case = applicant_case()
    form = StayForm(obj=case.principal)
    form.country_of_stay.choices = options(choices.countries())
    if request.method == "GET":
        form.country_of_stay.data = case.country_of_stay

    def save() -> None:
        services.save_principal(db.session, case, place_of_stay=form.place_of_stay.data.strip())
        services.save_case(db.session, case, country_of_stay=form.country_of_stay.data)

    return _edit(form, "apply/stay.html", save, "apply.edit_contact")


@blueprint.route("/application/contact", methods=["GET", "POST"])
@keeps_typed_answers
@draft_required
def edit_contact() -> Any:
    case = applicant_case()
    form = ContactForm(data=case.contact or {})
    fields = ("phone", "email", "messenger")
    return _edit(
        form,
        "apply/contact.html",
        lambda: services.save_case(
            db.session,
            case,
            contact={name: form[name].data.strip() for name in fields if form[name].data},
        ),
        "apply.show_tasks",
    )


@blueprint.route("/application/identity", methods=["GET", "POST"])
@keeps_typed_answers
@draft_required
def edit_identity() -> Any:
    case = applicant_case()
    form = IdentityForm(obj=case.principal)

    def save() -> None:
        without = form.identity_document.data == IdentityDocument.NONE
        services.save_principal(
            db.session,
            case,
            identity_document=IdentityDocument(form.identity_document.data),
            document_number=None if without else form.document_number.data.strip(),
            sworn_declaration=without,
            declaration_signature=form.declaration_signature.data.strip() if without else None,
        )
        services.save_case(db.session, case, identity_to_be_clarified=without)

    return _edit(form, "apply/identity.html", save, "apply.show_tasks")


@blueprint.route("/application/risk", methods=["GET", "POST"])
@keeps_typed_answers
@draft_required
def edit_risk() -> Any:
    case = applicant_case()
    form = RiskForm(obj=case)
    return _edit(
        form,
        "apply/risk.html",
        lambda: services.save_case(
            db.session,
            case,
            risk_profile=form.risk_profile.data,
            threat_description=form.threat_description.data.strip(),
        ),
        "apply.show_tasks",
    )


@blueprint.route("/application/declarations", methods=["GET", "POST"])
@keeps_typed_answers
@draft_required
def edit_declarations() -> Any:
    case = applicant_case()
    form = DeclarationsForm()
    return _edit(
        form,
        "apply/declarations.html",
        lambda: services.confirm_declarations(db.session, case),
        "apply.show_check",
    )


@blueprint.get("/application/check")
@draft_required
def show_check() -> str:
    case = applicant_case()
    return render_template(
        "apply/check.html",
        case=case,
        ready=ready_to_submit(case),
        form=ConfirmForm(),
        choices=choices,
        documents=uploaded_documents(case),
    )


@blueprint.post("/application/submit")
@draft_required
def submit_application() -> Response | str:
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("apply.show_check"))
    try:
        # The service checks completeness itself; checking here first read and decrypted
        # every section a second time.
        services.submit_case(db.session, applicant_case())
    except services.IncompleteError:
        return redirect(url_for("apply.show_check"))  # which says what is missing
    return redirect(url_for("apply.show_status", submitted=1))
