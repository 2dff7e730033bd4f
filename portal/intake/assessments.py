"""Risk assessments: the intake's, and the changes staff make later, each with reasons.

The newest assessment of a case is the one in force; its levels, status and score are
copied to the case's clear columns for the queue. Staff changes copy the reasons in force
and add their own, so the rubric stays visible next to the change.
"""

import uuid
from collections.abc import Iterable
from typing import Any

from flask_babel import LazyString
from sqlalchemy import delete, select

from portal.accounts.models import Role, StaffUser
from portal.cases.custody import open_staff_key
from portal.cases.labels import lazy_label
from portal.cases.models import Case, RiskAssessment
from portal.cases.states import ActorKind, ScreeningStatus, ThreatLevel
from portal.core.audit import record_event
from portal.core.db import DbSession, utcnow
from portal.core.i18n import _ls
from portal.intake import reasons as R
from portal.intake.reasons import Reason

MAX_STAFF_REASON = 2000
# Who may change what: the threat to a person is for anyone deciding the case; the
# security screening is for security officers, who alone see what it is based on.
MAY_SET_THREAT = frozenset({Role.CASEWORKER, Role.DECIDER, Role.SECURITY_OFFICER})
MAY_SET_SCREENING = frozenset({Role.SECURITY_OFFICER})
STAFF_SCREENING_STATUSES = frozenset(
    {ScreeningStatus.CLEAR, ScreeningStatus.CONCERN, ScreeningStatus.HIT}
)


class AssessmentError(ValueError):
    """The change was refused; ``str()`` of it says why, in the staff member's language."""

    def __init__(self, message: LazyString) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def latest_assessment(session: DbSession, case_id: uuid.UUID) -> RiskAssessment | None:
    return session.scalar(
        select(RiskAssessment)
        .where(RiskAssessment.case_id == case_id)
        # Two at one instant: the larger id, as the re-scoring takes it too.
        .order_by(RiskAssessment.created_at.desc(), RiskAssessment.id.desc())
        .limit(1)
    )


def _apply(case: Case, assessment: RiskAssessment) -> None:
    case.threat_level = assessment.threat_level
    case.screening_status = assessment.screening_status
    case.priority_score = assessment.priority_score


def forget_intake_assessments(session: DbSession, case_ids: Iterable[uuid.UUID]) -> None:
    """Remove the system's assessments of cases about to be screened again, so that a
    rerun (a retried job) leaves one intake assessment, not two."""
    session.execute(
        delete(RiskAssessment).where(
            RiskAssessment.case_id.in_(list(case_ids)), RiskAssessment.source == ActorKind.SYSTEM
        )
    )


def record_intake_assessment(
    session: DbSession,
    case: Case,
    *,
    threat_level: ThreatLevel,
    screening_status: ScreeningStatus,
    reasons: list[Reason],
    details: dict[str, Any],
) -> RiskAssessment:
    """The intake's assessment (after ``forget_intake_assessments`` of the case).

    The case's staff key must be unlocked: ``details`` may name a watch-list entry.
    """
    assessment = RiskAssessment(
        id=uuid.uuid4(),
        case=case,
        source=ActorKind.SYSTEM,
        threat_level=threat_level,
        screening_status=screening_status,
        priority_score=sum(reason.points for reason in reasons),
        reasons=[reason.as_json() for reason in reasons],
    )
    assessment.details = details
    session.add(assessment)
    _apply(case, assessment)
    return assessment


def _staff(session: DbSession, actor_id: uuid.UUID, allowed: frozenset[Role]) -> StaffUser:
    user = session.get(StaffUser, actor_id)
    if user is None or not user.active or not (user.role_names & (allowed | {Role.ADMIN})):
        raise AssessmentError(_ls("You may not make this change."))
    return user


def follow_up_assessment(
    session: DbSession,
    case: Case,
    current: RiskAssessment | None,
    *,
    source: ActorKind,
    reasons: list[dict[str, Any]],
    actor_id: uuid.UUID | None = None,
    staff_reason: dict[str, str] | None = None,
    **levels: Any,
) -> RiskAssessment:
    """A new assessment in force, carrying on from ``current``: its sealed details (plus a
    staff member's reason), the given reasons and levels, the case's levels otherwise.

    The case's staff key must be unlocked.
    """
    details: dict[str, Any] = dict(current.details or {}) if current else {}
    if staff_reason:
        details["staff_reasons"] = [*details.get("staff_reasons", []), staff_reason]
    assessment = RiskAssessment(
        id=uuid.uuid4(),
        case=case,
        source=source,
        actor_id=actor_id,
        threat_level=levels.get("threat_level", case.threat_level),
        screening_status=levels.get("screening_status", case.screening_status),
        priority_score=sum(int(reason.get("points", 0)) for reason in reasons),
        reasons=reasons,
    )
    # Why staff changed it may name people or sources: sealed with the staff key.
    assessment.details = details
    session.add(assessment)
    _apply(case, assessment)
    return assessment


