"""What staff do to a case. Each takes the actor and the case, refuses what is not allowed
with a clear error, writes the audit event, and commits."""

import uuid

from sqlalchemy import select

from portal.accounts.models import Role, StaffUser
from portal.cases.custody import open_staff_key, open_with_intake_key
from portal.cases.lifecycle import transition
from portal.cases.models import Case, Decision, Employment, Message, Note
from portal.cases.states import (
    ActorKind,
    CaseStatus,
    DecisionOutcome,
    DecisionState,
    MessageDirection,
)
from portal.core.audit import record_event
from portal.core.db import DbSession, utcnow

STAFF = ActorKind.STAFF


class ActionRefused(ValueError):
    """An action that is not allowed now; ``code`` names why, for a translated message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def open_for_review(session: DbSession, case: Case, actor: StaffUser) -> Case:
    """Unlock a case to show it; every opening is in the audit trail."""
    open_with_intake_key(session, case, actor_kind=STAFF, actor_id=actor.id, purpose="review")
    open_staff_key(session, case, actor_kind=STAFF, actor_id=actor.id)
    record_event(session, "case.viewed", actor_kind=STAFF, actor_id=actor.id, case_id=case.id)
    session.commit()
    return case


def assign(session: DbSession, case: Case, actor: StaffUser, assignee: StaffUser | None) -> None:
    if assignee is not None and not assignee.role_names & {Role.CASEWORKER, Role.DECIDER}:
        raise ActionRefused("not_a_caseworker")
    case.assignee_id = assignee.id if assignee else None
    record_event(
        session,
        "case.assigned",
        actor_kind=STAFF,
        actor_id=actor.id,
        case_id=case.id,
        assignee=str(assignee.id) if assignee else "",
    )
    session.commit()


def add_note(session: DbSession, case: Case, actor: StaffUser, body: str) -> Note:
    note = Note(case=case, author_id=actor.id)
    note.body = body
    session.add(note)
    record_event(session, "case.note_added", actor_kind=STAFF, actor_id=actor.id, case_id=case.id)
    session.commit()
    return note


def request_information(session: DbSession, case: Case, actor: StaffUser, question: str) -> None:
    """A question the applicant sees and answers; the case waits for the answer."""
    if case.status != CaseStatus.IN_REVIEW:
        raise ActionRefused("not_in_review")
    message = Message(
        case=case,
        direction=MessageDirection.TO_APPLICANT,
        author_id=actor.id,
        is_information_request=True,
    )
    message.body = question
    session.add(message)
    transition(session, case, CaseStatus.INFO_REQUESTED, actor_kind=STAFF, actor_id=actor.id)
    session.commit()


def confirm_employment(session: DbSession, case: Case, actor: StaffUser, job: Employment) -> None:
    job.confirmed_at, job.confirmed_by_id = utcnow(), actor.id
    record_event(
        session,
        "case.employment_confirmed",
        actor_kind=STAFF,
        actor_id=actor.id,
        case_id=case.id,
        employment=str(job.id),
    )
    session.commit()


def open_decision(session: DbSession, case: Case) -> Decision | None:
    return session.scalar(
        select(Decision).where(
            Decision.case_id == case.id, Decision.state == DecisionState.PROPOSED
        )
    )


def propose_decision(
    session: DbSession, case: Case, actor: StaffUser, outcome: DecisionOutcome, reasons: str
) -> Decision:
    if case.status != CaseStatus.IN_REVIEW:
        raise ActionRefused("not_in_review")
    decision = Decision(case=case, outcome=outcome, proposed_by_id=actor.id)
    decision.reasons = reasons
    session.add(decision)
    transition(
        session,
        case,
        CaseStatus.DECISION_PROPOSED,
        actor_kind=STAFF,
        actor_id=actor.id,
        outcome=str(outcome),
    )
    session.commit()
    return decision


def _pending(session: DbSession, case: Case, actor: StaffUser, decision_id: uuid.UUID) -> Decision:
    decision = open_decision(session, case)
    if decision is None or decision.id != decision_id:
        raise ActionRefused("no_open_decision")  # decided already, perhaps in another tab
    if decision.proposed_by_id == actor.id:
        raise ActionRefused("four_eyes")  # a second pair of eyes, never the same person
    return decision


def _settle(
    session: DbSession, case: Case, actor: StaffUser, decision_id: uuid.UUID, *, confirm: bool
) -> None:
    decision = _pending(session, case, actor, decision_id)
    decision.decided_by_id, decision.decided_at = actor.id, utcnow()
    decision.state = DecisionState.CONFIRMED if confirm else DecisionState.RETURNED
    if not confirm:
        target = CaseStatus.IN_REVIEW
    elif decision.outcome == DecisionOutcome.ADMIT:
        target = CaseStatus.ADMITTED
    else:
        target = CaseStatus.REJECTED
    transition(
        session, case, target, actor_kind=STAFF, actor_id=actor.id, decision=str(decision.id)
    )
    session.commit()


def confirm_decision(
    session: DbSession, case: Case, actor: StaffUser, decision_id: uuid.UUID
) -> None:
    _settle(session, case, actor, decision_id, confirm=True)


def return_decision(
    session: DbSession, case: Case, actor: StaffUser, decision_id: uuid.UUID
) -> None:
    _settle(session, case, actor, decision_id, confirm=False)


def record_step(session: DbSession, case: Case, actor: StaffUser, target: CaseStatus) -> None:
    """Visa issued, arrived: facts recorded after the decision."""
    if target not in (CaseStatus.VISA_ISSUED, CaseStatus.ARRIVED):
        raise ActionRefused("not_a_step")
    transition(session, case, target, actor_kind=STAFF, actor_id=actor.id)
    session.commit()


def reopen(session: DbSession, case: Case, actor: StaffUser, reason: str) -> None:
    if case.status != CaseStatus.REJECTED:
        raise ActionRefused("not_rejected")
    add_note(session, case, actor, reason)
    transition(
        session, case, CaseStatus.IN_REVIEW, actor_kind=STAFF, actor_id=actor.id, why="reopened"
    )
    session.commit()
