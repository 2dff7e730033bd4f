"""What staff do to a case: the one seam every staff action goes through.

Each function takes the acting ``StaffUser`` and the case, checks one ``Permission`` with
``authorize`` first, refuses what is not allowed with ``ActionRefused`` before it changes
anything, makes the change with its audit event, and flushes. None of them commits: the
request commits once at its end, or rolls back as a whole.
"""

import uuid
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from portal.accounts.models import StaffUser
from portal.cases import deadlines
from portal.cases.custody import open_staff_key, open_with_intake_key
from portal.cases.labels import lazy_label
from portal.cases.lifecycle import can_move, hand_over, transition
from portal.cases.models import (
    Case,
    CaseExport,
    Decision,
    Employment,
    Message,
    Note,
    RiskAssessment,
)
from portal.cases.states import (
    ActorKind,
    CaseStatus,
    DecisionOutcome,
    DecisionState,
    MessageDirection,
    ScreeningStatus,
    ThreatLevel,
)
from portal.core.audit import AuditEvent, record_event
from portal.core.db import DbSession, utcnow
from portal.core.i18n import _ls
from portal.core.permissions import Permission as P
from portal.core.permissions import authorize, permitted
from portal.core.refusal import ActionRefused
from portal.intake import assessments
from portal.intake import reasons as R
from portal.intake.failures import retry_job
from portal.review import budgets

STAFF = ActorKind.STAFF
MAX_STAFF_REASON = 2000
ALERTS_PAGE = 100
# Staff record what they found; "pending" and "failed" are the intake's to set.
STAFF_SCREENING_STATUSES = frozenset(
    {ScreeningStatus.CLEAR, ScreeningStatus.CONCERN, ScreeningStatus.HIT}
)


def _unlock(session: DbSession, case: Case, actor: StaffUser, purpose: str = "review") -> None:
    """Unlock a case's keys for ``actor``; each unwrap is an audited decryption."""
    open_with_intake_key(session, case, actor_kind=STAFF, actor_id=actor.id, purpose=purpose)
    open_staff_key(session, case, actor_kind=STAFF, actor_id=actor.id)


def open_for_review(session: DbSession, case: Case, actor: StaffUser) -> Case:
    """Unlock a case to show it; every opening is in the audit trail, and a case not
    opened in the last hour counts against the actor's budget (``budgets.BudgetExceeded``
    past it). The case screen, a document download and an export all come through here."""
    authorize(actor, P.CASE_READ)
    budgets.check_opening(session, actor, case)
    _unlock(session, case, actor)
    record_event(session, "case.viewed", actor_kind=STAFF, actor_id=actor.id, case_id=case.id)
    return case


def record_download(
    session: DbSession, case: Case, actor: StaffUser, document_id: uuid.UUID
) -> None:
    """A document is about to be decrypted for ``actor``: unlock its case, audit it."""
    authorize(actor, P.DOCUMENT_READ)
    open_for_review(session, case, actor)
    record_event(
        session,
        "document.downloaded",
        actor_kind=STAFF,
        actor_id=actor.id,
        case_id=case.id,
        document=str(document_id),
    )


def export(session: DbSession, case: Case, actor: StaffUser, reason: str) -> CaseExport:
    """One case for the printable export, with the reason it is needed; there is
    deliberately no export of many. Counts against the export budget and, if the case was
    not opened in the last hour, against the budget of cases opened."""
    authorize(actor, P.CASE_EXPORT)
    text = _staff_reason(reason)
    budgets.check_export(session, actor, case)
    open_for_review(session, case, actor)
    made = CaseExport(id=uuid.uuid4(), case=case, exported_by_id=actor.id)
    made.reason = text  # sealed with the staff key, which open_for_review unlocked
    session.add(made)
    # The reason may name people: the event names only the row that holds it.
    record_event(
        session,
        budgets.EXPORTED,
        actor_kind=STAFF,
        actor_id=actor.id,
        case_id=case.id,
        export=str(made.id),
    )
    return made


