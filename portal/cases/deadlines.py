"""Deadlines: the applicant's for answering a question, the consulate's service level.

An information request carries the day by which the applicant should answer
(``Message.due_at``); the case keeps the deadline of its open request
(``Case.answer_due_at``), set when staff ask or remind and cleared when the case leaves
``info_requested`` (``portal.cases.lifecycle.transition``), so that "overdue" is one
indexed condition on ``case`` however many cases there are.
"""

from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, or_, select

from portal.cases.models import Case, Message
from portal.cases.states import OPEN_STATUSES, CaseStatus, MessageDirection
from portal.core.db import DbSession, utcnow

# How many days an applicant may be given to answer: the form's bounds.
MIN_DAYS, MAX_DAYS = 1, 90
DEFAULT_SERVICE_DAYS = 30
# The whole of the last day counts: an answer written that evening is in time. The day
# ends in UTC, which in Afghanistan and Iran is the next morning (in the applicant's favour).
END_OF_DAY = time(23, 59, 59)


def answer_due(days: int, now: datetime) -> datetime:
    """The end of the day ``days`` days after ``now``'s (UTC)."""
    day = now.astimezone(UTC).date() + timedelta(days=days)
    return datetime.combine(day, END_OF_DAY, UTC)


def set_deadline(case: Case, request: Message, due: datetime) -> None:
    """``request`` is the case's open question, to be answered by ``due``."""
    request.due_at = due
    case.answer_due_at = due


def open_request(session: DbSession, case: Case) -> Message | None:
    """The question the applicant is asked to answer now (the newest, a reminder included);
    None unless the case waits for their answer. A reminder is a question of its own that
    refers to the one before it (``in_reply_to_id``)."""
    if case.status != CaseStatus.INFO_REQUESTED:
        return None
    return session.scalar(
        select(Message)
        .where(
            Message.case_id == case.id,
            Message.direction == MessageDirection.TO_APPLICANT,
            Message.is_information_request,
        )
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    )


def reminder_text(language: str) -> str:
    """A reminder's words in the applicant's language (its deadline is shown beside it,
    in whatever language and calendar the page is read in)."""
    with force_locale(language):
        return _(
            "This is a reminder: we are still waiting for your answer to our question. "
            "Please answer it on this page."
        )


def is_overdue(case: Case, now: datetime) -> bool:
    """The open request's deadline has passed (the service level is the queue's)."""
    return (
        case.status == CaseStatus.INFO_REQUESTED
        and case.answer_due_at is not None
        and case.answer_due_at < now
    )


def overdue_now(case: Case) -> bool:
    return is_overdue(case, utcnow())


# The stages judged by the service level; a case waiting for an answer is judged by its
# deadline (``answer_overdue``).
SERVICE_LEVEL_STATUSES = tuple(s for s in OPEN_STATUSES if s != CaseStatus.INFO_REQUESTED)


def answer_overdue(
    now: datetime, service_since: datetime, source: Any = Case
) -> ColumnElement[bool]:
    """Cases waiting for an answer that is overdue at ``now``: past its deadline, or, for a
    question asked before deadlines existed (none kept), waiting since before
    ``service_since`` like any other open case. A reminder's new deadline takes a case off.
    One partial index, ``ix_case_answer_due``, holds them all."""
    return and_(
        source.status == CaseStatus.INFO_REQUESTED,
        or_(
            source.answer_due_at < now,
            and_(source.answer_due_at.is_(None), source.status_changed_at <= service_since),
        ),
    )