def _staff_change(
    session: DbSession,
    case: Case,
    *,
    actor_id: uuid.UUID,
    reason_text: str,
    change: Reason,
    action: str,
    event: dict[str, str],
    **levels: Any,
) -> RiskAssessment:
    """One change by staff: a new assessment with the change as its last reason, the
    staff member's own words sealed with it, an audit event, and the commit."""
    reason_text = reason_text.strip()
    if not reason_text or len(reason_text) > MAX_STAFF_REASON:
        raise AssessmentError(
            _ls("Give a reason of at most %(limit)s characters.", limit=MAX_STAFF_REASON)
        )
    open_staff_key(session, case, actor_kind=ActorKind.STAFF, actor_id=actor_id)
    current = latest_assessment(session, case.id)
    assessment = follow_up_assessment(
        session,
        case,
        current,
        source=ActorKind.STAFF,
        actor_id=actor_id,
        reasons=[*(current.reasons if current else []), change.as_json()],
        staff_reason={"actor_id": str(actor_id), "at": utcnow().isoformat(), "text": reason_text},
        **levels,
    )
    record_event(
        session, action, actor_kind=ActorKind.STAFF, actor_id=actor_id, case_id=case.id, **event
    )
    session.commit()
    return assessment


def _set_level(
    session: DbSession,
    case: Case,
    name: str,
    value: ThreatLevel | ScreeningStatus,
    *,
    actor_id: uuid.UUID,
    reason: str,
    code: str,
    action: str,
    unchanged: LazyString,
) -> RiskAssessment:
    """Staff set the threat level or the screening status, from whatever it is now."""
    old = getattr(case, name)
    if value == old:
        raise AssessmentError(unchanged)
    params = {"old": str(old), "new": str(value)}
    return _staff_change(
        session,
        case,
        actor_id=actor_id,
        reason_text=reason,
        change=Reason(code, params=params),
        action=action,
        event=params,
        **{name: value},
    )


def set_threat_level(
    session: DbSession, case: Case, level: ThreatLevel, *, actor_id: uuid.UUID, reason: str
) -> RiskAssessment:
    """Staff set the threat to the applicant, with a reason; audited and committed."""
    _staff(session, actor_id, MAY_SET_THREAT)
    return _set_level(
        session,
        case,
        "threat_level",
        level,
        actor_id=actor_id,
        reason=reason,
        code=R.STAFF_THREAT_LEVEL,
        action="case.threat_level_set",
        unchanged=_ls("The threat level is already %(level)s.", level=lazy_label(level)),
    )


def set_screening_status(
    session: DbSession, case: Case, status: ScreeningStatus, *, actor_id: uuid.UUID, reason: str
) -> RiskAssessment:
    """A security officer sets the screening status (clear, concern, hit) with a reason."""
    _staff(session, actor_id, MAY_SET_SCREENING)
    if status not in STAFF_SCREENING_STATUSES:
        raise AssessmentError(
            _ls("The screening status cannot be set to %(status)s.", status=lazy_label(status))
        )
    return _set_level(
        session,
        case,
        "screening_status",
        status,
        actor_id=actor_id,
        reason=reason,
        code=R.STAFF_SCREENING_STATUS,
        action="case.screening_status_set",
        unchanged=_ls("The screening status is already %(status)s.", status=lazy_label(status)),
    )


def adjust_priority(
    session: DbSession, case: Case, points: int, *, actor_id: uuid.UUID, reason: str
) -> RiskAssessment:
    """Staff add (or take away) priority points, shown as one more line of the rubric."""
    _staff(session, actor_id, MAY_SET_THREAT)
    if points == 0:
        raise AssessmentError(_ls("An adjustment of 0 points changes nothing."))
    return _staff_change(
        session,
        case,
        actor_id=actor_id,
        reason_text=reason,
        change=Reason(R.STAFF_PRIORITY, points=points),
        action="case.priority_adjusted",
        event={"points": str(points)},
    )
