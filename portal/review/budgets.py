"""Insider budgets: how many different cases one member of staff may open in an hour, how
many exports they may make, and how many searches: a search names no case, but a script
running names through it learns who has applied.

An insider with a script is the likeliest leak, and reading case screens one by one
scrapes as much as exporting them. So the staff seam asks here, before it unlocks
anything, what the person did in the last hour. Past a budget it refuses, records the
breach in the audit trail (ids and numbers only), and the breach is listed for
administrators and security officers at /staff/alerts, with a count in their navigation.

The counts come from the audit trail rather than from counters of their own. The trail
already holds every opening (``case.viewed``: the case screen, a document download and an
export each write one), every export (``case.exported``) and every search
(``case.searched``), written in the transaction
of the action itself: a count can never drift from what happened, a request that was
rolled back leaves nothing to count, and every web process reads the same numbers. The
index ``ix_audit_event_by_actor`` (actor, action, time) makes each count a seek to one
person's events of the last hour. Counters in Redis would be faster still, but would be
a second record that can disagree with the first (a request rolled back after counting,
a Redis restart), and the trail has to be written anyway.

Counting and acting must not be split by a parallel request, or ten requests sent at once
would each count 59 and all go ahead. The count is taken under the audit chain's lock,
which a request holds from its first event until it commits: requests that append to the
trail already pass it one at a time, so a second request counts only once the first has
committed its openings, and is refused if they filled the budget.
"""

import logging
import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flask import current_app
from flask_babel import LazyString
from sqlalchemy import ColumnElement, func, select

from portal.accounts.models import StaffUser
from portal.cases.models import Case
from portal.cases.states import ActorKind
from portal.core.audit import AuditEvent, hold_chain_lock, record_event
from portal.core.db import DbSession, utcnow
from portal.core.i18n import _ls
from portal.core.refusal import ActionRefused

log = logging.getLogger(__name__)

WINDOW = timedelta(hours=1)
OPENED = "case.viewed"
EXPORTED = "case.exported"
SEARCHED = "case.searched"
BREACH = "insider.budget_exceeded"
ALERTS_SEEN = "insider.alerts_viewed"


class Budget(StrEnum):
    CASES_OPENED = "cases_opened"
    EXPORTS = "exports"
    SEARCHES = "searches"


SETTINGS = {
    Budget.CASES_OPENED: "PORTAL_BUDGET_CASES_PER_HOUR",
    Budget.EXPORTS: "PORTAL_BUDGET_EXPORTS_PER_HOUR",
    Budget.SEARCHES: "PORTAL_BUDGET_SEARCHES_PER_HOUR",
}
LABELS = {
    Budget.CASES_OPENED: _ls("Different cases opened in an hour"),
    Budget.EXPORTS: _ls("Exports in an hour"),
    Budget.SEARCHES: _ls("Searches in an hour"),
}


def threshold(budget: Budget) -> int:
    return int(current_app.config[SETTINGS[budget]])


@dataclass(frozen=True)
class Usage:
    """What one person used of one budget in the hour up to ``now``.

    ``times`` has one entry per use that counts, oldest first: each export, or for cases
    the latest opening of each different case (opening it again keeps it counted).
    """

    budget: Budget
    times: list[datetime]
    threshold: int
    now: datetime

    @property
    def count(self) -> int:
        return len(self.times)

    @property
    def spent(self) -> bool:
        return self.count >= self.threshold

    @property
    def left(self) -> int:
        return max(0, self.threshold - self.count)

    @property
    def frees_at(self) -> datetime:
        """When one more use fits: once enough of the counted ones are an hour old."""
        if not self.spent:
            return self.now
        return self.times[self.count - self.threshold] + WINDOW


class BudgetExceeded(ActionRefused):
    """A budget is spent. Unlike other refusals the request must still commit, so that the
    breach it recorded stays in the audit trail: views show it (a page answering 429, or
    the form again) without discarding the unit of work. Nothing else was changed yet."""

    def __init__(self, usage: Usage) -> None:
        self.usage = usage
        wait = (usage.frees_at - usage.now).total_seconds()
        self.retry_after = max(60, math.ceil(wait))  # seconds, for the Retry-After header
        super().__init__(_message(usage, minutes=math.ceil(self.retry_after / 60)))


def _message(usage: Usage, minutes: int) -> LazyString:
    when = usage.frees_at.strftime("%H:%M")
    if usage.budget == Budget.EXPORTS:
        return _ls(
            "You have made %(count)s exports in the last hour, the most one person may make. "
            "You can export again at %(time)s UTC (in %(minutes)s min).",
            count=usage.count,
            time=when,
            minutes=minutes,
        )
    if usage.budget == Budget.SEARCHES:
        return _ls(
            "You have searched %(count)s times in the last hour, the most one person may. "
            "You can search again at %(time)s UTC (in %(minutes)s min).",
            count=usage.count,
            time=when,
            minutes=minutes,
        )
    return _ls(
        "You have opened %(count)s different cases in the last hour, the most one person may "
        "open. You can open other cases again at %(time)s UTC (in %(minutes)s min). The "
        "cases you opened in the last hour stay open to you.",
        count=usage.count,
        time=when,
        minutes=minutes,
    )


