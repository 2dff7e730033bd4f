"""Figures for the envoy's reports, kept apart from the cases they count.

Reports never read a case: they read these tables, which hold counts per calendar period
and per value of the clear columns (programme, nationality, country of stay), each count
with its *key sum*, the sum of the counted cases' random ``report_key`` values, from which
disclosure control derives its noise (``portal.reports.disclosure``).

- ``CaseMove``: one row per move through the lifecycle, written by ``transition()`` in the
  mover's transaction, and folded away by ``portal.cases.figures.refresh``. It holds only
  the week and month of the move, not its moment.
- ``FlowFigure`` and ``WaitFigure``: moves and the time spent before them, per period.
- ``StateFigure``: where the submitted cases stand, rebuilt at every refresh.
- ``EmployerTick`` and ``EmployerFigure``: local staff by employer category. Having worked
  for the Bundeswehr is what endangers a person, so no row says which case it counts: the
  intake job leaves a sealed tick without a case id, and the refresh adds it to monthly
  figures (see docs/reports.md).
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Date, Float, Index, Integer, LargeBinary, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.cases.states import CaseStatus, Programme, ScreeningStatus, ThreatLevel
from portal.core.db import Base, UTCDateTime, enum_column, uuid_pk

# Bigint on PostgreSQL; SQLite only numbers a rowid alias when it is plain INTEGER.
_serial = BigInteger().with_variant(Integer, "sqlite")


class Grain(StrEnum):
    """The calendar periods figures are kept for; "all time" adds up the years."""

    WEEK = "week"  # ISO weeks, Monday to Sunday
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


# The upper bounds, in days, of the buckets waiting times are counted in; the last bucket
# has none. Fine where most cases are (days and weeks), coarse beyond a year.
WAIT_BUCKET_DAYS = (
    1 / 24,
    1 / 4,
    1,
    2,
    3,
    5,
    7,
    10,
    14,
    21,
    28,
    42,
    56,
    70,
    91,
    119,
    147,
    182,
    238,
    301,
    365,
    456,
    547,
    730,
)
# Waiting from submission to a decision is kept as if it were a stage of its own.
TO_DECISION = "to_decision"


class CaseMove(Base):
    """One move through the lifecycle, waiting to be folded into the figures."""

    __tablename__ = "case_move"

    id: Mapped[int] = mapped_column(_serial, primary_key=True, autoincrement=True)
    week: Mapped[date] = mapped_column(Date)
    month: Mapped[date] = mapped_column(Date)
    from_status: Mapped[CaseStatus] = enum_column(CaseStatus)
    to_status: Mapped[CaseStatus] = enum_column(CaseStatus)
    programme: Mapped[Programme] = enum_column(Programme)
    nationality: Mapped[str] = mapped_column(String(2))  # "" when not given
    country_of_stay: Mapped[str] = mapped_column(String(2))
    people: Mapped[int]
    report_key: Mapped[int] = mapped_column(BigInteger)
    stage_days: Mapped[float] = mapped_column(Float)  # in ``from_status``
    decision_days: Mapped[float | None] = mapped_column(Float)  # since submission


class _Dimensions:
    """The clear columns every figure is broken down by."""

    programme: Mapped[Programme] = enum_column(Programme)
    nationality: Mapped[str] = mapped_column(String(2))
    country_of_stay: Mapped[str] = mapped_column(String(2))


class FlowFigure(_Dimensions, Base):
    """How many cases (and people) moved from one stage to another in one period."""

    __tablename__ = "flow_figure"

    id: Mapped[int] = mapped_column(_serial, primary_key=True, autoincrement=True)
    grain: Mapped[Grain] = enum_column(Grain)
    start: Mapped[date] = mapped_column(Date)
    from_status: Mapped[CaseStatus] = enum_column(CaseStatus)
    to_status: Mapped[CaseStatus] = enum_column(CaseStatus)
    cases: Mapped[int]
    people: Mapped[int]
    key_sum: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        Index(
            "uq_flow_figure_cell",
            "grain",
            "start",
            "from_status",
            "to_status",
            "programme",
            "nationality",
            "country_of_stay",
            unique=True,
        ),
    )


class WaitFigure(_Dimensions, Base):
    """How many cases left a stage (or were decided) in one period after waiting so long."""

    __tablename__ = "wait_figure"

    id: Mapped[int] = mapped_column(_serial, primary_key=True, autoincrement=True)
    grain: Mapped[Grain] = enum_column(Grain)
    start: Mapped[date] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(32))  # a CaseStatus or TO_DECISION
    bucket: Mapped[int] = mapped_column(SmallInteger)  # index into WAIT_BUCKET_DAYS
    cases: Mapped[int]
    key_sum: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        Index(
            "uq_wait_figure_cell",
            "grain",
            "start",
            "stage",
            "programme",
            "nationality",
            "country_of_stay",
            "bucket",
            unique=True,
        ),
    )


class StateFigure(_Dimensions, Base):
    """Where submitted cases stand at the last refresh, with their risk and identity."""

    __tablename__ = "state_figure"

    id: Mapped[int] = mapped_column(_serial, primary_key=True, autoincrement=True)
    status: Mapped[CaseStatus] = enum_column(CaseStatus)
    threat_level: Mapped[ThreatLevel] = enum_column(ThreatLevel)
    screening_status: Mapped[ScreeningStatus] = enum_column(ScreeningStatus)
    identity_to_be_clarified: Mapped[bool]
    cases: Mapped[int]
    people: Mapped[int]
    key_sum: Mapped[int] = mapped_column(BigInteger)


class EmployerTick(Base):
    """One local staff case's employer category, sealed, with no link to the case.

    The sealed value holds the month, nationality, category, people and report key; only
    the refresh, which holds the internal key, opens it and adds it to the figures.
    """

    __tablename__ = "employer_tick"

    id: Mapped[uuid_pk]
    key_version: Mapped[int]
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


class EmployerFigure(Base):
    """Local staff cases (and people) per employer category, month, quarter and year."""

    __tablename__ = "employer_figure"

    id: Mapped[int] = mapped_column(_serial, primary_key=True, autoincrement=True)
    grain: Mapped[Grain] = enum_column(Grain)
    start: Mapped[date] = mapped_column(Date)
    nationality: Mapped[str] = mapped_column(String(2))
    category: Mapped[str] = mapped_column(String(32))
    cases: Mapped[int]
    people: Mapped[int]
    key_sum: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        Index("uq_employer_figure_cell", "grain", "start", "nationality", "category", unique=True),
    )


class FiguresRefresh(Base):
    """When the figures were last brought up to date: one row."""

    __tablename__ = "figures_refresh"

    id: Mapped[int] = mapped_column(primary_key=True)
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: never
