"""Writers adding to the same figures at once: the demo seeder's batch processes do, and
so would two refreshes. They must wait for each other, never deadlock."""

import os
import threading
import time
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select, text

from portal.cases.figures import add_counts
from portal.cases.models import EmployerFigure, Grain
from portal.extensions import db

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith(("postgresql", "postgres:")),
    reason="row locks and deadlock detection are PostgreSQL's",
)
JANUARY, FEBRUARY = date(2024, 1, 15), date(2024, 2, 15)
KEYS, MEASURES = ("nationality", "category"), ("cases", "people", "key_sum")


def _add(connection, *days: date) -> None:  # type: ignore[no-untyped-def]
    rows = [(day, "AF", "giz", 1, 3, 1000) for day in days]
    add_counts(connection, EmployerFigure, KEYS, MEASURES, (Grain.MONTH,), rows)


def _wait_until_someone_waits_for_a_lock(watcher) -> None:  # type: ignore[no-untyped-def]
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    for _ in range(200):
        if watcher.execute(waiting).scalar():
            return
        time.sleep(0.05)
    raise AssertionError("the second writer never waited for the first")


def test_two_writers_adding_to_the_same_figures_wait_for_each_other(app: Flask) -> None:
    errors: list[Exception] = []
    with app.app_context():
        engine = db.engine
        with engine.connect() as first, engine.connect() as second, engine.connect() as watcher:
            first.begin()
            _add(first, JANUARY)  # holds January's row

            def second_writer() -> None:
                try:
                    with second.begin():
                        _add(second, FEBRUARY, JANUARY)  # given in the other order
                except Exception as error:  # noqa: BLE001 - the deadlock is what is looked for
                    errors.append(error)

            thread = threading.Thread(target=second_writer)
            thread.start()
            _wait_until_someone_waits_for_a_lock(watcher)
            try:
                _add(first, FEBRUARY)  # the second writer must not hold February by now
                first.commit()
            except Exception as error:  # noqa: BLE001
                errors.append(error)
                first.rollback()
            thread.join(timeout=30)
        assert not errors, errors
        counted = db.session.execute(
            select(EmployerFigure.start, EmployerFigure.cases).order_by(EmployerFigure.start)
        ).all()
    assert counted == [(date(2024, 1, 1), 2), (date(2024, 2, 1), 2)]
