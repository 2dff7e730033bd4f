"""The review queue: filters, saved views, sort orders and keyset pagination.

Every order is total (it ends with the id) and runs all its columns one way, so a page
boundary is a single row comparison that an index over the open cases seeks to directly,
whatever the page number: by priority (highest first, then longest waiting:
``QUEUE_ORDER``, the default), by waiting time (longest first: ``WAITING_ORDER``) and by
submission (``SUBMITTED_ORDER``, oldest first, or newest first read backwards).
"""

import base64
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select, tuple_

from portal.accounts.models import StaffUser
from portal.cases.deadlines import DEFAULT_SERVICE_DAYS, SERVICE_LEVEL_STATUSES, answer_overdue
from portal.cases.models import Case, Decision
from portal.cases.models.case import QUEUE_ORDER, SUBMITTED_ORDER, WAITING_ORDER
from portal.cases.states import (
    OPEN_STATUSES,
    ActorKind,
    CaseStatus,
    DecisionState,
    Programme,
    ScreeningStatus,
    ThreatLevel,
)
from portal.core.db import DbSession, utcnow
from portal.core.text import number_below
from portal.review.visibility import visible_cases

PAGE_SIZE = 50
# The filters that are one column's value: they are counted per value (portal.review.counts).
FACETS = ("status", "programme", "threat", "screening", "assignee")
# The service level's default: an open case waiting longer in its stage is overdue.
SERVICE_DAYS = DEFAULT_SERVICE_DAYS


@dataclass(frozen=True)
class Sort:
    columns: tuple[Any, ...]  # the order's key, every column the same way
    backwards: bool = False  # read from the end: newest first

    def position(self, case: Case) -> tuple[Any, ...]:
        """A case's values of the key, as the row comparison compares them."""
        if self.columns is QUEUE_ORDER:
            return -case.priority_score, case.status_changed_at, case.id
        if self.columns is WAITING_ORDER:
            return case.status_changed_at, case.id
        return case.submitted_at, case.id


SORTS: dict[str, Sort] = {
    "priority": Sort(QUEUE_ORDER),
    "waiting": Sort(WAITING_ORDER),
    "oldest": Sort(SUBMITTED_ORDER),
    "newest": Sort(SUBMITTED_ORDER, backwards=True),
}
DEFAULT_SORT = "priority"


@dataclass(frozen=True)
class View:
    """A saved view: a fixed filter and an order, named above the queue."""

    sort: str
    statuses: tuple[CaseStatus, ...] = OPEN_STATUSES