def _events_since(actor_id: uuid.UUID, action: str, now: datetime) -> list[ColumnElement[bool]]:
    return [
        AuditEvent.actor_id == actor_id,
        AuditEvent.action == action,
        AuditEvent.at > now - WINDOW,
    ]


def cases_opened(
    session: DbSession, actor_id: uuid.UUID, now: datetime
) -> dict[uuid.UUID, datetime]:
    """The different cases ``actor_id`` opened in the hour up to ``now``, each with its
    latest opening."""
    rows = session.execute(
        select(AuditEvent.case_id, func.max(AuditEvent.at))
        .where(*_events_since(actor_id, OPENED, now))
        .group_by(AuditEvent.case_id)
    )
    return {case_id: at for case_id, at in rows if case_id is not None}


def _every_use(session: DbSession, actor_id: uuid.UUID, budget: Budget, now: datetime) -> Usage:
    """A budget where every event counts: each export, each search."""
    action = EXPORTED if budget == Budget.EXPORTS else SEARCHED
    times = session.scalars(
        select(AuditEvent.at).where(*_events_since(actor_id, action, now)).order_by(AuditEvent.at)
    )
    return Usage(budget, list(times), threshold(budget), now)


def exports_usage(session: DbSession, actor_id: uuid.UUID, now: datetime | None = None) -> Usage:
    return _every_use(session, actor_id, Budget.EXPORTS, now or utcnow())


def _counting_now(session: DbSession) -> datetime:
    """Hold the chain lock for the rest of the transaction, then read the clock: a parallel
    request of the same person counts after this one has committed (module docstring)."""
    hold_chain_lock(session)
    return utcnow()


def check_opening(session: DbSession, actor: StaffUser, case: Case) -> None:
    """Refuse to open a case ``actor`` has not opened in the last hour once they opened
    as many different cases as the budget allows. Opening one again costs nothing."""
    now = _counting_now(session)
    opened = cases_opened(session, actor.id, now)
    if case.id in opened:
        return
    usage = Usage(Budget.CASES_OPENED, sorted(opened.values()), threshold(Budget.CASES_OPENED), now)
    _refuse_if_spent(session, actor, case, usage)


def check_export(session: DbSession, actor: StaffUser, case: Case) -> None:
    """Refuse an export once ``actor`` made as many in the last hour as the budget allows.
    Every export counts, of the same case too: each is one more copy outside the portal."""
    usage = exports_usage(session, actor.id, _counting_now(session))
    _refuse_if_spent(session, actor, case, usage)


def check_search(session: DbSession, actor: StaffUser) -> None:
    """Refuse a search once ``actor`` made as many in the last hour as the budget allows."""
    usage = _every_use(session, actor.id, Budget.SEARCHES, _counting_now(session))
    _refuse_if_spent(session, actor, None, usage)


def _refuse_if_spent(session: DbSession, actor: StaffUser, case: Case | None, usage: Usage) -> None:
    if not usage.spent:
        return
    # The attempt's number and the limit, the case by its id: never anything it holds.
    record_event(
        session,
        BREACH,
        actor_kind=ActorKind.STAFF,
        actor_id=actor.id,
        case_id=case.id if case else None,
        budget=str(usage.budget),
        count=usage.count + 1,
        threshold=usage.threshold,
    )
    log.warning(
        "insider budget exceeded: staff %s, budget %s, attempt %d of %d",
        actor.id,
        usage.budget,
        usage.count + 1,
        usage.threshold,
    )
    raise BudgetExceeded(usage)


def breaches(session: DbSession, before: int | None, limit: int) -> list[AuditEvent]:
    """Recorded breaches, newest first; ``before`` an event id to page back from."""
    query = select(AuditEvent).where(AuditEvent.action == BREACH)
    if before is not None:
        query = query.where(AuditEvent.id < before)
    return list(session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)))


def last_seen(session: DbSession, viewer_id: uuid.UUID) -> int:
    """The id of the event that marks ``viewer_id``'s last look at the alerts (0: never):
    breaches after it are new to them."""
    seen = session.scalar(
        select(func.max(AuditEvent.id)).where(
            AuditEvent.actor_id == viewer_id, AuditEvent.action == ALERTS_SEEN
        )
    )
    return seen or 0


def unseen_breaches(session: DbSession, viewer_id: uuid.UUID) -> int:
    """Breaches recorded since ``viewer_id`` last opened the alerts page: what their
    navigation shows until they look."""
    query = select(func.count()).where(
        AuditEvent.action == BREACH, AuditEvent.id > last_seen(session, viewer_id)
    )
    return session.scalar(query) or 0