def read_alerts(
    session: DbSession, actor: StaffUser, before: int | None
) -> tuple[list[AuditEvent], int]:
    """The insider budgets' breaches, newest first, for administrators and security
    officers, and the id after which they are new to ``actor``. Looking is audited, and
    clears the count in the viewer's navigation."""
    authorize(actor, P.ALERTS_READ)
    seen = budgets.last_seen(session, actor.id)
    # Recorded before the breaches are read: it holds the chain lock, so none can land
    # unseen in between.
    record_event(session, budgets.ALERTS_SEEN, actor_kind=STAFF, actor_id=actor.id)
    return budgets.breaches(session, before, ALERTS_PAGE), seen


def assign(session: DbSession, case: Case, actor: StaffUser, assignee: StaffUser | None) -> None:
    authorize(actor, P.CASE_ASSIGN)
    if assignee is not None and not permitted(assignee, P.CASE_HOLD):
        raise ActionRefused(_ls("Cases are assigned to active caseworkers or deciders only."))
    hand_over(session, case, assignee.id if assignee else None, actor_kind=STAFF, actor_id=actor.id)


def _note(session: DbSession, case: Case, actor: StaffUser, body: str) -> Note:
    note = Note(case=case, author_id=actor.id)
    note.body = body  # sealed with the staff key, which the caller unlocked
    session.add(note)
    record_event(session, "case.note_added", actor_kind=STAFF, actor_id=actor.id, case_id=case.id)
    return note


def add_note(session: DbSession, case: Case, actor: StaffUser, body: str) -> Note:
    authorize(actor, P.CASE_NOTE)
    _unlock(session, case, actor)
    return _note(session, case, actor, body)


def _answer_due(days: int | None) -> datetime:
    """The deadline ``days`` days from today (the configured default if None)."""
    if days is None:
        days = current_app.config["PORTAL_INFO_REQUEST_DAYS"]
    if not deadlines.MIN_DAYS <= days <= deadlines.MAX_DAYS:
        raise ActionRefused(
            _ls(
                "Give the applicant between %(least)s and %(most)s days to answer.",
                least=deadlines.MIN_DAYS,
                most=deadlines.MAX_DAYS,
            )
        )
    return deadlines.answer_due(days, utcnow())


def request_information(
    session: DbSession, case: Case, actor: StaffUser, question: str, days: int | None = None
) -> Message:
    """A question the applicant sees and answers by a deadline ``days`` days from today;
    the case waits for the answer."""
    authorize(actor, P.CASE_REQUEST_INFO)
    if case.status != CaseStatus.IN_REVIEW:
        raise ActionRefused(_ls("Only a case under review can do this."))
    due = _answer_due(days)
    _unlock(session, case, actor)
    message = Message(
        case=case,
        direction=MessageDirection.TO_APPLICANT,
        author_id=actor.id,
        is_information_request=True,
    )
    message.body = question
    session.add(message)
    transition(
        session,
        case,
        CaseStatus.INFO_REQUESTED,
        actor_kind=STAFF,
        actor_id=actor.id,
        due=due.date().isoformat(),
    )
    deadlines.set_deadline(case, message, due)
    return message


def remind_applicant(
    session: DbSession, case: Case, actor: StaffUser, days: int | None = None
) -> Message:
    """Remind the applicant of the open question, in their language, with a new deadline
    ``days`` days from today. The reminder is a request of its own that refers to the
    question, so their answer to either answers both."""
    authorize(actor, P.CASE_REQUEST_INFO)
    question = deadlines.open_request(session, case)
    if question is None:
        raise ActionRefused(_ls("There is no open question to remind the applicant of."))
    due = _answer_due(days)
    _unlock(session, case, actor)
    reminder = Message(
        id=uuid.uuid4(),  # the event names it
        case=case,
        direction=MessageDirection.TO_APPLICANT,
        author_id=actor.id,
        is_information_request=True,
        in_reply_to_id=question.id,
    )
    reminder.body = deadlines.reminder_text(case.language)
    session.add(reminder)
    deadlines.set_deadline(case, reminder, due)
    # The event names the reminder's row and the new deadline, never its words.
    record_event(
        session,
        "case.reminded",
        actor_kind=STAFF,
        actor_id=actor.id,
        case_id=case.id,
        message=str(reminder.id),
        due=due.date().isoformat(),
    )
    return reminder


