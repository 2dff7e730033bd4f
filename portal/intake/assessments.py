"""Risk assessments: the intake's, and the changes staff make later, each with reasons.

The newest assessment of a case is the one in force (one rule: ``in_force``); its levels, status and score are
copied to the case's clear columns for the queue. Staff changes copy the reasons in force
and add their own, so the rubric stays visible next to the change.
"""

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select

from portal.cases.models import Case, RiskAssessment, in_force
from portal.cases.states import ActorKind, ScreeningStatus, ThreatLevel
from portal.core.db import DbSession, utcnow
from portal.intake.reasons import Reason


def latest_assessment(session: DbSession, case_id: uuid.UUID) -> RiskAssessment | None:
    """The case's assessment in force (``portal.cases.models.in_force``), if any."""
    return session.scalar(
        select(RiskAssessment).where(RiskAssessment.case_id == case_id, in_force())
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


def record_staff_change(
    session: DbSession,
    case: Case,
    *,
    actor_id: uuid.UUID,
    reason_text: str,
    change: Reason,
    **levels: Any,
) -> RiskAssessment:
    """A member of staff's change: a new assessment with the change as its last reason and
    their own words sealed with it. Who may make it is checked by the staff seam
    (``portal.review.services``); the case's staff key must be unlocked."""
    current = latest_assessment(session, case.id)
    return follow_up_assessment(
        session,
        case,
        current,
        source=ActorKind.STAFF,
        actor_id=actor_id,
        reasons=[*(current.reasons if current else []), change.as_json()],
        staff_reason={"actor_id": str(actor_id), "at": utcnow().isoformat(), "text": reason_text},
        **levels,
    )
