"""The review queue: filters, priority order, keyset pagination, counts per status.

Ordered by priority (highest first), then by how long a case has waited in its stage,
then by id, so the order is total and a page boundary is a single comparison on the
``ix_case_queue`` index, whatever the page number.
"""

import base64
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select

from portal.accounts.models import StaffUser
from portal.cases.models import Case
from portal.cases.states import CaseStatus, Programme, ScreeningStatus, ThreatLevel
from portal.core.db import DbSession, utcnow
from portal.review.visibility import visible_cases

PAGE_SIZE = 50
OPEN = (
    CaseStatus.SUBMITTED,
    CaseStatus.SCREENING,
    CaseStatus.IN_REVIEW,
    CaseStatus.INFO_REQUESTED,
    CaseStatus.DECISION_PROPOSED,
)


@dataclass
class Filters:
    statuses: list[CaseStatus] = field(default_factory=lambda: list(OPEN))
    programme: Programme | None = None
    threat: ThreatLevel | None = None
    screening: ScreeningStatus | None = None
    nationality: str | None = None
    country_of_stay: str | None = None
    assignee: str | None = None  # "me", "none", or nothing
    waiting_days: int | None = None  # at least this long in the current stage

    @classmethod
    def from_args(cls, args: Any) -> "Filters":
        """From the query string; anything unknown is ignored, never an error page."""

        def pick(enum: Any, name: str) -> Any:
            value = args.get(name)
            return enum(value) if value in set(enum) else None

        statuses = [CaseStatus(s) for s in args.getlist("status") if s in set(CaseStatus)]
        waiting = args.get("waiting", "")
        country = lambda name: (args.get(name) or "").upper()[:2] or None  # noqa: E731
        return cls(
            statuses=[s for s in statuses if s != CaseStatus.DRAFT] or list(OPEN),
            programme=pick(Programme, "programme"),
            threat=pick(ThreatLevel, "threat"),
            screening=pick(ScreeningStatus, "screening"),
            nationality=country("nationality"),
            country_of_stay=country("country"),
            assignee=args.get("assignee") if args.get("assignee") in ("me", "none") else None,
            waiting_days=int(waiting) if waiting.isdigit() and int(waiting) < 10_000 else None,
        )

    def conditions(self, user: StaffUser, *, with_status: bool = True) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = [visible_cases(user)]
        if with_status:
            found.append(Case.status.in_(self.statuses))
        for column, value in (
            (Case.programme, self.programme),
            (Case.threat_level, self.threat),
            (Case.screening_status, self.screening),
            (Case.nationality, self.nationality),
            (Case.country_of_stay, self.country_of_stay),
        ):
            if value is not None:
                found.append(column == value)
        if self.assignee == "me":
            found.append(Case.assignee_id == user.id)
        elif self.assignee == "none":
            found.append(Case.assignee_id.is_(None))
        if self.waiting_days is not None:
            found.append(Case.status_changed_at <= utcnow() - timedelta(days=self.waiting_days))
        return found


def encode_cursor(case: Case) -> str:
    raw = f"{case.priority_score}|{case.status_changed_at.isoformat()}|{case.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode_cursor(cursor: str) -> tuple[int, datetime, uuid.UUID] | None:
    try:
        priority, changed, identifier = base64.urlsafe_b64decode(cursor).decode().split("|")
        return int(priority), datetime.fromisoformat(changed), uuid.UUID(identifier)
    except (ValueError, UnicodeDecodeError):
        return None


def _after(cursor: str | None) -> list[ColumnElement[bool]]:
    position = _decode_cursor(cursor) if cursor else None
    if position is None:
        return []
    priority, changed, identifier = position
    return [
        or_(
            Case.priority_score < priority,
            and_(Case.priority_score == priority, Case.status_changed_at > changed),
            and_(
                Case.priority_score == priority,
                Case.status_changed_at == changed,
                Case.id > identifier,
            ),
        )
    ]


def page(
    session: DbSession, user: StaffUser, filters: Filters, cursor: str | None
) -> tuple[list[Case], str | None]:
    """One page of the queue and the cursor of the next one (None on the last page)."""
    rows = list(
        session.scalars(
            select(Case)
            .where(*filters.conditions(user), *_after(cursor))
            .order_by(Case.priority_score.desc(), Case.status_changed_at, Case.id)
            .limit(PAGE_SIZE + 1)
        )
    )
    following = encode_cursor(rows[PAGE_SIZE - 1]) if len(rows) > PAGE_SIZE else None
    return rows[:PAGE_SIZE], following


def counts_by_status(session: DbSession, user: StaffUser, filters: Filters) -> dict[str, int]:
    """How many cases each status has under the other filters."""
    rows = session.execute(
        select(Case.status, func.count())
        .where(*filters.conditions(user, with_status=False), Case.status.in_(OPEN))
        .group_by(Case.status)
    )
    return {str(status): count for status, count in rows}