def confirm_employment(
    session: DbSession, case: Case, actor: StaffUser, job_id: uuid.UUID
) -> Employment:
    """The employer confirmed one of the case's jobs."""
    authorize(actor, P.EMPLOYMENT_CONFIRM)
    job = next((job for job in case.employments if job.id == job_id), None)
    if job is None:
        raise ActionRefused(_ls("This step cannot be recorded."))
    job.confirmed_at, job.confirmed_by_id = utcnow(), actor.id
    record_event(
        session,
        "case.employment_confirmed",
        actor_kind=STAFF,
        actor_id=actor.id,
        case_id=case.id,
        employment=str(job.id),
    )
    return job


def _staff_reason(text: str) -> str:
    text = text.strip()
    if not text or len(text) > MAX_STAFF_REASON:
        raise ActionRefused(
            _ls("Give a reason of at most %(limit)s characters.", limit=MAX_STAFF_REASON)
        )
    return text


def set_threat_level(
    session: DbSession, case: Case, actor: StaffUser, level: ThreatLevel, reason: str
) -> RiskAssessment:
    """Set the threat to the applicant, with a reason, as a new assessment in force."""
    authorize(actor, P.RISK_SET)
    if level == case.threat_level:
        raise ActionRefused(_ls("The threat level is already %(level)s.", level=lazy_label(level)))
    return _set_level(
        session, case, actor, reason, R.STAFF_THREAT_LEVEL, "case.threat_level_set",
        threat_level=level,
    )  # fmt: skip


def set_screening_status(
    session: DbSession, case: Case, actor: StaffUser, status: ScreeningStatus, reason: str
) -> RiskAssessment:
    """A security officer records what the screening found (clear, concern, hit)."""
    authorize(actor, P.SCREENING_SET)
    if status not in STAFF_SCREENING_STATUSES:
        raise ActionRefused(
            _ls("The screening status cannot be set to %(status)s.", status=lazy_label(status))
        )
    if status == case.screening_status:
        raise ActionRefused(
            _ls("The screening status is already %(status)s.", status=lazy_label(status))
        )
    return _set_level(
        session, case, actor, reason, R.STAFF_SCREENING_STATUS, "case.screening_status_set",
        screening_status=status,
    )  # fmt: skip


def _set_level(
    session: DbSession,
    case: Case,
    actor: StaffUser,
    reason: str,
    code: str,
    action: str,
    **level: ThreatLevel | ScreeningStatus,
) -> RiskAssessment:
    """The threat level or the screening status set from whatever it is now."""
    ((name, value),) = level.items()
    params = {"old": str(getattr(case, name)), "new": str(value)}
    return _reassess(
        session, case, actor, reason, R.Reason(code, params=params), action, params, **level
    )


def adjust_priority(
    session: DbSession, case: Case, actor: StaffUser, points: int, reason: str
) -> RiskAssessment:
    """Add (or take away) priority points, shown as one more line of the rubric."""
    authorize(actor, P.PRIORITY_ADJUST)
    if points == 0:
        raise ActionRefused(_ls("An adjustment of 0 points changes nothing."))
    return _reassess(
        session, case, actor, reason, R.Reason(R.STAFF_PRIORITY, points=points),
        "case.priority_adjusted", {"points": str(points)},
    )  # fmt: skip


def _reassess(
    session: DbSession,
    case: Case,
    actor: StaffUser,
    reason: str,
    change: R.Reason,
    action: str,
    event: dict[str, str],
    **levels: ThreatLevel | ScreeningStatus,
) -> RiskAssessment:
    """A staff change of the risk assessment: the change as the rubric's last line, the
    staff member's own words sealed with it (the staff key is unlocked for that)."""
    text = _staff_reason(reason)
    open_staff_key(session, case, actor_kind=STAFF, actor_id=actor.id)
    assessment = assessments.record_staff_change(
        session, case, actor_id=actor.id, reason_text=text, change=change, **levels
    )
    record_event(session, action, actor_kind=STAFF, actor_id=actor.id, case_id=case.id, **event)
    return assessment


