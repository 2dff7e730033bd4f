"""How many cases there are per combination of the queue's filter columns.

Counting a million cases on every queue page is too slow, so the database keeps a tally:
triggers on ``case`` (migration 0005) append one row of -1 for the combination a case
leaves and one of +1 for the one it enters, whenever a non-draft case is inserted,
deleted or changes one of these columns. Appending never waits for a lock, so busy
workers and submissions do not queue behind one hot counter. A count is the sum of
``change`` over the matching rows; ``portal.cases.tally.compact`` folds the rows into
one per combination now and then.

Drafts are not counted: they belong to the applicant, not to any queue.

Nationality and country of stay multiply the combinations about tenfold, and most queue
pages filter by neither. So every case is tallied once more by the facets alone
(``CaseFacetTally``, migration 0019), which the counts read unless the queue is filtered by
one of those two.

The open cases are tallied a second time by the UTC day they entered their stage
(``CaseWaitingTally``, migration 0011), so that the queue's waiting-time filters count the
cases that changed stage too recently from a few thousand tally rows instead of from the
most often updated rows of ``case``. It is a table of its own because the day multiplies
the combinations by the days cases wait: counting every case by day would make the counts
without a waiting time a hundred times dearer. Within a day, the combinations of open cases
rarely repeat, so the tally is nearly as long as the cases it counts; without nationality
and country of stay about a third as many rows remain. So the open cases are tallied by
day once more, by the facets alone (``CaseWaitingFacetTally``, migration 0018), which the
counts read unless the queue is filtered by nationality or country of stay.

The cases waiting for an answer to a question are tallied a third time, by the UTC day
their answer is due (``CaseAnswerDueTally``, migration 0017): a deadline passes without
any row changing, so the view "overdue" counts the questions whose day has passed from
the tally, and reads from ``case`` only those due on the current day.
"""

import uuid
from datetime import date

from sqlalchemy import BigInteger, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.cases.states import CaseStatus, Programme, ScreeningStatus, ThreatLevel
from portal.core.db import Base, enum_column

# The ``case`` columns the tally is kept for, in the order the triggers copy them.
TALLIED_COLUMNS = (
    "status",
    "programme",
    "threat_level",
    "screening_status",
    "nationality",
    "country_of_stay",
    "assignee_id",
)


class _Faceted:
    """The columns every tally keeps: a row id, the queue's facets and the change."""

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    status: Mapped[CaseStatus] = enum_column(CaseStatus)
    programme: Mapped[Programme] = enum_column(Programme)
    threat_level: Mapped[ThreatLevel] = enum_column(ThreatLevel)
    screening_status: Mapped[ScreeningStatus] = enum_column(ScreeningStatus)
    assignee_id: Mapped[uuid.UUID | None]
    change: Mapped[int]


class _Tallied(_Faceted):
    """And ``TALLIED_COLUMNS``'s other two, the filters that are not facets."""

    nationality: Mapped[str | None] = mapped_column(String(2))
    country_of_stay: Mapped[str | None] = mapped_column(String(2))


class CaseTally(_Tallied, Base):
    __tablename__ = "case_tally"


# The facet tally's columns: the queue's facets alone.
FACET_COLUMNS = ("status", "programme", "threat_level", "screening_status", "assignee_id")


class CaseFacetTally(_Faceted, Base):
    """Every case but a draft per combination of the queue's facets: the tally without
    nationality and country of stay, a tenth as long."""

    __tablename__ = "case_facet_tally"


# What the waiting tally adds to the tally's columns: the UTC day the stage began.
WAITING_COLUMNS = (*TALLIED_COLUMNS, "entered_on")


class CaseWaitingTally(_Tallied, Base):
    """Open cases per combination of the tallied columns and the day they entered their stage.

    ``entered_on`` is the UTC date of ``case.status_changed_at``. Only open statuses are
    tallied here: only open cases wait.
    """

    __tablename__ = "case_waiting_tally"
    # Counting reads the days after a waiting time's boundary, the most recent ones.
    __table_args__ = (Index("ix_case_waiting_tally_entered_on", "entered_on"),)

    entered_on: Mapped[date] = mapped_column(Date)


# The facet waiting tally's columns: the queue's facets and the UTC day the stage began.
FACET_WAITING_COLUMNS = (*FACET_COLUMNS, "entered_on")


class CaseWaitingFacetTally(_Faceted, Base):
    """Open cases per combination of the queue's facets and the day they entered their
    stage: the waiting tally without nationality and country of stay."""

    __tablename__ = "case_waiting_facet_tally"
    __table_args__ = (Index("ix_case_waiting_facet_tally_entered_on", "entered_on"),)

    entered_on: Mapped[date] = mapped_column(Date)


# What the answer-due tally adds: the UTC day the answer to the open question is due.
ANSWER_DUE_COLUMNS = (*TALLIED_COLUMNS, "due_on")


class CaseAnswerDueTally(_Tallied, Base):
    """Cases waiting for an answer that has a deadline, per combination of the tallied
    columns and the UTC date of ``case.answer_due_at``."""

    __tablename__ = "case_answer_due_tally"
    # Counting reads the days before today's.
    __table_args__ = (Index("ix_case_answer_due_tally_due_on", "due_on"),)

    due_on: Mapped[date] = mapped_column(Date)
