"""The figures against hand-computed fixtures, and against a count from scratch while
cases move."""

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from portal.cases import figures, lifecycle
from portal.cases.models import Case, CaseTransition, EmployerFigure, FlowFigure, Grain
from portal.cases.states import ActorKind, CaseStatus, Programme, ScreeningStatus
from portal.extensions import db
from portal.reports import queries
from portal.reports.periods import Period
from portal.reports.queries import Filters
from tests.factories import make_case

S = CaseStatus
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # week 10 of 2026


class FakeClock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, start: datetime) -> None:
        self.now = start
        monkeypatch.setattr(lifecycle, "utcnow", lambda: self.now)


def _cases(count: int, *, family: int = 2, **columns: object) -> list[Case]:
    made = []
    for _ in range(count):
        case, _code = make_case(db.session, family=family)
        case.screening_status = ScreeningStatus.CLEAR  # admissions need it (a trigger checks)
        for name, value in columns.items():
            setattr(case, name, value)
        made.append(case)
    db.session.flush()
    return made


def _move(cases: list[Case], *targets: S) -> None:
    for case in cases:
        for target in targets:
            lifecycle.transition(db.session, case, target, actor_kind=ActorKind.SYSTEM)


def _refresh(now: datetime) -> None:
    db.session.commit()
    assert figures.refresh(db.engine, now)


