"""How many cases there are per combination of the queue's filter columns.

Counting a million cases on every queue page is too slow, so the database keeps a tally:
triggers on ``case`` (migration 0005) append one row of -1 for the combination a case
leaves and one of +1 for the one it enters, whenever a non-draft case is inserted,
deleted or changes one of these columns. Appending never waits for a lock, so busy
workers and submissions do not queue behind one hot counter. A count is the sum of
``change`` over the matching rows; ``portal.cases.tally.compact`` folds the rows into
one per combination now and then.

Drafts are not counted: they belong to the applicant, not to any queue.
"""

import uuid

from sqlalchemy import BigInteger, Integer, String
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


class CaseTally(Base):
    __tablename__ = "case_tally"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    status: Mapped[CaseStatus] = enum_column(CaseStatus)
    programme: Mapped[Programme] = enum_column(Programme)
    threat_level: Mapped[ThreatLevel] = enum_column(ThreatLevel)
    screening_status: Mapped[ScreeningStatus] = enum_column(ScreeningStatus)
    nationality: Mapped[str | None] = mapped_column(String(2))
    country_of_stay: Mapped[str | None] = mapped_column(String(2))
    assignee_id: Mapped[uuid.UUID | None]
    change: Mapped[int]
