"""The other side of a duplicate link: earlier cases show what a later case linked to them.

Links are stored from both sides, so an earlier case's page lists a new link at once; its
screening reasons (and, for a link that is a concern, its status) follow here, in the
same transaction as the link. Each earlier case whose screening changes gets a new
assessment carrying on from the one in force (``source`` system), and an audit event.

Only a link this run added can raise a status, and only from ``clear`` to ``concern``:
a security officer who cleared a case after seeing its links is not overruled by a rerun,
and nothing here ever lowers a status. Counts in the reasons always follow the links.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, func, select

from portal.cases.custody import INTERNAL, STAFF, open_staff_keys
from portal.cases.models import Case, DuplicateLink, KeyWrap, RiskAssessment
from portal.cases.states import ActorKind, ScreeningStatus
from portal.core.audit import record_event
from portal.core.db import DbSession
from portal.intake import reasons as R
from portal.intake.assessments import follow_up_assessment
from portal.intake.duplicates import (
    REASON_CODE,
    DuplicateResult,
    Link,
    documents_of,
    name_link_people,
    summarise,
)

DUPLICATE_CODES = frozenset({*REASON_CODE.values(), R.FAMILY_IN_OTHER_CASE})
# The reasons an intake assessment lists before its duplicates (screening.screen_case).
BEFORE_DUPLICATES = frozenset(
    {
        R.RISK_PROFILE,
        R.RISK_PROFILE_MORE,
        R.WORK_EXPOSURE,
        R.WORK_YEARS,
        R.MINORS,
        R.UNACCOMPANIED_MINOR,
        R.ELDERLY,
        R.TIME_WAITING,
        R.WATCHLIST_HIT,
        R.WATCHLIST_MISSING,
    }
)
# Not screened yet, or given up on: the case's own job will see its links.
UNSCREENED = frozenset({ScreeningStatus.PENDING, ScreeningStatus.FAILED})


def with_duplicates(
    reasons: list[dict[str, Any]], duplicates: Iterable[dict[str, Any]]
) -> list[dict[str, Any]]:
    """``reasons`` with their duplicate reasons replaced, in the place they had."""
    kept: list[dict[str, Any]] = []
    at: int | None = None
    for reason in reasons:
        if reason["code"] in DUPLICATE_CODES:
            at = len(kept) if at is None else at
        else:
            kept.append(reason)
    if at is None:
        at = 1 + max((n for n, r in enumerate(kept) if r["code"] in BEFORE_DUPLICATES), default=-1)
    return [*kept[:at], *duplicates, *kept[at:]]


def _screened(
    session: DbSession, case_ids: set[uuid.UUID]
) -> tuple[dict[uuid.UUID, Case], dict[uuid.UUID, RiskAssessment], dict[uuid.UUID, KeyWrap]]:
    """The screened, unshredded cases among ``case_ids``, each with its assessment in force
    and its staff key's wrap (unwrapped only if the case changes), in one query."""
    newest = (
        select(func.max(RiskAssessment.created_at))
        .where(RiskAssessment.case_id == Case.id)
        .correlate(Case)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Case, RiskAssessment, KeyWrap)
        .join(RiskAssessment, RiskAssessment.case_id == Case.id)
        .outerjoin(
            KeyWrap,
            and_(KeyWrap.case_id == Case.id, KeyWrap.scope == STAFF, KeyWrap.method == INTERNAL),
        )
        .where(
            Case.id.in_(case_ids),
            Case.shredded_at.is_(None),
            Case.screening_status.not_in(UNSCREENED),
            RiskAssessment.created_at == newest,
        )
    )
    cases: dict[uuid.UUID, Case] = {}
    current: dict[uuid.UUID, RiskAssessment] = {}
    wraps: dict[uuid.UUID, KeyWrap] = {}
    for other, assessment, wrap in rows:
        cases[other.id] = other
        current.setdefault(other.id, assessment)  # two at the same instant: either
        if wrap is not None:
            wraps[other.id] = wrap
    return cases, current, wraps


def update_linked_cases(session: DbSession, case: Case, duplicates: DuplicateResult) -> int:
    """Bring every other case linked to ``case`` (now, or until this run) up to date with
    its links; return how many changed. Run after ``link_duplicates``, before the commit."""
    others = set(duplicates.linked_cases) - {case.id}
    if not others:
        return 0
    cases, current, wraps = _screened(session, others)
    if not current:
        return 0
    links: dict[uuid.UUID, list[Link]] = defaultdict(list)
    for row in session.execute(
        select(
            DuplicateLink.case_id,
            DuplicateLink.person_id,
            DuplicateLink.other_case_id,
            DuplicateLink.other_person_id,
            DuplicateLink.reason,
        ).where(DuplicateLink.case_id.in_(current))
    ):
        links[row.case_id].append(
            (row.person_id, row.other_case_id, row.other_person_id, row.reason)
        )
    new = {other: duplicates.new_links.get(other, ()) for other in current}
    people = name_link_people(
        [link for found in (*links.values(), *new.values()) for link in found]
    )
    documents = documents_of(session, people)
    changed: dict[uuid.UUID, tuple[list[dict[str, Any]], ScreeningStatus]] = {}
    for other_id, assessment in current.items():
        other = cases[other_id]
        found, _concern = summarise(links.get(other_id, ()), documents)
        reasons = with_duplicates(assessment.reasons, (reason.as_json() for reason in found))
        status = other.screening_status
        if (
            status == ScreeningStatus.CLEAR
            and new[other_id]
            and summarise(new[other_id], documents)[1]
        ):
            status = ScreeningStatus.CONCERN
        if reasons != assessment.reasons or status != other.screening_status:
            changed[other_id] = (reasons, status)
    if not changed:
        return 0
    # Carrying the sealed details on needs each case's staff key.
    open_staff_keys(
        session,
        [cases[other_id] for other_id in changed],
        actor_kind=ActorKind.SYSTEM,
        wraps=wraps,
    )
    for other_id, (reasons, status) in changed.items():
        other = cases[other_id]
        old = other.screening_status
        follow_up_assessment(
            session,
            other,
            current[other_id],
            source=ActorKind.SYSTEM,
            reasons=reasons,
            screening_status=status,
        )
        record_event(
            session,
            "case.screening_updated",
            actor_kind=ActorKind.SYSTEM,
            case_id=other_id,
            cause="duplicate_link",
            linked_case=str(case.id),
            old=str(old),
            new=str(status),
        )
    return len(changed)
