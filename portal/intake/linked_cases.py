"""The other side of a duplicate link: earlier cases show what a later case linked to them.

Links are stored from both sides, so an earlier case's page lists a new link at once, and
its duplicate reasons are shown as they are now (``reasons_now``), counted from its links
when the page is read: a namesake applying later adds no assessment to an earlier case and
opens none of its keys.

What does change an earlier case is a new link that is a concern: it raises the case's
status from ``clear`` to ``concern``, in the same transaction as the link, with a new
assessment carrying on from the one in force (``source`` system) and an audit event. Only a
link this run added can do that, and only from ``clear``: a security officer who cleared a
case after seeing its links is not overruled by a rerun, and nothing here ever lowers a
status.
"""

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, select

from portal.cases.custody import INTERNAL, STAFF, open_staff_keys
from portal.cases.models import Case, KeyWrap, RiskAssessment, in_force
from portal.cases.states import ActorKind, ScreeningStatus
from portal.core.audit import record_event
from portal.core.db import DbSession
from portal.intake import reasons as R
from portal.intake.assessments import follow_up_assessment
from portal.intake.duplicates import (
    REASON_CODE,
    Link,
    Linking,
    documents_of,
    links_of,
    name_link_people,
    summarise,
)

DUPLICATE_CODES = frozenset({*REASON_CODE.values(), R.FAMILY_IN_OTHER_CASE})
# The reasons an intake assessment lists before its duplicates (screening._assess).
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


def reasons_now(
    session: DbSession, reasons: list[dict[str, Any]], links: list[Link]
) -> list[dict[str, Any]]:
    """An assessment's ``reasons`` with its duplicate reasons counted from ``links`` (the
    case's links as they are now), for staff to read."""
    documents = documents_of(session, name_link_people(links))
    duplicates, _concern = summarise(links, documents)
    return with_duplicates(reasons, (reason.as_json() for reason in duplicates))


def _clear_cases(
    session: DbSession, case_ids: set[uuid.UUID]
) -> list[tuple[Case, RiskAssessment, KeyWrap | None]]:
    """The clear, unshredded cases among ``case_ids``, each with its assessment in force
    and its staff key's wrap, in one query."""
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
            Case.screening_status == ScreeningStatus.CLEAR,
            in_force(),
        )
        .order_by(Case.id)
    )
    return [(case, assessment, wrap) for case, assessment, wrap in rows]


def raise_linked_cases(session: DbSession, linking: Linking) -> int:
    """Raise every clear case outside the batch that a new link of concern reaches; return
    how many. Run after ``link_duplicates``, before the commit."""
    new = linking.new_links
    concerned = {other for other, links in new.items() if summarise(links, linking.documents)[1]}
    raised = _clear_cases(session, concerned) if concerned else []
    if not raised:
        return 0
    links = links_of(session, [case.id for case, _a, _w in raised])
    # Carrying the sealed details on needs each case's staff key.
    open_staff_keys(
        session,
        [case for case, _a, _w in raised],
        actor_kind=ActorKind.SYSTEM,
        wraps={case.id: wrap for case, _a, wrap in raised if wrap is not None},
    )
    for case, current, _wrap in raised:
        follow_up_assessment(
            session,
            case,
            current,
            source=ActorKind.SYSTEM,
            reasons=reasons_now(session, current.reasons, links[case.id]),
            screening_status=ScreeningStatus.CONCERN,
        )
        record_event(
            session,
            "case.screening_updated",
            actor_kind=ActorKind.SYSTEM,
            case_id=case.id,
            cause="duplicate_link",
            linked_cases=" ".join(sorted({str(link.other_case_id) for link in new[case.id]})),
            old=str(ScreeningStatus.CLEAR),
            new=str(ScreeningStatus.CONCERN),
        )
    return len(raised)
