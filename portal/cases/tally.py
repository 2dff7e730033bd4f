"""Keeping the case tally small (the tally itself: ``portal.cases.models.tally``)."""

from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.exc import OperationalError

from portal.cases.models import CaseTally
from portal.cases.models.tally import TALLIED_COLUMNS


def compact(engine: Engine) -> int:
    """Fold the tally's rows into one per combination; returns how many fewer there are.

    Every row up to the highest id seen is summed and replaced in one transaction that
    sees one snapshot, so a row committed meanwhile is either in the sum or left for the
    next time, never lost or counted twice. Safe to run at any time, from any process.
    """
    isolation = "REPEATABLE READ" if engine.dialect.name == "postgresql" else None
    options = {"isolation_level": isolation} if isolation else {}
    dimensions = [getattr(CaseTally, name) for name in TALLIED_COLUMNS]
    try:
        with engine.connect().execution_options(**options) as connection, connection.begin():
            top = connection.scalar(select(func.max(CaseTally.id)))
            if top is None:
                return 0
            folded = (
                select(*dimensions, func.sum(CaseTally.change))
                .where(CaseTally.id <= top)
                .group_by(*dimensions)
                .having(func.sum(CaseTally.change) != 0)
            )
            added = connection.execute(
                insert(CaseTally).from_select([*TALLIED_COLUMNS, "change"], folded)
            ).rowcount
            return connection.execute(delete(CaseTally).where(CaseTally.id <= top)).rowcount - added
    except OperationalError as error:
        if not lost_a_race(error):
            raise
        return 0  # the next run folds what this one could not


def lost_a_race(error: OperationalError) -> bool:
    """Another writer came first: SQLite was locked, or PostgreSQL could not serialize
    this snapshot with another folding or found the row it would lock already taken."""
    return getattr(error.orig, "sqlstate", None) in ("40001", "55P03") or "locked" in str(
        error.orig
    )