VIEWS: dict[str, View] = {
    "mine": View("priority"),  # assigned to me
    "confirm": View("waiting", (CaseStatus.DECISION_PROPOSED,)),  # someone else's proposal
    "answers": View("waiting", (CaseStatus.IN_REVIEW,)),  # the applicant answered a question
    "overdue": View("waiting"),  # waiting past the service level
}


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
    view: str | None = None  # one of VIEWS
    sort: str = DEFAULT_SORT  # one of SORTS
    service_days: int = SERVICE_DAYS  # "overdue": waiting longer than this
    # Fixed once, so that the page and its counts agree on what "waiting" means.
    now: datetime = field(default_factory=utcnow)

    @classmethod
    def from_args(
        cls, args: Any, *, may_confirm: bool = False, service_days: int = SERVICE_DAYS
    ) -> "Filters":
        """From the query string; anything unknown is ignored, never an error page.

        ``may_confirm``: the view "waiting for me to confirm" is there only for those who
        may confirm a decision; anyone else asking for it gets the plain queue.
        """

        def pick(enum: Any, name: str) -> Any:
            value = args.get(name)
            return enum(value) if value in set(enum) else None

        view = args.get("view") if args.get("view") in VIEWS else None
        if view == "confirm" and not may_confirm:
            view = None
        waiting = args.get("waiting", "")
        waiting_days = number_below(waiting, 10_000)
        # Only open cases wait: a decided case's time in its stage is not waiting.
        allowed = (
            set(OPEN_STATUSES)
            if waiting_days is not None or view is not None
            else set(CaseStatus) - {CaseStatus.DRAFT}
        )
        if view is not None:
            allowed &= set(VIEWS[view].statuses)
        statuses = [CaseStatus(s) for s in args.getlist("status") if s in allowed]
        if not statuses and view is not None:
            statuses = list(VIEWS[view].statuses)

        def country(name: str) -> str | None:
            # A country code is two Latin letters; anything else (a NUL, which PostgreSQL
            # refuses in text, included) filters nothing.
            value = (args.get(name) or "").strip().upper()
            return value if len(value) == 2 and value.isascii() and value.isalpha() else None

        assignee = args.get("assignee") if args.get("assignee") in ("me", "none") else None
        return cls(
            statuses=statuses or list(OPEN_STATUSES),
            programme=pick(Programme, "programme"),
            threat=pick(ThreatLevel, "threat"),
            screening=pick(ScreeningStatus, "screening"),
            nationality=country("nationality"),
            country_of_stay=country("country"),
            assignee="me" if view == "mine" else assignee,
            waiting_days=waiting_days,
            view=view,
            sort=args.get("sort")
            if args.get("sort") in SORTS
            else VIEWS[view].sort
            if view is not None
            else DEFAULT_SORT,
            service_days=service_days,
        )

    @property
    def waiting_since(self) -> datetime | None:
        """Cases that changed stage after this moment have not waited long enough."""
        if self.waiting_days is None:
            return None
        return self.now - timedelta(days=self.waiting_days)

    @property
    def overdue_since(self) -> datetime:
        """Cases still in the stage they entered before this moment are past the service level."""
        return self.now - timedelta(days=self.service_days)

    @property
    def open_only(self) -> bool:
        """Only open cases can be chosen: those are the ones that wait."""
        return self.waiting_days is not None or self.view is not None

    def late(self) -> list[ColumnElement[bool]]:
        """Why an open case is overdue; any one of these suffices (the view "overdue").

        The first is the service level, in every open stage but a question's, which the
        counts take from the tallies as a waiting time; the second is a question whose
        answer is overdue (``portal.cases.deadlines.answer_overdue``), which the counts
        take from ``case``. The two are apart by status (``portal.review.counts``).
        """
        return [
            and_(
                Case.status.in_(SERVICE_LEVEL_STATUSES),
                Case.status_changed_at <= self.overdue_since,
            ),
            answer_overdue(self.now, self.overdue_since),
        ]

    def view_conditions(self, user: StaffUser, *, walk: bool = False) -> list[ColumnElement[bool]]:
        """What a saved view asks of a case beyond the facets (SQL on ``Case``); ``walk``
        for a page, which reads the cases in order until it is full."""
        if self.view == "confirm":
            # A proposal waits for a second person: never for the one who made it. Put as
            # "not proposed by me", so that the counts can take the proposed cases from the
            # tally and subtract this person's own few (``portal.review.counts``).
            return [
                Case.status == CaseStatus.DECISION_PROPOSED,
                ~own_proposal(user, walk=walk).exists(),
            ]
        if self.view == "answers":
            # Back in review by the applicant's own move (their answer), and no move by
            # staff since. Nothing marks a message read, so the move is what tells.
            return [
                Case.status == CaseStatus.IN_REVIEW,
                Case.status_changed_by == ActorKind.APPLICANT,
            ]
        if self.view == "overdue":
            return [or_(*self.late())]
        return []

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
        """The filters as SQL on ``Case`` or on a tally, which share these columns.

        ``facets=False`` leaves out the per-value filters (``FACETS``), the waiting time
        itself and the saved view's own conditions (only open cases wait): counting applies
        those on its own.
        """
        found: list[ColumnElement[bool]] = [visible_cases(user, source)]
        # Named, not taken: the facet waiting tally has no such columns (nor needs them).
        for name, value in (
            ("nationality", self.nationality),
            ("country_of_stay", self.country_of_stay),
        ):
            if value is not None:
                found.append(getattr(source, name) == value)
        if self.open_only:
            found.append(source.status.in_(OPEN_STATUSES))
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
        return found + self.view_conditions(user, walk=True)


