"""How many cases each value of each queue filter would show, under the other filters.

Counted from the case tally (``portal.cases.models.tally``), which has a few hundred to a
few thousand rows however many cases there are, so the counts cost the same at a million
cases as at a hundred. The tally keeps no times: with a waiting-time filter, the open
cases that changed stage too recently are counted in ``case`` itself (from the
``ix_case_waiting`` index alone, on PostgreSQL) and taken off. That part costs what the
open cases that changed stage within the waiting time cost, not the whole queue.
"""

from collections import Counter
from typing import Any

from sqlalchemy import ColumnElement, case, func, select

from portal.accounts.models import StaffUser
from portal.cases.models import Case, CaseTally
from portal.core.db import DbSession
from portal.review.queue import FACETS, Filters

FacetCounts = dict[str, Counter[str]]


def _facet_columns(source: Any, user: StaffUser) -> list[ColumnElement[str]]:
    """One column per ``FACETS`` entry, the assignee told as "me", "none" or "other"."""
    whose = case(
        (source.assignee_id == user.id, "me"),
        (source.assignee_id.is_(None), "none"),
        else_="other",
    )
    return [source.status, source.programme, source.threat_level, source.screening_status, whose]


def facet_counts(session: DbSession, user: StaffUser, filters: Filters) -> FacetCounts:
    """For each facet and value, the cases that value would show, the rest of the filters kept."""
    combinations: Counter[tuple[str, ...]] = Counter()
    columns = _facet_columns(CaseTally, user)
    for *key, number in session.execute(
        select(*columns, func.sum(CaseTally.change))
        .where(*filters.conditions(user, CaseTally, facets=False))
        .group_by(*columns)
    ):
        combinations[tuple(str(value) for value in key)] += number
    if filters.waiting_since is not None:
        columns = _facet_columns(Case, user)
        for *recent, number in session.execute(
            select(*columns, func.count())
            .where(
                *filters.conditions(user, Case, facets=False),
                Case.status_changed_at > filters.waiting_since,
            )
            .group_by(*columns)
        ):
            combinations[tuple(str(value) for value in recent)] -= number

    counts: FacetCounts = {facet: Counter() for facet in FACETS}
    for combination, number in combinations.items():
        if not number:  # a combination every case has left
            continue
        values = dict(zip(FACETS, combination, strict=True))
        for facet, value in values.items():
            others = (filters.admits(other, v) for other, v in values.items() if other != facet)
            if all(others):
                counts[facet][value] += number
    return counts