def open_decision(session: DbSession, case: Case) -> Decision | None:
    return session.scalar(
        select(Decision).where(
            Decision.case_id == case.id, Decision.state == DecisionState.PROPOSED
        )
    )


def _require_cleared_screening(case: Case) -> None:
    """No admission and no visa while a hit, a concern, a failed or a pending screening
    stands: a security officer clears it first, with a reason (``set_screening_status``).
    Two people agreeing on an admission do not replace the security check. The database
    refuses it too (a trigger, migration 0007)."""
    if case.screening_status != ScreeningStatus.CLEAR:
        raise ActionRefused(
            _ls(
                "Admission and a visa need a cleared screening (now: %(status)s): a security "
                "officer must clear it first.",
                status=lazy_label(case.screening_status),
            )
        )


def propose_decision(
    session: DbSession, case: Case, actor: StaffUser, outcome: DecisionOutcome, reasons: str
) -> Decision:
    authorize(actor, P.DECISION_PROPOSE)
    if case.status != CaseStatus.IN_REVIEW:
        raise ActionRefused(_ls("Only a case under review can do this."))
    if outcome == DecisionOutcome.ADMIT:  # a rejection needs no clearance
        _require_cleared_screening(case)
    _unlock(session, case, actor)
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
    return decision


def _settle(
    session: DbSession, case: Case, actor: StaffUser, decision_id: uuid.UUID, *, confirm: bool
) -> Decision:
    authorize(actor, P.DECISION_CONFIRM)
    decision = open_decision(session, case)
    if decision is None or decision.id != decision_id:
        # Decided already, perhaps in another tab.
        raise ActionRefused(
            _ls("There is no open proposal any more: it was decided in the meantime.")
        )
    if decision.proposed_by_id == actor.id:  # a second pair of eyes, never the same person
        raise ActionRefused(_ls("A proposal must be confirmed or returned by another person."))
    if confirm and decision.outcome == DecisionOutcome.ADMIT:  # the screening may have changed
        _require_cleared_screening(case)
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
    return decision


def confirm_decision(
    session: DbSession, case: Case, actor: StaffUser, decision_id: uuid.UUID
) -> Decision:
    return _settle(session, case, actor, decision_id, confirm=True)


def return_decision(
    session: DbSession, case: Case, actor: StaffUser, decision_id: uuid.UUID
) -> Decision:
    return _settle(session, case, actor, decision_id, confirm=False)


def record_visa(session: DbSession, case: Case, actor: StaffUser) -> None:
    """The visa was issued: a fact recorded after the decision."""
    authorize(actor, P.VISA_RECORD)
    if can_move(case, CaseStatus.VISA_ISSUED):  # else the state machine's own refusal
        _require_cleared_screening(case)
    transition(session, case, CaseStatus.VISA_ISSUED, actor_kind=STAFF, actor_id=actor.id)


def record_arrival(session: DbSession, case: Case, actor: StaffUser) -> None:
    """The person arrived in Germany: the end of the case."""
    authorize(actor, P.VISA_RECORD)
    transition(session, case, CaseStatus.ARRIVED, actor_kind=STAFF, actor_id=actor.id)


def reopen(session: DbSession, case: Case, actor: StaffUser, reason: str) -> Note:
    """A decider takes a rejected case back into review; the reason is kept as a note."""
    authorize(actor, P.CASE_REOPEN)
    if case.status != CaseStatus.REJECTED:
        raise ActionRefused(_ls("Only a rejected case can be reopened."))
    _unlock(session, case, actor)
    note = _note(session, case, actor, reason)
    transition(
        session, case, CaseStatus.IN_REVIEW, actor_kind=STAFF, actor_id=actor.id, why="reopened"
    )
    return note


def retry_intake(session: DbSession, actor: StaffUser, case_id: uuid.UUID) -> None:
    """An administrator gives a failed intake a fresh set of attempts."""
    authorize(actor, P.QUEUE_MANAGE)
    retry_job(session, case_id, actor_kind=STAFF, actor_id=actor.id)