def own_proposal(user: StaffUser, *, walk: bool = False) -> Select[Any]:
    """The open proposal ``user`` made on the case at hand (a correlated subquery).

    ``walk`` for a page: OFFSET 0 keeps PostgreSQL from joining every proposed case to the
    proposals and sorting them all; it walks the page's index in order and looks up each
    case's proposal instead.
    """
    proposal = select(Decision.id).where(
        Decision.case_id == Case.id,
        Decision.state == DecisionState.PROPOSED,
        Decision.proposed_by_id == user.id,
    )
    return proposal.offset(0) if walk else proposal


def _encode(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def encode_cursor(case: Case, sort: str = DEFAULT_SORT) -> str:
    """The position after ``case`` in the order ``sort``, named with the order."""
    raw = "|".join([sort, *(_encode(value) for value in SORTS[sort].position(case))])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode_cursor(cursor: str, sort: str) -> tuple[Any, ...] | None:
    """The position a cursor names in the order ``sort``; None for anything this module
    did not write for that order (a cursor of another order starts at the top)."""
    try:
        name, *values = base64.urlsafe_b64decode(cursor).decode().split("|")
        if name != sort:
            return None
        *leading, changed, identifier = values
        if len(leading) != (1 if SORTS[sort].columns is QUEUE_ORDER else 0):
            return None
        numbers = [int(value) for value in leading]
        moment, identifier_value = datetime.fromisoformat(changed), uuid.UUID(identifier)
        if moment.tzinfo is None:
            return None
        # In UTC, as the column holds it: year 1 at +23:59 is no moment in UTC at all.
        moment = moment.astimezone(UTC)
    except (ValueError, UnicodeDecodeError, OverflowError):
        return None
    if any(abs(number) >= 2**31 for number in numbers):  # out of the column's range
        return None
    position = (*numbers, moment, identifier_value)
    return position


def page_query(user: StaffUser, filters: Filters, cursor: str | None) -> Select[Case]:
    """The SELECT of one page, one row more than a page to tell whether another follows."""
    order = SORTS[filters.sort]
    statement = select(Case).where(*filters.conditions(user))
    if (
        order.columns is SUBMITTED_ORDER
    ):  # a case is never unsubmitted past a draft; if so, unsortable
        statement = statement.where(Case.submitted_at.is_not(None))
    position = _decode_cursor(cursor, filters.sort) if cursor else None
    if position is not None:
        key = tuple_(*order.columns)
        statement = statement.where(key < position if order.backwards else key > position)
    columns = [column.desc() if order.backwards else column for column in order.columns]
    return statement.order_by(*columns).limit(PAGE_SIZE + 1)


def page(
    session: DbSession, user: StaffUser, filters: Filters, cursor: str | None
) -> tuple[list[Case], str | None]:
    """One page of the queue and the cursor of the next one (None on the last page)."""
    rows = list(session.scalars(page_query(user, filters, cursor)))
    following = encode_cursor(rows[PAGE_SIZE - 1], filters.sort) if len(rows) > PAGE_SIZE else None
    return rows[:PAGE_SIZE], following


def assignee_names(session: DbSession) -> dict[uuid.UUID, str]:
    """Who may hold a case, by id: the names a list of cases shows beside them (the names
    alone, not the accounts with their roles)."""
    names = session.execute(select(StaffUser.id, StaffUser.display_name).where(StaffUser.active))
    return {staff_id: name for staff_id, name in names}
