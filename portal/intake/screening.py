"""Screening unlocked cases: checks, duplicates, watch list, priority, one assessment each.

Nothing is decided here: the outcome is a status (clear, concern, hit), a threat level and
a priority score, each with the reasons that produced them. Without a watch list in force a
case is not screened against one, and so it is never clear: a security officer looks.
"""

import uuid
from datetime import date, datetime
from typing import Any

from flask import current_app

from portal.cases.models import Case, RiskAssessment
from portal.cases.states import ScreeningStatus
from portal.core.db import DbSession, utcnow
from portal.intake import priority
from portal.intake import reasons as R
from portal.intake.assessments import forget_intake_assessments, record_intake_assessment
from portal.intake.checks import Window, run_checks
from portal.intake.duplicates import DuplicateResult, link_duplicates
from portal.intake.facts import CaseFacts
from portal.intake.indexing import IndexRow
from portal.intake.linked_cases import raise_linked_cases
from portal.intake.reasons import Reason
from portal.watchlist.matcher import WatchListMatcher, current_matcher


def programme_window() -> Window:
    config = current_app.config
    return Window(
        start=date.fromisoformat(config["PORTAL_LOCAL_STAFF_FROM"]),
        end=date.fromisoformat(config["PORTAL_LOCAL_STAFF_UNTIL"]),
    )


def _watchlist(
    facts: CaseFacts, matcher: WatchListMatcher | None
) -> tuple[list[Reason], dict[str, Any]]:
    """Reasons in clear (a score, no names) and the sealed details of every hit."""
    if matcher is None:
        return [Reason(R.WATCHLIST_MISSING)], {}
    hits: list[dict[str, Any]] = []
    for person in facts.people:
        for match in matcher.match(person.name_keys, person.born):
            hits.append(
                {
                    "person_id": str(person.id),
                    "entry_id": str(match.entry_id),
                    "reference": match.reference,
                    "listed_name": match.listed_name,
                    "name_score": match.name_score,
                    "birth": match.birth,
                    "score": match.score,
                }
            )
    details: dict[str, Any] = {"watchlist_version": matcher.version}
    if not hits:
        return [], details
    details["watchlist_hits"] = sorted(hits, key=lambda hit: -hit["score"])
    params = {
        "score": max(hit["score"] for hit in hits),
        "threshold": matcher.threshold,
        "version": matcher.version,
        "hits": len(hits),
    }
    return [Reason(R.WATCHLIST_HIT, params=params)], details


def screen_cases(
    session: DbSession,
    cases: list[Case],
    indexes: dict[uuid.UUID, list[IndexRow]],
    facts: dict[uuid.UUID, CaseFacts],
    *,
    now: datetime | None = None,
) -> dict[uuid.UUID, RiskAssessment]:
    """Screen cases whose staff keys are unlocked and whose blind indexes are fresh, from
    their facts, together: they are linked to each other as to any earlier case."""
    now = now or utcnow()
    linking = link_duplicates(session, cases, indexes)
    raise_linked_cases(session, linking)
    matcher = current_matcher(session)
    window = programme_window()
    forget_intake_assessments(session, indexes)
    return {
        case.id: _assess(
            session, case, facts[case.id], linking.results[case.id], matcher, window, now
        )
        for case in cases
    }


def _assess(
    session: DbSession,
    case: Case,
    facts: CaseFacts,
    duplicates: DuplicateResult,
    matcher: WatchListMatcher | None,
    window: Window,
    now: datetime,
) -> RiskAssessment:
    checks = run_checks(facts, today=now.date(), window=window)
    watch_reasons, details = _watchlist(facts, matcher)
    scored = priority.score(facts, now=now)
    codes = {reason.code for reason in watch_reasons}
    if R.WATCHLIST_HIT in codes:
        status = ScreeningStatus.HIT
    elif (
        R.WATCHLIST_MISSING in codes  # not screened against a list: a security officer looks
        or duplicates.concern
        or any(finding.concern for finding in checks.findings)
    ):
        status = ScreeningStatus.CONCERN
    else:
        status = ScreeningStatus.CLEAR
    case.identity_to_be_clarified = case.identity_to_be_clarified or checks.identity_to_be_clarified
    return record_intake_assessment(
        session,
        case,
        threat_level=scored.threat_level,
        screening_status=status,
        reasons=[
            *scored.reasons,
            *watch_reasons,
            *duplicates.reasons,
            *(finding.reason for finding in checks.findings),
        ],
        details={**details, "criteria": scored.sealed_details},
    )
