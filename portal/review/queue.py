"""The review queue: filters, priority order and keyset pagination.

Ordered by priority (highest first), then by how long a case has waited in its stage,
then by id (``QUEUE_ORDER``), so the order is total and a page boundary is a single row
comparison that the queue indexes seek to directly, whatever the page number.
"""

import base64
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Select, select, tuple_

from portal.accounts.models import StaffUser
from portal.cases.deadlines import DEFAULT_SERVICE_DAYS, overdue_condition
from portal.cases.models import Case
from portal.cases.models.case import QUEUE_ORDER
from portal.cases.states import OPEN_STATUSES, CaseStatus, Programme, ScreeningStatus, ThreatLevel
from portal.core.db import DbSession, utcnow
from portal.review.visibility import visible_cases

PAGE_SIZE = 50
# The filters that are one column's value: they are counted per value (portal.review.counts).
FACETS = ("status", "programme", "threat", "screening", "assignee")


@dataclass
class Filters:
    statuses: list[CaseStatus] = field(default_factory=lambda: list(OPEN_STATUSES))
    programme: Programme | None = None
    threat: ThreatLevel | None = None
    screening: ScreeningStatus | None = None
    nationality: str | None = None
    country_of_stay: str | None = None
    assignee: str | None = None  # "me", "none", or nothing
    waiting_days: int | None = None  # at least this long in the current stage
    # Past the open question's deadline, or longer in the stage than the service level
    # (portal.cases.deadlines.overdue_condition; counted from ``case``, portal.review.counts).
    overdue: bool = False
    service_days: int = DEFAULT_SERVICE_DAYS
    # Fixed once, so that the page and its counts agree on what "waiting" means.
    now: datetime = field(default_factory=utcnow)

    @classmethod
    def from_args(cls, args: Any) -> "Filters":
        """From the query string; anything unknown is ignored, never an error page."""

        def pick(enum: Any, name: str) -> Any:
            value = args.get(name)
            return enum(value) if value in set(enum) else None

        waiting = args.get("waiting", "")
        waiting_days = int(waiting) if waiting.isdecimal() and int(waiting) < 10_000 else None
        # Only open cases wait: a decided case's time in its stage is not waiting.
        allowed = (
            set(OPEN_STATUSES) if waiting_days is not None else set(CaseStatus) - {CaseStatus.DRAFT}
        )
        statuses = [CaseStatus(s) for s in args.getlist("status") if s in allowed]

        def country(name: str) -> str | None:
            # A country code is two Latin letters; anything else (a NUL, which PostgreSQL
            # refuses in text, included) filters nothing.
            value = (args.get(name) or "").strip().upper()
            return value if len(value) == 2 and value.isascii() and value.isalpha() else None

        overdue = args.get("overdue") == "1"
        return cls(
            statuses=statuses or list(OPEN_STATUSES),
            programme=pick(Programme, "programme"),
            threat=pick(ThreatLevel, "threat"),
            screening=pick(ScreeningStatus, "screening"),
            nationality=country("nationality"),
            country_of_stay=country("country"),
            assignee=args.get("assignee") if args.get("assignee") in ("me", "none") else None,
            waiting_days=waiting_days,
            overdue=overdue,
            service_days=(
                current_app.config["PORTAL_REVIEW_SERVICE_DAYS"]
                if overdue
                else DEFAULT_SERVICE_DAYS
            ),
        )

    @property
    def waiting_since(self) -> datetime | None:
        """Cases that changed stage after this moment have not waited long enough."""
        if self.waiting_days is None:
            return None
        return self.now - timedelta(days=self.waiting_days)

    def wanted(self) -> dict[str, frozenset[str] | None]:
        """Per facet, the values its filter lets through (None: any)."""
        single = {
            "programme": self.programme,
            "threat": self.threat,
            "screening": self.screening,
            "assignee": self.assignee,
        }
        return {"status": frozenset(self.statuses)} | {
            facet: None if value is None else frozenset({value}) for facet, value in single.items()
        }

    def conditions(
        self, user: StaffUser, source: Any = Case, *, facets: bool = True
    ) -> list[ColumnElement[bool]]:
        """The filters as SQL on ``Case`` or on ``CaseTally``, which share these columns.

        ``facets=False`` leaves out the per-value filters (``FACETS``) and the waiting time
        itself (only open cases wait): counting applies those on its own.
        """
        found: list[ColumnElement[bool]] = [visible_cases(user, source)]
        for column, value in (
            (source.nationality, self.nationality),
            (source.country_of_stay, self.country_of_stay),
        ):
            if value is not None:
                found.append(column == value)
        if self.waiting_days is not None:
            found.append(source.status.in_(OPEN_STATUSES))
        if self.overdue:  # only open cases are overdue; ``source`` is ``Case`` here
            found.append(overdue_condition(self.now, self.service_days, source))
        if not facets:
            return found
        found.append(source.status.in_(self.statuses))
        for column, value in (
            (source.programme, self.programme),
            (source.threat_level, self.threat),
            (source.screening_status, self.screening),
        ):
            if value is not None:
                found.append(column == value)
        if self.assignee == "me":
            found.append(source.assignee_id == user.id)
        elif self.assignee == "none":
            found.append(source.assignee_id.is_(None))
        if self.waiting_since is not None:
            found.append(source.status_changed_at <= self.waiting_since)  # not in the tally
        return found


def encode_cursor(case: Case) -> str:
    raw = f"{case.priority_score}|{case.status_changed_at.isoformat()}|{case.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode_cursor(cursor: str) -> tuple[int, datetime, uuid.UUID] | None:
    """The position a cursor names; None for anything this module did not write."""
    try:
        priority, changed, identifier = base64.urlsafe_b64decode(cursor).decode().split("|")
        position = int(priority), datetime.fromisoformat(changed), uuid.UUID(identifier)
    except (ValueError, UnicodeDecodeError):
        return None
    if abs(position[0]) >= 2**31 or position[1].tzinfo is None:  # out of the column's range
        return None
    return position


def page_query(user: StaffUser, filters: Filters, cursor: str | None) -> Select[Case]:
    """The SELECT of one page, one row more than a page to tell whether another follows."""
    statement = select(Case).where(*filters.conditions(user))
    position = _decode_cursor(cursor) if cursor else None
    if position is not None:
        priority, changed, identifier = position
        statement = statement.where(tuple_(*QUEUE_ORDER) > (-priority, changed, identifier))
    return statement.order_by(*QUEUE_ORDER).limit(PAGE_SIZE + 1)


def page(
    session: DbSession, user: StaffUser, filters: Filters, cursor: str | None
) -> tuple[list[Case], str | None]:
    """One page of the queue and the cursor of the next one (None on the last page)."""
    rows = list(session.scalars(page_query(user, filters, cursor)))
    following = encode_cursor(rows[PAGE_SIZE - 1]) if len(rows) > PAGE_SIZE else None
    return rows[:PAGE_SIZE], following
