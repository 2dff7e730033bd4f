import uuid
from datetime import date
from typing import Any

from flask import render_template
from sqlalchemy import select

from portal.accounts.access import can, current_staff, requires
from portal.accounts.models import StaffUser
from portal.cases.family import Member, judge
from portal.cases.models import (
    CaseExport,
    CaseTransition,
    Document,
    Message,
    Note,
    RiskAssessment,
    newest_first,
)
from portal.cases.states import Relationship
from portal.core.audit import AuditEvent
from portal.core.permissions import Permission, permitted
from portal.extensions import db
from portal.intake.duplicates import links_of
from portal.intake.linked_cases import reasons_now
from portal.intake.reasons import describe
from portal.review import blueprint
from portal.review.budgets import BudgetExceeded
from portal.review.case_screen import next_actions, open_sections
from portal.review.details import screening_details
from portal.review.forms import ActionForms
from portal.review.services import open_decision, open_for_review
from portal.review.views.insiders import over_budget
from portal.review.visibility import load_case


def _rows(model: Any, case_id: object, *order: Any) -> list[Any]:
    return list(db.session.scalars(select(model).where(model.case_id == case_id).order_by(*order)))


@blueprint.get("/cases/<uuid:case_id>")
@requires(Permission.CASE_READ)
def show_case(case_id: uuid.UUID) -> Any:
    user = current_staff()
    try:
        case = open_for_review(db.session, load_case(user, case_id), user)
    except BudgetExceeded as refusal:
        return over_budget(refusal)
    principal = case.principal
    born = principal.birth_date if principal else None
    family = [
        (
            person,
            judge(
                Member(person.relation, person.birth_date, person.marital_status == "married"),
                born,
                date.today(),
            ),
        )
        for person in case.people
        if person.relation != Relationship.PRINCIPAL
    ]
    assessments = _rows(RiskAssessment, case.id, *newest_first())
    assessment = assessments[0] if assessments else None  # the one in force
    duplicates = links_of(db.session, [case.id])[case.id]
    staff = {s.id: s for s in db.session.scalars(select(StaffUser))}
    decision = open_decision(db.session, case)
    show_details = can(Permission.SCREENING_DETAILS_READ)
    messages = _rows(Message, case.id, Message.created_at)
    viewers = db.session.execute(
        select(AuditEvent.actor_id, AuditEvent.at)
        .where(AuditEvent.case_id == case.id, AuditEvent.action == "case.viewed")
        .order_by(AuditEvent.at.desc())
        .limit(50)
    ).all()
    return render_template(
        "review/case.html",
        case=case,
        principal=principal,
        family=family,
        assessment=assessment,
        # Duplicates as they are now: later cases may have linked to this one since.
        reasons=reasons_now(db.session, assessment.reasons, duplicates) if assessment else [],
        assessments=assessments,
        describe=describe,
        show_details=show_details,
        # Decrypted only for those who may read them (they may name a watch-list entry).
        details=screening_details(assessment.details, case.people, staff)
        if assessment and show_details
        else [],
        duplicates=duplicates,
        documents=_rows(Document, case.id, Document.created_at),
        messages=messages,
        notes=_rows(Note, case.id, Note.created_at),
        history=_rows(CaseTransition, case.id, CaseTransition.at),
        exports=_rows(CaseExport, case.id, CaseExport.created_at),
        decision=decision,
        staff=staff,
        viewers=viewers,
        forms=ActionForms(case),
        next_actions=next_actions(case, user, decision),
        open_sections=open_sections(case, messages),
        caseworkers=[s for s in staff.values() if permitted(s, Permission.CASE_HOLD)],
    )
