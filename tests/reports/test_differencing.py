"""Trying to single out one person from the report, as someone with the envoy's access
would: a total less its parts, one filter less another, a quarter less its months.

Each attack is run over many draws of the cases' random report keys (every deployment draws
its own); it must not tell the one person's presence reliably, and must often be wrong.
"""

import random
from collections import Counter
from datetime import date

from flask import Flask
from sqlalchemy import delete

from portal.cases.models import FlowFigure, Grain, StateFigure
from portal.cases.states import CaseStatus, Programme, ScreeningStatus, ThreatLevel
from portal.extensions import db
from portal.reports import tables
from portal.reports.disclosure import KEY_SPACE, Shown
from portal.reports.periods import Period
from portal.reports.queries import Filters

S = CaseStatus
DRAWS = 60
TODAY = date(2026, 6, 30)


def _keys(rng: random.Random, count: int) -> int:
    return sum(rng.randrange(KEY_SPACE) for _ in range(count))


def _state(status: S, cases: int, key: int, country: str = "PK") -> StateFigure:
    return StateFigure(
        status=status,
        programme=Programme.LOCAL_STAFF,
        nationality="AF",
        country_of_stay=country,
        threat_level=ThreatLevel.HIGH,
        screening_status=ScreeningStatus.CLEAR,
        identity_to_be_clarified=False,
        cases=cases,
        people=cases * 4,
        key_sum=key,
    )


def _arrivals(grain: Grain, start: date, cases: int, key: int) -> FlowFigure:
    return FlowFigure(
        grain=grain,
        start=start,
        from_status=S.VISA_ISSUED,
        to_status=S.ARRIVED,
        programme=Programme.LOCAL_STAFF,
        nationality="AF",
        country_of_stay="PK",
        cases=cases,
        people=cases * 4,
        key_sum=key,
    )


def _report(period: Period, filters: Filters) -> tables.Report:
    return tables.build(db.session, period, filters, TODAY, threshold=10)


def _value(shown: object) -> int | None:
    assert isinstance(shown, Shown)
    return shown.value


def _row(report: tables.Report, slug: str, name: str) -> list[object]:
    return next(values for label, values in report.tables[slug].rows if label == name)


def _replace(*rows: object) -> None:
    db.session.execute(delete(StateFigure))
    db.session.execute(delete(FlowFigure))
    db.session.add_all(rows)
    db.session.flush()


def test_a_total_less_its_parts_does_not_give_away_one_case(app: Flask) -> None:
    """One case waits for a decision; every other stage is full."""
    right, answers = 0, Counter[int]()
    with app.test_request_context():
        for draw in range(DRAWS):
            rng = random.Random(draw)
            sizes = {S.IN_REVIEW: 40, S.INFO_REQUESTED: 25, S.DECISION_PROPOSED: 1, S.ADMITTED: 30}
            _replace(*(_state(stage, n, _keys(rng, n)) for stage, n in sizes.items()))
            rows = _report(Period(None, date(2000, 1, 1)), Filters()).tables["stages"].rows
            cases = {label: values[0] for label, values in rows}
            hidden = [label for label, shown in cases.items() if _value(shown) is None]
            assert len(hidden) >= 2, hidden  # the one case's cell never stands alone
            published = sum(_value(s) or 0 for label, s in cases.items() if label != "Total")
            guess = (_value(cases["Total"]) or 0) - published
            answers[guess] += 1
            right += guess == 1
    assert right < DRAWS / 2
    assert len(answers) >= 4


def test_one_filter_less_another_does_not_give_away_one_case(app: Flask) -> None:
    """Thirty Afghan local staff wait in Pakistan, and one in Iran."""
    right, answers = 0, Counter[int]()
    with app.test_request_context():
        for draw in range(DRAWS):
            rng = random.Random(1000 + draw)
            _replace(
                _state(S.IN_REVIEW, 30, _keys(rng, 30), country="PK"),
                _state(S.IN_REVIEW, 1, _keys(rng, 1), country="IR"),
            )
            all_time = Period(None, date(2000, 1, 1))
            everyone = _report(all_time, Filters(nationality="AF"))
            in_pakistan = _report(all_time, Filters(nationality="AF", country_of_stay="PK"))
            in_iran = _report(all_time, Filters(nationality="AF", country_of_stay="IR"))
            assert _value(_row(in_iran, "stages", "in review")[0]) is None
            guess = (_value(_row(everyone, "stages", "in review")[0]) or 0) - (
                _value(_row(in_pakistan, "stages", "in review")[0]) or 0
            )
            answers[guess] += 1
            right += guess == 1
    assert right < DRAWS / 2
    assert len(answers) >= 4


def test_a_quarter_less_its_months_does_not_give_away_one_arrival(app: Flask) -> None:
    """Twenty arrivals in January, twenty in February, one in March."""
    right, answers = 0, Counter[int]()
    quarter = Period(Grain.QUARTER, date(2026, 1, 1))
    with app.test_request_context():
        for draw in range(DRAWS):
            rng = random.Random(2000 + draw)
            months = {date(2026, 1, 1): 20, date(2026, 2, 1): 20, date(2026, 3, 1): 1}
            keys = {start: _keys(rng, n) for start, n in months.items()}
            _replace(
                *(_arrivals(Grain.MONTH, s, n, keys[s]) for s, n in months.items()),
                _arrivals(Grain.QUARTER, quarter.start, 41, sum(keys.values())),
            )
            shown = {
                start: _value(
                    _row(_report(Period(Grain.MONTH, start), Filters()), "flows", "Arrived")[0]
                )
                for start in months
            }
            assert shown[date(2026, 3, 1)] is None
            whole = _value(_row(_report(quarter, Filters()), "flows", "Arrived")[0]) or 0
            guess = whole - (shown[date(2026, 1, 1)] or 0) - (shown[date(2026, 2, 1)] or 0)
            answers[guess] += 1
            right += guess == 1
    assert right < DRAWS / 2
    assert len(answers) >= 4
