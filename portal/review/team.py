"""The team lead's view: who holds how many open cases in which stage, which proposals wait
for confirmation, and moving open cases from one person to another in bulk.

Who holds what is read from the facet tally (``portal.cases.models.tally``), so it costs
the same at a million cases as at a hundred; the waiting proposals from their own index
(``ix_decision_waiting``) alone, as many entries as there are proposals open
(docs/review.md, "Team lead"). Moving cases goes through the same rules as assigning one
(``services.assign``): one permission, checked once, an audit event per case, a flush and
no commit.
"""

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from portal.accounts.models import StaffUser
from portal.cases.lifecycle import hand_over
from portal.cases.models import Case, CaseFacetTally, Decision
from portal.cases.models.case import QUEUE_ORDER
from portal.cases.states import OPEN_STATUSES, ActorKind, CaseStatus, DecisionState
from portal.core.audit import appending_together, hold_chain_lock, record_event
from portal.core.db import DbSession
from portal.core.i18n import _ls
from portal.core.permissions import Permission as P
from portal.core.permissions import authorize, permitted
from portal.core.refusal import ActionRefused
from portal.review.visibility import visible_cases

STAFF = ActorKind.STAFF
# At most this many cases move in one request: each is an update with its audit event, in
# one transaction that holds the audit chain's lock until it commits.
MAX_MOVE = 500
BULK_CAUSE = "bulk_reassignment"
REASSIGNED = "team.cases_reassigned"
# The form's value for the cases nobody holds (a form field, never part of a URL).
UNASSIGNED = "unassigned"


@dataclass
class Holder:
    """One row of the team table: a person (None for the unassigned cases) and their open
    cases per stage."""

    user: StaffUser | None
    counts: Counter[CaseStatus] = field(default_factory=Counter)
    # False for an account that holds cases but may hold none any more (left the team).
    may_hold: bool = True

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Waiting:
    """Proposals of one person that wait for a decider's confirmation."""

    proposer: StaffUser | None
    count: int
    oldest: datetime


@dataclass(frozen=True)
class Team:
    holders: list[Holder]  # the people, by name, then the unassigned cases
    totals: Counter[CaseStatus]
    waiting: list[Waiting]  # the longest waiting first


def holders(session: DbSession) -> list[StaffUser]:
    """Every active account that may have cases assigned, by name."""
    users = session.scalars(
        select(StaffUser).where(StaffUser.active).order_by(StaffUser.display_name)
    )
    return [user for user in users if permitted(user, P.CASE_HOLD)]


def team_overview(session: DbSession, actor: StaffUser) -> Team:
    authorize(actor, P.TEAM_MANAGE)
    per_assignee: dict[uuid.UUID | None, Counter[CaseStatus]] = {}
    # The facet tally: the same assignee and status columns, a tenth as many rows.
    tallied = select(
        CaseFacetTally.assignee_id, CaseFacetTally.status, func.sum(CaseFacetTally.change)
    ).where(CaseFacetTally.status.in_(OPEN_STATUSES))
    for assignee, status, number in session.execute(
        tallied.group_by(CaseFacetTally.assignee_id, CaseFacetTally.status)
    ):
        if number:
            per_assignee.setdefault(assignee, Counter())[CaseStatus(status)] += number
    rows = [Holder(user, per_assignee.pop(user.id, Counter())) for user in holders(session)]
    # Cases still with someone who may no longer hold any: shown, so that they can be moved.
    others = [key for key in per_assignee if key is not None]
    if others:
        for user in session.scalars(
            select(StaffUser).where(StaffUser.id.in_(others)).order_by(StaffUser.display_name)
        ):
            rows.append(Holder(user, per_assignee.pop(user.id), may_hold=False))
    rows.append(Holder(None, per_assignee.pop(None, Counter())))
    totals: Counter[CaseStatus] = Counter()
    for row in rows:
        totals.update(row.counts)
    return Team(rows, totals, waiting_for_confirmation(session))


def waiting_for_confirmation(session: DbSession) -> list[Waiting]:
    """Open proposals per proposer and the oldest one's time, from their index alone: a
    proposal is open exactly while its case waits for the decision (the database closes a
    withdrawn case's, migration 0020)."""
    rows = session.execute(
        select(Decision.proposed_by_id, func.count(), func.min(Decision.proposed_at))
        .where(Decision.state == DecisionState.PROPOSED)
        .group_by(Decision.proposed_by_id)
    ).all()
    people = {
        user.id: user
        for user in session.scalars(
            select(StaffUser).where(StaffUser.id.in_([row[0] for row in rows]))
        )
    }
    waiting = [Waiting(people.get(proposer), count, oldest) for proposer, count, oldest in rows]
    return sorted(waiting, key=lambda row: row.oldest)


def reassign_cases(
    session: DbSession,
    actor: StaffUser,
    from_staff: StaffUser | None,
    to_staff: StaffUser | None,
    status: CaseStatus | None = None,
    limit: int = MAX_MOVE,
) -> int:
    """Move up to ``limit`` of ``from_staff``'s open cases (of one stage, if given), the
    highest priority first, to ``to_staff``; return how many moved. ``None`` on either side
    is the unassigned cases: shared out after a surge, or given back when someone leaves.

    Each case gets its ``case.assigned`` event (cause ``bulk_reassignment``), and the move
    as a whole one more event. Nothing is opened or decrypted, so no insider budget counts.
    """
    authorize(actor, P.TEAM_MANAGE)
    source, target = _id(from_staff), _id(to_staff)
    if source == target:
        raise ActionRefused(_ls("Choose two different people to move cases between."))
    if to_staff is not None and not permitted(to_staff, P.CASE_HOLD):
        raise ActionRefused(_ls("Cases are assigned to active caseworkers or deciders only."))
    if status is not None and status not in OPEN_STATUSES:
        raise ActionRefused(_ls("Only open cases can be moved."))
    if not 1 <= limit <= MAX_MOVE:
        raise ActionRefused(_ls("Move between 1 and %(limit)s cases at a time.", limit=MAX_MOVE))
    stages = [status] if status is not None else list(OPEN_STATUSES)
    # The chain lock first, as every flush with an event takes it before its row locks:
    # taken after the cases' rows, it could deadlock with a colleague's change to one.
    hold_chain_lock(session)
    # Locked as read: a case someone else moves meanwhile is either moved first by them
    # (and then no longer matches) or waits for this request to commit.
    cases = session.scalars(
        select(Case)
        .where(
            Case.assignee_id.is_(None) if source is None else Case.assignee_id == source,
            Case.status.in_(stages),
            visible_cases(actor),
        )
        .order_by(*QUEUE_ORDER)
        .limit(limit)
        .with_for_update()
    ).all()
    if not cases:
        raise ActionRefused(_ls("There are no open cases to move."))
    with appending_together(session):
        for case in cases:
            hand_over(session, case, target, actor_kind=STAFF, actor_id=actor.id, cause=BULK_CAUSE)
        record_event(
            session,
            REASSIGNED,
            actor_kind=STAFF,
            actor_id=actor.id,
            source=str(source or ""),
            target=str(target or ""),
            status=str(status or ""),
            moved=str(len(cases)),
        )
    session.flush()
    return len(cases)


def _id(person: StaffUser | None) -> uuid.UUID | None:
    return person.id if person is not None else None
