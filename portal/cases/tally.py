"""Keeping the case tallies small (the tallies themselves: ``portal.cases.models.tally``)."""

from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select
from sqlalchemy.exc import OperationalError

from portal.cases.models import CaseAnswerDueTally, CaseTally, CaseWaitingTally
from portal.cases.models.tally import ANSWER_DUE_COLUMNS, TALLIED_COLUMNS, WAITING_COLUMNS

# Each tally, its columns, and the order its folded rows are written in: the tallies by day
# are read by a range of days, which then lie together.
TALLIES = (
    (CaseTally, TALLIED_COLUMNS, ()),
    (CaseWaitingTally, WAITING_COLUMNS, (CaseWaitingTally.entered_on,)),
    (CaseAnswerDueTally, ANSWER_DUE_COLUMNS, (CaseAnswerDueTally.due_on,)),
)


def compact(engine: Engine) -> int:
    """Fold each tally's rows into one per combination; returns how many fewer there are.

    Every row up to the highest id seen is summed and replaced in one transaction that
    sees one snapshot, so a row committed meanwhile is either in the sum or left for the
    next time, never lost or counted twice. Safe to run at any time, from any process.
    """
    isolation = "REPEATABLE READ" if engine.dialect.name == "postgresql" else None
    options = {"isolation_level": isolation} if isolation else {}
    folded = 0
    for table, columns, order in TALLIES:
        try:
            with engine.connect().execution_options(**options) as connection, connection.begin():
                folded += _fold(connection, table, columns, order)
        except OperationalError as error:
            if not lost_a_race(error):
                raise
            # the next run folds what this one could not
    return folded


def _fold(connection: Connection, table: Any, columns: tuple[str, ...], order: Any) -> int:
    top = connection.scalar(select(func.max(table.id)))
    if top is None:
        return 0
    dimensions = [getattr(table, name) for name in columns]
    folded = (
        select(*dimensions, func.sum(table.change))
        .where(table.id <= top)
        .group_by(*dimensions)
        .having(func.sum(table.change) != 0)
        .order_by(*order)
    )
    added = connection.execute(insert(table).from_select([*columns, "change"], folded)).rowcount
    return connection.execute(delete(table).where(table.id <= top)).rowcount - added


def lost_a_race(error: OperationalError) -> bool:
    """Another writer came first: SQLite was locked, or PostgreSQL could not serialize
    this snapshot with another folding or found the row it would lock already taken."""
    return getattr(error.orig, "sqlstate", None) in ("40001", "55P03") or "locked" in str(
        error.orig
    )
