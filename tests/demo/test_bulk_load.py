"""A large demo load on PostgreSQL sets the seeded tables' secondary indexes and foreign
keys aside and always gets them back: after a load, a failed load and a killed one."""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from portal.cases.models import Case
from portal.demo import bulk, seeder
from portal.demo.rows import COLUMNS
from portal.extensions import db

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith(("postgresql", "postgres:")),
    reason="the bulk load is PostgreSQL's; set TEST_DATABASE_URL=postgresql://...",
)


def _schema() -> set[tuple[str, str]]:
    """Every index and constraint of the seeded tables, with its definition."""
    tables = {"tables": list(COLUMNS)}
    indexes = db.session.execute(
        text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(:tables)"), tables
    )
    constraints = db.session.execute(
        text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid::regclass::text = ANY(:quoted)"
        ),
        {"quoted": [f'"{name}"' if name == "case" else name for name in COLUMNS]},
    )
    found = {tuple(row) for row in [*indexes, *constraints]}
    db.session.commit()
    return found


def _secondary_indexes_of_blind_index() -> int:
    with db.engine.connect() as connection:
        return connection.scalar(
            text(
                "SELECT count(*) FROM pg_indexes WHERE tablename = 'blind_index' "
                "AND indexname LIKE 'ix_%'"
            )
        )


@pytest.fixture
def small_bulk(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Twenty cases count as a bulk load; yields the secondary indexes of ``blind_index``
    seen while the batches run."""
    monkeypatch.setattr(bulk, "BULK_CASES", 20)
    seen: list[int] = []
    real = seeder.run_batches

    def watched(*arguments: Any) -> Iterator[Any]:
        seen.append(_secondary_indexes_of_blind_index())
        yield from real(*arguments)

    monkeypatch.setattr(seeder, "run_batches", watched)
    yield seen


def _seed(count: int, lines: list[str]) -> None:
    seeder.seed(count, batch_size=10, workers=1, random_seed=3, echo=lines.append)


def test_a_bulk_load_gives_back_every_index_and_foreign_key(
    app: Flask, small_bulk: list[int]
) -> None:
    before = _schema()
    assert _secondary_indexes_of_blind_index() == 3
    lines: list[str] = []
    _seed(20, lines)
    assert small_bulk == [0]  # set aside while the rows went in
    assert any(line.startswith("Loading in bulk") for line in lines)
    assert _schema() == before
    assert db.session.scalar(select(func.count()).select_from(Case)) == 20
    assert not (Path(app.instance_path) / bulk.PENDING).exists()


def test_a_failed_load_gives_them_back_too(
    app: Flask, small_bulk: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _schema()

    def failing(*_arguments: Any) -> Any:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(seeder, "seed_batch", failing)
    with pytest.raises(RuntimeError, match="disk is full"):
        _seed(20, [])
    assert small_bulk == [0]
    assert _schema() == before


def test_a_load_killed_midway_is_mended_by_the_next_seed(app: Flask) -> None:
    before = _schema()
    instance = Path(app.instance_path)
    bulk.set_aside(db.engine, list(COLUMNS), instance)  # and then the process died
    assert _secondary_indexes_of_blind_index() == 0
    assert (instance / bulk.PENDING).exists()

    lines: list[str] = []
    _seed(5, lines)  # too few to load in bulk: only the mending
    assert "interrupted run" in lines[0]
    assert _schema() == before
    assert not (instance / bulk.PENDING).exists()


def test_a_small_load_or_one_into_more_cases_goes_through_the_indexes(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "BULK_CASES", 20)
    lines: list[str] = []
    _seed(10, lines)  # fewer than the threshold
    assert not any(line.startswith("Loading in bulk") for line in lines)
    _seed(20, lines)  # as many as the threshold, and more than the 10 there are
    assert sum(line.startswith("Loading in bulk") for line in lines) == 1
    _seed(20, lines)  # 30 are there already: rebuilding their indexes would cost more
    assert sum(line.startswith("Loading in bulk") for line in lines) == 1


def test_what_was_set_aside_in_another_database_waits_for_it(app: Flask) -> None:
    pending = Path(app.instance_path) / bulk.PENDING
    pending.write_text(
        '{"database": "another", "indexes": [["ix_gone", "CREATE INDEX ix_gone ON x (y)"]],'
        ' "foreign_keys": []}'
    )
    lines: list[str] = []
    _seed(5, lines)
    assert not any("interrupted run" in line for line in lines)
    assert pending.exists()  # for a seed of that database to mend
    pending.unlink()