def test_figures_match_a_hand_computed_month(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock(monkeypatch, MONDAY)
    cases = _cases(12)  # a principal and two family members each: 36 people
    _move(cases, S.SUBMITTED, S.SCREENING, S.IN_REVIEW)
    clock.now = MONDAY + timedelta(days=10)
    _move(cases[:10], S.DECISION_PROPOSED)
    clock.now = MONDAY + timedelta(days=18)
    _move(cases[:10], S.ADMITTED)
    _refresh(MONDAY + timedelta(days=20))

    march = Period(Grain.MONTH, date(2026, 3, 1))
    moves = queries.flows(db.session, march, Filters())
    assert (
        queries.entries(moves, S.SUBMITTED).cases,
        queries.entries(moves, S.SUBMITTED).people,
    ) == (12, 36)
    assert (
        queries.entries(moves, S.ADMITTED).cases,
        queries.entries(moves, S.ADMITTED).people,
    ) == (10, 30)
    assert queries.entries(moves, S.REJECTED).cases == 0
    # The same moves in week 10, week 11 (proposals) and week 12 (admissions).
    for monday, stage, count in (
        (date(2026, 3, 2), S.SUBMITTED, 12),
        (date(2026, 3, 9), S.DECISION_PROPOSED, 10),
        (date(2026, 3, 9), S.ADMITTED, 0),
        (date(2026, 3, 16), S.ADMITTED, 10),
    ):
        week = queries.flows(db.session, Period(Grain.WEEK, monday), Filters())
        assert queries.entries(week, stage).cases == count, (monday, stage)
    # In review ten days, proposed eight: one bucket each; submission to decision 18 days.
    waits = queries.waits(db.session, march, Filters())
    assert [(b.low, b.high, b.cases) for b in waits[S.IN_REVIEW.value]] == [(10, 14, 10)]
    assert [(b.low, b.high, b.cases) for b in waits[S.DECISION_PROPOSED.value]] == [(7, 10, 10)]
    assert [(b.low, b.high, b.cases) for b in waits["to_decision"]] == [(14, 21, 10)]
    # Where they stand, and the backlog at the end of each week, worked back from there.
    now = queries.stages_now(db.session, Filters())
    assert (now[S.IN_REVIEW].cases, now[S.IN_REVIEW].people) == (2, 6)
    assert (now[S.ADMITTED].cases, now[S.ADMITTED].people) == (10, 30)
    grain, starts = queries.bins(march, queries.first_figure(db.session), date(2026, 3, 22))
    assert grain == Grain.WEEK and starts[0] == date(2026, 2, 23)
    backlog = queries.backlog(
        now, queries.series(db.session, grain, starts, Filters()), starts, grain
    )
    assert {s: backlog[date(2026, 3, 2)][s].cases for s in (S.IN_REVIEW, S.DECISION_PROPOSED)} == {
        S.IN_REVIEW: 12,
        S.DECISION_PROPOSED: 0,
    }
    assert backlog[date(2026, 3, 9)][S.DECISION_PROPOSED].cases == 10
    assert backlog[date(2026, 3, 16)][S.ADMITTED].cases == 10
    assert backlog[date(2026, 2, 23)][S.IN_REVIEW].cases == 0  # before any was submitted
    # Filters: none of them were at-risk cases or Iranian.
    at_risk = queries.flows(db.session, march, Filters(programme=Programme.AT_RISK))
    assert queries.entries(at_risk, S.SUBMITTED).cases == 0
    iranian = queries.flows(db.session, march, Filters(nationality="IR"))
    assert queries.entries(iranian, S.SUBMITTED).cases == 0
    # The key sum of a figure is the sum of the counted cases' report keys.
    assert queries.entries(moves, S.ADMITTED).key == sum(case.report_key for case in cases[:10])


def test_a_move_counts_once_and_only_after_a_refresh(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    FakeClock(monkeypatch, MONDAY)
    cases = _cases(3)
    _move(cases, S.SUBMITTED)
    _refresh(MONDAY)
    _move(cases, S.SCREENING)
    db.session.commit()
    week = Period(Grain.WEEK, date(2026, 3, 2))
    assert queries.entries(queries.flows(db.session, week, Filters()), S.SCREENING).cases == 0
    _refresh(MONDAY)
    _refresh(MONDAY)  # nothing waiting: nothing added twice
    moves = queries.flows(db.session, week, Filters())
    assert queries.entries(moves, S.SCREENING).cases == 3
    assert queries.entries(moves, S.SUBMITTED).cases == 3
    assert queries.refreshed_at(db.session) == MONDAY


def _from_scratch(grain: Grain) -> Counter[tuple[date, S, S, str]]:
    """Moves per period counted straight from the history, the slow way."""
    counted: Counter[tuple[date, S, S, str]] = Counter()
    rows = db.session.execute(
        select(
            CaseTransition.at,
            CaseTransition.from_status,
            CaseTransition.to_status,
            Case.nationality,
        )
        .join(Case, Case.id == CaseTransition.case_id)
        .where(CaseTransition.from_status.is_not(None))
    )
    for at, old, new, nationality in rows:
        counted[(figures.period_start(grain, at.date()), old, new, nationality or "")] += 1
    return counted


def _kept(grain: Grain) -> Counter[tuple[date, S, S, str]]:
    counted: Counter[tuple[date, S, S, str]] = Counter()
    for row in db.session.scalars(select(FlowFigure).where(FlowFigure.grain == grain)):
        counted[(row.start, row.from_status, row.to_status, row.nationality)] += row.cases
    return +counted


def test_figures_stay_equal_to_a_count_from_scratch_while_cases_move(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(12)
    clock = FakeClock(monkeypatch, datetime(2025, 12, 20, tzinfo=UTC))
    cases = _cases(30, family=0)
    for case in cases:
        case.nationality = rng.choice(["AF", "IR", "SY"])
    _move(cases, S.SUBMITTED, S.SCREENING, S.IN_REVIEW)
    # Ninety days of moves across weeks, months, a quarter and a year boundary, with a
    # refresh now and then in between, as the worker's timer makes them.
    for day in range(90):
        clock.now += timedelta(days=1, minutes=rng.randrange(600))
        for case in rng.sample(cases, 4):
            possible = sorted(lifecycle.ALLOWED[case.status])
            if possible:
                lifecycle.transition(
                    db.session, case, rng.choice(possible), actor_kind=ActorKind.SYSTEM
                )
        if day % 7 == 3:
            _refresh(clock.now)
    _refresh(clock.now)
    for grain in Grain:
        assert _kept(grain) == _from_scratch(grain), grain
    # And where cases stand, by status.
    now = queries.stages_now(db.session, Filters())
    standing = Counter(case.status for case in cases)
    assert {stage: now[stage].cases for stage in queries.STAGES} == {
        stage: standing[stage] for stage in queries.STAGES
    }


def test_local_staff_employers_are_counted_without_a_case_trace(
    staff_app: Flask, submitted_case
) -> None:
    """Intake leaves sealed ticks without a case id; the refresh turns them into counts."""
    from portal.cases.models import EmployerTick
    from portal.intake.employers import refresh_figures

    for _ in range(3):
        submitted_case()
    with staff_app.app_context():
        ticks = db.session.scalars(select(EmployerTick)).all()
        assert len(ticks) == 3
        assert not any(b"bundeswehr" in tick.sealed for tick in ticks)
        assert "case_id" not in EmployerTick.__table__.columns
        assert refresh_figures(
            db.session, staff_app.extensions["portal.keyring"], datetime.now(UTC)
        )
        assert db.session.scalars(select(EmployerTick)).all() == []
        counted = {
            (row.grain, row.category): (row.cases, row.people)
            for row in db.session.scalars(select(EmployerFigure))
        }
        assert counted[(Grain.MONTH, "bundeswehr")] == (3, 9)
        assert counted[(Grain.YEAR, "bundeswehr")] == (3, 9)
        assert (Grain.WEEK, "bundeswehr") not in counted
