"""How many cases each value of each queue filter would show, under the other filters.

Counted from the case tally (``portal.cases.models.tally``), which has a few hundred to a
few thousand rows however many cases there are, so the counts cost the same at a million
cases as at a hundred. With a waiting-time filter, the open cases that changed stage too
recently are taken off: those of the whole days after the boundary from the waiting tally
(open cases by the UTC day their stage began), those of the boundary's own day after the
boundary moment from ``case`` through ``ix_case_waiting``. Neither part reads the rows of
``case`` that change most (the recent ones), so neither depends on a freshly vacuumed
table; the second reads at most one day of cases that have waited nearly the whole time.
"""

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from portal.accounts.models import StaffUser
from portal.cases.models import Case, CaseTally, CaseWaitingTally
from portal.core.db import DbSession
from portal.review.queue import FACETS, Filters

FacetCounts = dict[str, Counter[str]]


def _grouped(
    session: DbSession, user: StaffUser, source: Any, measure: Any, *conditions: Any
) -> Iterator[tuple[tuple[str, ...], int]]:
    """``measure`` per combination of the facets' columns, the assignee told as "me",
    "none" or "other" (grouped by the raw column: PostgreSQL's statistics on the columns,
    migration 0005, then foresee a few hundred groups and hash them)."""
    columns = [
        source.status,
        source.programme,
        source.threat_level,
        source.screening_status,
        source.assignee_id,
    ]
    for *values, assignee, number in session.execute(
        select(*columns, measure).where(*conditions).group_by(*columns)
    ):
        whose = "me" if assignee == user.id else "none" if assignee is None else "other"
        yield (*(str(value) for value in values), whose), number


def _too_recent(
    session: DbSession, user: StaffUser, filters: Filters, since: datetime
) -> Iterator[tuple[tuple[str, ...], int]]:
    """The open cases that changed stage after ``since``, per combination, in two parts
    that add up exactly: the whole UTC days after ``since``'s own, and the rest of that day."""
    day = since.astimezone(UTC).date()
    midnight = datetime.combine(day + timedelta(days=1), time(), UTC)
    later_days = [
        *filters.conditions(user, CaseWaitingTally, facets=False),
        CaseWaitingTally.entered_on > day,
    ]
    yield from _grouped(
        session, user, CaseWaitingTally, func.sum(CaseWaitingTally.change), *later_days
    )
    rest_of_day = [
        *filters.conditions(user, Case, facets=False),
        Case.status_changed_at > since,
        Case.status_changed_at < midnight,
    ]
    yield from _grouped(session, user, Case, func.count(), *rest_of_day)


def _overdue_conditions(user: StaffUser, filters: Filters) -> list[Any]:
    found = filters.conditions(user, Case, facets=False)
    if filters.waiting_since is not None:
        found.append(Case.status_changed_at <= filters.waiting_since)
    return found


def facet_counts(session: DbSession, user: StaffUser, filters: Filters) -> FacetCounts:
    """For each facet and value, the cases that value would show, the rest of the filters kept."""
    combinations: Counter[tuple[str, ...]] = Counter()
    if filters.overdue:
        # A deadline passes without a row changing, so no tally can follow it: the
        # overdue cases are counted from ``case`` itself, through its two partial indexes.
        for combination, number in _grouped(
            session, user, Case, func.count(), *_overdue_conditions(user, filters)
        ):
            combinations[combination] += number
    else:
        tallied = filters.conditions(user, CaseTally, facets=False)
        for combination, number in _grouped(
            session, user, CaseTally, func.sum(CaseTally.change), *tallied
        ):
            combinations[combination] += number
        if filters.waiting_since is not None:
            for combination, number in _too_recent(session, user, filters, filters.waiting_since):
                combinations[combination] -= number

    wanted = filters.wanted()
    counts: FacetCounts = {facet: Counter() for facet in FACETS}
    for combination, number in combinations.items():
        if not number:  # a combination every case has left
            continue
        refused = [
            facet
            for facet, value in zip(FACETS, combination, strict=True)
            if wanted[facet] is not None and value not in wanted[facet]  # type: ignore[operator]
        ]
        # A value counts under the other filters: only its own facet may refuse it.
        for facet, value in zip(FACETS, combination, strict=True):
            if not refused or refused == [facet]:
                counts[facet][value] += number
    return counts
