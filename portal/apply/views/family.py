"""Family members and periods of employment: lists with "add another"."""

from datetime import date
from typing import Any

from flask import abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal.apply import blueprint, choices, services
from portal.apply.access import applicant_case, draft_required
from portal.apply.forms import ConfirmForm, EmploymentForm, FamilyMemberForm
from portal.apply.latin_names import names_of, offer_latin_spelling
from portal.apply.pages import form_page
from portal.apply.plausibility import employment_warnings, family_member_warnings, to_confirm
from portal.cases.family import Member, judge
from portal.cases.models import Case, Employment, Person
from portal.cases.states import IdentityDocument, Relationship
from portal.core.dates import EnteredDate
from portal.core.forms import keeps_typed_answers
from portal.extensions import db


def _member_of(case: Case, person_id: str) -> Person:
    """A family member of the signed-in applicant's case, or 404 (never someone else's)."""
    for person in case.people:
        if str(person.id) == person_id and person.relation != Relationship.PRINCIPAL:
            return person
    abort(404)


def _job_of(case: Case, job_id: str) -> Employment:
    for job in case.employments:
        if str(job.id) == job_id:
            return job
    abort(404)


def verdicts(case: Case) -> list[tuple[Person, Any]]:
    principal = case.principal
    born = principal.birth_date if principal else None
    today = date.today()
    return [
        (
            person,
            judge(
                Member(person.relation, person.birth_date, person.marital_status == "married"),
                born,
                today,
            ),
        )
        for person in case.people
        if person.relation != Relationship.PRINCIPAL
    ]


@blueprint.get("/application/family")
@draft_required
def list_family() -> str:
    case = applicant_case()
    return render_template(
        "apply/family.html", members=verdicts(case), form=ConfirmForm(), choices=choices
    )


def member_warnings(case: Case, values: dict[str, Any]) -> list[Any]:
    """What looks unlikely about a family member and is not yet confirmed."""
    principal = case.principal
    born = principal.birth_date if principal else None
    return family_member_warnings(values["relation"], values["birth_date"], born, date.today())


def member_values(form: FamilyMemberForm) -> dict[str, Any]:
    without = form.identity_document.data == IdentityDocument.NONE
    return {
        "relation": Relationship(form.relation.data),
        **names_of(form),
        "birth_date": form.approximate_date(),
        "marital_status": form.marital_status.data,
        "lives_with_principal": form.lives_with_principal.data == "yes",
        "identity_document": IdentityDocument(form.identity_document.data),
        "document_number": None if without else form.document_number.data.strip(),
    }


@blueprint.route("/application/family/new", methods=["GET", "POST"])
@keeps_typed_answers
@draft_required
def add_family_member() -> Any:
    case = applicant_case()
    form = FamilyMemberForm()
    offered = offer_latin_spelling(form)
    if offered is not None:
        return form_page("apply/family_member.html", form, offered=offered)
    warnings: list[Any] = []
    if form.validate_on_submit():
        values = member_values(form)
        warnings = to_confirm(form, member_warnings(case, values))
        if not warnings:
            services.add_family_member(db.session, case, **values)
            return redirect(url_for("apply.list_family"))
    return form_page("apply/family_member.html", form, warnings=warnings)


@blueprint.route("/application/family/<person_id>", methods=["GET", "POST"])
@keeps_typed_answers
@draft_required
def edit_family_member(person_id: str) -> Any:
    case = applicant_case()
    person = _member_of(case, person_id)
    form = FamilyMemberForm(obj=person)
    if request.method == "GET":
        form.fill_date(person.birth_date)
        form.lives_with_principal.data = "yes" if person.lives_with_principal else "no"
    offered = offer_latin_spelling(form)
    if offered is not None:
        return form_page("apply/family_member.html", form, person=person, offered=offered)
    warnings: list[Any] = []
    if form.validate_on_submit():
        values = member_values(form)
        warnings = to_confirm(form, member_warnings(case, values))
        if not warnings:
            services.update_family_member(db.session, case, person, **values)
            return redirect(url_for("apply.list_family"))
    return form_page("apply/family_member.html", form, person=person, warnings=warnings)


@blueprint.post("/application/family/<person_id>/remove")
@draft_required
def remove_family_member(person_id: str) -> Response:
    case = applicant_case()
    person = _member_of(case, person_id)
    if ConfirmForm().validate_on_submit():
        services.remove_family_member(db.session, case, person)
    return redirect(url_for("apply.list_family"))


@blueprint.get("/application/employment")
@draft_required
def list_employment() -> str:
    case = applicant_case()
    return render_template(
        "apply/employment.html", jobs=case.employments, form=ConfirmForm(), choices=choices
    )


def _entered_text(entered: EnteredDate | None) -> str | None:
    return entered.to_text() if entered else None


def _job_values(form: EmploymentForm) -> dict[str, Any]:
    return {
        "employer": form.employer.data
        if form.employer.data != "other"
        else f"other:{form.employer_other.data.strip()}",
        "place": form.place.data.strip(),
        # As entered: "2012-03", or "SH:1391-01" in the Solar Hijri calendar.
        "started_on": _entered_text(form.entered("started")),
        "ended_on": _entered_text(form.entered("ended")),
        "role": form.role.data.strip(),
        "staff_number": (form.staff_number.data or "").strip() or None,
        "supervisor": (form.supervisor.data or "").strip() or None,
    }


def _fill_job(form: EmploymentForm, job: Employment) -> None:
    employer = job.employer or ""
    form.employer.data, _, form.employer_other.data = employer.partition(":")
    form.fill("started", job.started_on)
    form.fill("ended", job.ended_on)


def _job_warnings(form: EmploymentForm, values: dict[str, Any]) -> list[Any]:
    """What looks unlikely about a period of employment and is not yet confirmed."""
    return to_confirm(form, employment_warnings(values["started_on"], date.today()))


@blueprint.route("/application/employment/new", methods=["GET", "POST"])
@keeps_typed_answers
@draft_required
def add_employment() -> Any:
    form = EmploymentForm()
    warnings: list[Any] = []
    if form.validate_on_submit():
        values = _job_values(form)
        warnings = _job_warnings(form, values)
        if not warnings:
            services.add_employment(db.session, applicant_case(), **values)
            return redirect(url_for("apply.list_employment"))
    return form_page("apply/employment_job.html", form, warnings=warnings)


@blueprint.route("/application/employment/<job_id>", methods=["GET", "POST"])
@keeps_typed_answers
@draft_required
def edit_employment(job_id: str) -> Any:
    case = applicant_case()
    job = _job_of(case, job_id)
    form = EmploymentForm(obj=job)
    if request.method == "GET":
        _fill_job(form, job)
    warnings: list[Any] = []
    if form.validate_on_submit():
        values = _job_values(form)
        warnings = _job_warnings(form, values)
        if not warnings:
            services.update_employment(db.session, case, job, **values)
            return redirect(url_for("apply.list_employment"))
    return form_page("apply/employment_job.html", form, job=job, warnings=warnings)


@blueprint.post("/application/employment/<job_id>/remove")
@draft_required
def remove_employment(job_id: str) -> Response:
    case = applicant_case()
    job = _job_of(case, job_id)
    if ConfirmForm().validate_on_submit():
        services.remove_employment(db.session, case, job)
    return redirect(url_for("apply.list_employment"))
