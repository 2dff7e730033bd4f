"""What the case screen puts first: the actions this person may take in this status, in
the order a caseworker takes them, and the sections the next step needs open."""

from portal.accounts.models import StaffUser
from portal.cases.models import Case, Decision, Message
from portal.cases.states import CaseStatus, MessageDirection, ScreeningStatus
from portal.core.permissions import Permission, permitted

# Actions by status, most pressing first; an action the person may take that is not listed
# for the status follows in the order of ``EVERY_ACTION``.
FIRST_BY_STATUS: dict[str, tuple[str, ...]] = {
    CaseStatus.IN_REVIEW: ("take", "screening", "propose", "question", "threat"),
    CaseStatus.INFO_REQUESTED: ("take", "note", "screening", "threat"),
    CaseStatus.DECISION_PROPOSED: ("settle", "screening", "note"),
    CaseStatus.ADMITTED: ("screening", "visa", "note"),
    CaseStatus.VISA_ISSUED: ("arrival", "note"),
    CaseStatus.REJECTED: ("reopen", "note"),
}
EVERY_ACTION = (
    "take", "settle", "visa", "arrival", "reopen", "screening", "propose", "question",
    "threat", "priority", "assign", "note",
)  # fmt: skip
# Sections of the case screen (``<details>``) the next step needs open, by status.
OPEN_BY_STATUS: dict[str, frozenset[str]] = {
    CaseStatus.IN_REVIEW: frozenset({"applicant", "work", "screening"}),
    CaseStatus.INFO_REQUESTED: frozenset({"messages"}),
    CaseStatus.DECISION_PROPOSED: frozenset({"screening", "notes"}),
    CaseStatus.ADMITTED: frozenset({"screening"}),
    CaseStatus.REJECTED: frozenset({"notes", "history"}),
}
DEFAULT_OPEN = frozenset({"applicant"})


def next_actions(case: Case, user: StaffUser, decision: Decision | None) -> tuple[str, ...]:
    """The actions ``user`` may take on ``case`` now, most pressing first."""

    def may(permission: Permission) -> bool:
        return permitted(user, permission)

    status = case.status
    unclear = case.screening_status != ScreeningStatus.CLEAR
    available = {
        # Taking an unassigned case is one click for whoever may hold it.
        "take": case.assignee_id is None
        and may(Permission.CASE_ASSIGN)
        and may(Permission.CASE_HOLD),
        "settle": decision is not None
        and may(Permission.DECISION_CONFIRM)
        and decision.proposed_by_id != user.id,
        "visa": status == CaseStatus.ADMITTED and may(Permission.VISA_RECORD),
        "arrival": status == CaseStatus.VISA_ISSUED and may(Permission.VISA_RECORD),
        "reopen": status == CaseStatus.REJECTED and may(Permission.CASE_REOPEN),
        "screening": may(Permission.SCREENING_SET),
        "propose": decision is None
        and status == CaseStatus.IN_REVIEW
        and may(Permission.DECISION_PROPOSE),
        "question": status == CaseStatus.IN_REVIEW and may(Permission.CASE_REQUEST_INFO),
        "threat": may(Permission.RISK_SET),
        "priority": may(Permission.PRIORITY_ADJUST),
        "assign": may(Permission.CASE_ASSIGN),
        "note": may(Permission.CASE_NOTE),
    }
    first = [
        action
        for action in FIRST_BY_STATUS.get(status, ())
        # A cleared screening is no longer the next step.
        if not (action == "screening" and not unclear)
    ]
    ordered = [*first, *(action for action in EVERY_ACTION if action not in first)]
    return tuple(action for action in ordered if available[action])


def open_sections(case: Case, messages: list[Message]) -> frozenset[str]:
    sections = OPEN_BY_STATUS.get(case.status, DEFAULT_OPEN)
    # An answer from the applicant is what the caseworker reads next.
    if messages and messages[-1].direction == MessageDirection.FROM_APPLICANT:
        sections = sections | {"messages"}
    return sections
