"""The one state machine every case moves through, and the one way a case changes hands.

Each move is made by ``transition()``, which refuses illegal moves, stamps the time,
writes the history row and the audit event in the caller's transaction; each change of
holder by ``hand_over()``, with its audit event.
"""

import uuid

from portal.cases.figures import record_move
from portal.cases.models import Case, CaseTransition
from portal.cases.states import ActorKind, CaseStatus
from portal.core.audit import record_event
from portal.core.db import DbSession, utcnow
from portal.core.i18n import _ls
from portal.core.refusal import ActionRefused

S = CaseStatus
CLOSED = frozenset({S.REJECTED, S.ARRIVED, S.WITHDRAWN})
ALLOWED: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.DRAFT: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.SCREENING}),
    S.SCREENING: frozenset({S.IN_REVIEW}),
    S.IN_REVIEW: frozenset({S.INFO_REQUESTED, S.DECISION_PROPOSED}),
    S.INFO_REQUESTED: frozenset({S.IN_REVIEW}),
    S.DECISION_PROPOSED: frozenset({S.ADMITTED, S.REJECTED, S.IN_REVIEW}),
    S.ADMITTED: frozenset({S.VISA_ISSUED}),
    S.VISA_ISSUED: frozenset({S.ARRIVED}),
    S.REJECTED: frozenset({S.IN_REVIEW}),  # reopened by a decider, with a reason
    S.ARRIVED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
# Withdrawing is possible from every state that is still open.
for _status in set(S) - CLOSED:
    ALLOWED[_status] = ALLOWED[_status] | {S.WITHDRAWN}


class IllegalTransitionError(ActionRefused):
    """A move the state machine does not allow from the case's current state."""

    def __init__(self, current: CaseStatus, target: CaseStatus) -> None:
        super().__init__(_ls("This step is not possible in the case's current state."))
        self.current, self.target = current, target


def can_move(case: Case, target: CaseStatus) -> bool:
    return target in ALLOWED[case.status]


def transition(
    session: DbSession,
    case: Case,
    target: CaseStatus,
    *,
    actor_kind: ActorKind,
    actor_id: uuid.UUID | None = None,
    **details: str,
) -> CaseTransition:
    if not can_move(case, target):
        raise IllegalTransitionError(case.status, target)
    now = utcnow()
    step = CaseTransition(
        case_id=case.id,
        from_status=case.status,
        to_status=target,
        at=now,
        actor_kind=actor_kind,
        actor_id=actor_id,
    )
    session.add(step)
    record_event(
        session,
        "case.status_changed",
        actor_kind=actor_kind,
        actor_id=actor_id,
        case_id=case.id,
        old=str(case.status),
        new=str(target),
        **details,
    )
    record_move(session, case, target, now)
    if case.status == S.INFO_REQUESTED:  # answered, withdrawn: no request is open any more
        case.answer_due_at = None
    # A withdrawal's open proposal is closed by the database (a trigger, migration 0020):
    # the public face, where applicants withdraw, may not touch decisions.
    case.status, case.status_changed_at, case.status_changed_by = target, now, actor_kind
    if target == S.SUBMITTED:
        case.submitted_at = now
    return step


def hand_over(
    session: DbSession,
    case: Case,
    assignee_id: uuid.UUID | None,
    *,
    actor_kind: ActorKind,
    actor_id: uuid.UUID | None = None,
    **cause: str,
) -> None:
    """Give ``case`` to ``assignee_id`` (None: back to the unassigned) with its
    ``case.assigned`` event. Who may do so, and to whom, is the caller's to check."""
    case.assignee_id = assignee_id
    record_event(
        session,
        "case.assigned",
        actor_kind=actor_kind,
        actor_id=actor_id,
        case_id=case.id,
        assignee=str(assignee_id or ""),
        **cause,
    )
