"""How many cases each value of each queue filter would show, under the other filters.

Counted from the case tally (``portal.cases.models.tally``), which has a few hundred to a
few thousand rows however many cases there are, so the counts cost the same at a million
cases as at a hundred: from its facet tally, a tenth as long, unless the queue is filtered
by nationality or country of stay. With a waiting-time filter, the open cases that changed
stage too recently are taken off: those of the whole days after the boundary from a
waiting tally (open cases by the UTC day their stage began, the weeks before last by week;
by the facets alone unless the queue is filtered by nationality or country of stay), those
of the boundary's own day after the boundary moment (and of the rest of its week, if that week is
folded) from ``case`` through ``ix_case_waiting``. Neither part reads the rows of ``case``
that change most (the recent ones), so neither depends on a freshly vacuumed table; the
second reads at most a week of cases that changed stage more than a week before.

The saved views are counted the same way: "overdue" as the service level's waiting time
plus the questions past their deadline (by the day they were due, from the answer-due
tally), "waiting for me to confirm" as the proposed cases less one's own proposals. Only
"answers received" is read from ``case``, one status's cases through a small index.
"""

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import String, func, select, type_coerce

from portal.accounts.models import StaffUser
from portal.cases.deadlines import SERVICE_LEVEL_STATUSES
from portal.cases.models import (
    Case,
    CaseAnswerDueTally,
    CaseFacetTally,
    CaseTally,
    CaseWaitingFacetTally,
    CaseWaitingTally,
)
from portal.cases.models.tally import FACET_COLUMNS
from portal.cases.states import CaseStatus
from portal.cases.tally import first_day_kept, monday
from portal.core.db import DbSession
from portal.review.queue import FACETS, VIEWS, Filters, own_proposal

FacetCounts = dict[str, Counter[str]]


def _grouped(
    session: DbSession, user: StaffUser, source: Any, measure: Any, *conditions: Any
) -> Iterator[tuple[tuple[str, ...], int]]:
    """``measure`` per combination of the facets' columns, the assignee told as "me",
    "none" or "other" (grouped by the raw column: PostgreSQL's statistics on the columns,
    migration 0005, then foresee a few hundred groups and hash them).

    Up to a thousand rows come back per count, so they are read through Core as plain
    strings: no ORM rows and no enum members, which took a tenth of the counts' time."""
    *facets, assignee = (getattr(source, name) for name in FACET_COLUMNS)
    facets = [type_coerce(facet, String) for facet in facets]
    statement = select(*facets, assignee, measure).where(*conditions).group_by(*facets, assignee)
    me = user.id
    for *values, assignee_id, number in session.connection().execute(statement):
        whose = "me" if assignee_id == me else "none" if assignee_id is None else "other"
        yield (*values, whose), number


def _first_whole_day(since: datetime, now: datetime) -> date:
    """The first day after ``since`` from which the waiting tallies' rows all lie after it.

    That is the next day, unless folding may have put ``since``'s day into its week (whose
    later days then lie in the same row): then the next Monday. Folding may run until
    tomorrow while the page is made, so the days tomorrow's folding keeps are the ones
    sure to be whole.
    """
    day = since.astimezone(UTC).date()
    next_day = day + timedelta(days=1)
    if next_day >= first_day_kept(now.astimezone(UTC).date() + timedelta(days=1)):
        return next_day
    return monday(day) + timedelta(days=7)


def _by_facets(filters: Filters) -> bool:
    """Whether the facet tallies suffice: they know no nationality or country of stay."""
    return filters.nationality is None and filters.country_of_stay is None


def _too_recent(
    session: DbSession,
    user: StaffUser,
    filters: Filters,
    since: datetime,
    stages: tuple[CaseStatus, ...] | None,
) -> Iterator[tuple[tuple[str, ...], int]]:
    """The open cases (of ``stages`` if given) that changed stage after ``since``, per
    combination, in two parts that add up exactly: from the waiting tally, those of the
    days from the first whole one on; from ``case``, those of the time before it."""
    first_whole = _first_whole_day(since, filters.now)
    # The facet tally is a third as long, but knows no nationality or country of stay.
    tally = CaseWaitingFacetTally if _by_facets(filters) else CaseWaitingTally
    whole_days = [
        *filters.conditions(user, tally, facets=False),
        *_of_stages(tally, stages),
        tally.entered_on >= first_whole,
    ]
    yield from _grouped(session, user, tally, func.sum(tally.change), *whole_days)
    before_them = [
        *filters.conditions(user, Case, facets=False),
        *_of_stages(Case, stages),
        Case.status_changed_at > since,
        Case.status_changed_at < datetime.combine(first_whole, time(), UTC),
    ]
    yield from _grouped(session, user, Case, func.count(), *before_them)


def _answers_overdue(
    session: DbSession, user: StaffUser, filters: Filters, waited: list[Any]
) -> Iterator[tuple[tuple[str, ...], int]]:
    """The questions whose answer is overdue, per combination: those due before today from
    the answer-due tally; those due earlier today from ``case`` through
    ``ix_case_answer_due``; those asked before deadlines were kept and waiting past the
    service level through ``ix_case_question_without_deadline``. With a waiting time as
    well, which the tally does not know, all of them from ``case``."""
    if waited:
        rows = [*filters.conditions(user, Case, facets=False), filters.late()[1], *waited]
        yield from _grouped(session, user, Case, func.count(), *rows)
        return
    today = filters.now.astimezone(UTC).date()
    before_today = [
        *filters.conditions(user, CaseAnswerDueTally, facets=False),
        CaseAnswerDueTally.due_on < today,
    ]
    yield from _grouped(
        session, user, CaseAnswerDueTally, func.sum(CaseAnswerDueTally.change), *before_today
    )
    midnight = datetime.combine(today, time(), UTC)
    # Two statements: each reads one small partial index (as one OR, the planner would
    # rather read every question it could not rule out by status).
    for not_tallied in (
        [Case.answer_due_at >= midnight, Case.answer_due_at < filters.now],
        [Case.answer_due_at.is_(None), Case.status_changed_at <= filters.overdue_since],
    ):
        rows = [
            *filters.conditions(user, Case, facets=False),
            Case.status == CaseStatus.INFO_REQUESTED,
            *not_tallied,
        ]
        yield from _grouped(session, user, Case, func.count(), *rows)


def _of_stages(source: Any, stages: tuple[CaseStatus, ...] | None) -> list[Any]:
    return [] if stages is None else [source.status.in_(stages)]


def _combinations(
    session: DbSession, user: StaffUser, filters: Filters
) -> Iterator[tuple[tuple[str, ...], int]]:
    """The cases under the filters that are not facets, per combination of the facets."""
    waited = (
        [] if filters.waiting_since is None else [Case.status_changed_at <= filters.waiting_since]
    )
    if filters.view == "answers":
        # Its condition is not in the tallies; the cases it asks for are few (one status's,
        # found in a small index), so they are counted in ``case``.
        rows = [
            *filters.conditions(user, Case, facets=False),
            *filters.view_conditions(user),
            *waited,
        ]
        yield from _grouped(session, user, Case, func.count(), *rows)
        return
    # Overdue is first a waiting time, the service level's (the longer of the two wins), in
    # the stages it judges; the questions whose answer is overdue are counted below.
    # Waiting for me to confirm is every proposed case less those I proposed myself.
    overdue, confirm = filters.view == "overdue", filters.view == "confirm"
    stages = SERVICE_LEVEL_STATUSES if overdue else VIEWS["confirm"].statuses if confirm else None
    tally = CaseFacetTally if _by_facets(filters) else CaseTally
    tallied = [*filters.conditions(user, tally, facets=False), *_of_stages(tally, stages)]
    yield from _grouped(session, user, tally, func.sum(tally.change), *tallied)
    boundaries = [filters.waiting_since] if filters.waiting_since is not None else []
    if overdue:
        boundaries.append(filters.overdue_since)
    if boundaries:
        for combination, number in _too_recent(session, user, filters, min(boundaries), stages):
            yield combination, -number
    if overdue:
        yield from _answers_overdue(session, user, filters, waited)
    if confirm:
        # One person's open proposals, found through ``ix_decision_waiting``.
        rows = [
            *filters.conditions(user, Case, facets=False),
            *_of_stages(Case, stages),
            own_proposal(user).exists(),
            *waited,
        ]
        for combination, number in _grouped(session, user, Case, func.count(), *rows):
            yield combination, -number


def facet_counts(session: DbSession, user: StaffUser, filters: Filters) -> FacetCounts:
    """For each facet and value, the cases that value would show, the rest of the filters kept."""
    combinations: Counter[tuple[str, ...]] = Counter()
    for combination, number in _combinations(session, user, filters):
        combinations[combination] += number

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


def total(counts: FacetCounts, filters: Filters) -> int:
    """How many cases the filters show: those of the chosen statuses."""
    return sum(counts["status"][status] for status in filters.statuses)
