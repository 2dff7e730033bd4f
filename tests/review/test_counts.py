"""Counts per filter value, from the tally the database keeps in step with the cases."""

import itertools
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, func, select
from werkzeug.datastructures import MultiDict

from portal.accounts.models import StaffUser
from portal.cases import lifecycle
from portal.cases.models import (
    Case,
    CaseAnswerDueTally,
    CaseFacetTally,
    CaseTally,
    CaseWaitingFacetTally,
    CaseWaitingTally,
)
from portal.cases.models.tally import (
    ANSWER_DUE_COLUMNS,
    FACET_COLUMNS,
    FACET_WAITING_COLUMNS,
    TALLIED_COLUMNS,
    WAITING_COLUMNS,
)
from portal.cases.states import (
    OPEN_STATUSES,
    ActorKind,
    CaseStatus,
    Programme,
    ScreeningStatus,
    ThreatLevel,
)
from portal.cases.tally import PAST, compact
from portal.core.actors import Role
from portal.core.db import utcnow
from portal.extensions import db
from portal.intake.worker import run_tally_compaction_forever
from portal.review.counts import facet_counts
from portal.review.queue import Filters, page
from tests.factories import make_case
from tests.review.conftest import update_case


def _tally_and_truth(
    app: Flask, table: Any = CaseTally, columns: tuple[str, ...] = TALLIED_COLUMNS
) -> tuple[Counter, Counter]:
    """A tally's sums, and the cases but drafts counted by the same columns."""
    with app.app_context():
        tallied = [getattr(table, name) for name in columns]
        counted = [getattr(Case, name) for name in columns]
        tally = Counter(
            {
                tuple(key): number
                for *key, number in db.session.execute(
                    select(*tallied, func.sum(table.change)).group_by(*tallied)
                )
                if number
            }
        )
        truth = Counter(
            {
                tuple(key): number
                for *key, number in db.session.execute(
                    select(*counted, func.count())
                    .where(Case.status != CaseStatus.DRAFT)
                    .group_by(*counted)
                )
            }
        )
        db.session.remove()
    return tally, truth


def _by_day_tally_and_truth(
    app: Flask, tally: Any, columns: tuple[str, ...], moment: Any, *kept: Any
) -> tuple[Counter, Counter]:
    """A tally by day's sums, and the cases that ``kept`` lets through counted by
    combination and the UTC day of their ``moment``."""
    with app.app_context():
        tallied = [getattr(tally, name) for name in columns]
        sums = Counter(
            {
                tuple(key): number
                for *key, number in db.session.execute(
                    select(*tallied, func.sum(tally.change)).group_by(*tallied)
                )
                if number
            }
        )
        counted = [getattr(Case, name) for name in columns[:-1]]  # the last is the day
        truth = Counter(
            (*key, at.astimezone(UTC).date())
            for *key, at in db.session.execute(select(*counted, moment).where(*kept))
        )
        db.session.remove()
    return sums, truth


def _waiting_tally_and_truth(app: Flask) -> tuple[Counter, Counter]:
    """The waiting tally, and the open cases by the day they entered their stage."""
    return _by_day_tally_and_truth(
        app,
        CaseWaitingTally,
        WAITING_COLUMNS,
        Case.status_changed_at,
        Case.status.in_(OPEN_STATUSES),
    )


def _facet_waiting_tally_and_truth(app: Flask) -> tuple[Counter, Counter]:
    """The facet waiting tally, and the open cases by their facets and the day they
    entered their stage."""
    return _by_day_tally_and_truth(
        app,
        CaseWaitingFacetTally,
        FACET_WAITING_COLUMNS,
        Case.status_changed_at,
        Case.status.in_(OPEN_STATUSES),
    )


def _answer_due_tally_and_truth(app: Flask) -> tuple[Counter, Counter]:
    """The answer-due tally, and the questions with a deadline by the day it falls on."""
    return _by_day_tally_and_truth(
        app,
        CaseAnswerDueTally,
        ANSWER_DUE_COLUMNS,
        Case.answer_due_at,
        Case.status == CaseStatus.INFO_REQUESTED,
        Case.answer_due_at.is_not(None),
    )


def test_the_answer_due_tally_follows_questions_deadlines_and_answers(
    staff_app: Flask, submitted_case: Callable[..., Case], make_staff
) -> None:
    worker, _secret = make_staff("carla", Role.CASEWORKER)
    asked, reminded, answered, legacy, gone, late, later = (submitted_case() for _ in range(7))
    due = utcnow() + timedelta(days=14)
    for case in (asked, reminded, answered, gone):
        update_case(staff_app, case, status=CaseStatus.INFO_REQUESTED, answer_due_at=due)
    for case, days in ((late, 3), (later, 40)):  # past their deadlines, the same combination
        update_case(
            staff_app,
            case,
            status=CaseStatus.INFO_REQUESTED,
            answer_due_at=utcnow() - timedelta(days=days),
        )
    update_case(staff_app, legacy, status=CaseStatus.INFO_REQUESTED)  # no deadline: not tallied
    update_case(staff_app, asked, assignee_id=worker.id)
    update_case(staff_app, reminded, answer_due_at=due + timedelta(days=7))  # a new deadline
    update_case(staff_app, reminded, answer_due_at=due + timedelta(days=7, hours=1))  # same day
    update_case(staff_app, answered, status=CaseStatus.IN_REVIEW, answer_due_at=None)
    with staff_app.app_context():
        db.session.execute(delete(Case).where(Case.id == gone.id))
        db.session.commit()

    tally, truth = _answer_due_tally_and_truth(staff_app)
    assert tally == truth and sum(truth.values()) == 4 and len(truth) == 4
    with staff_app.app_context():
        compact(db.engine)
        rows = db.session.scalar(select(func.count()).select_from(CaseAnswerDueTally))
        db.session.remove()
    # Folded, the days already past are one row per combination: only "before today" is
    # ever asked of them.
    today = utcnow().date()
    folded = Counter()
    for (*key, day), number in truth.items():
        folded[(*key, PAST if day < today else day)] += number
    assert len(folded) == 3 and rows == 3  # one row per combination and day
    assert _answer_due_tally_and_truth(staff_app) == (folded, truth)


def _counts(app: Flask, user: StaffUser, **query: str) -> dict[str, Counter]:
    with app.app_context():
        found = facet_counts(db.session, user, Filters.from_args(MultiDict(query)))
        db.session.remove()
    return found


def test_the_tally_follows_every_change_to_the_cases(
    staff_app: Flask, submitted_case: Callable[..., Case], make_staff
) -> None:
    worker, _secret = make_staff("carla", Role.CASEWORKER)
    first, second, third = (submitted_case() for _ in range(3))
    with staff_app.app_context():
        make_case(db.session)  # a draft: never counted
        db.session.commit()
    update_case(staff_app, first, status=CaseStatus.INFO_REQUESTED, threat_level=ThreatLevel.HIGH)
    update_case(staff_app, second, assignee_id=worker.id, nationality="IR")
    update_case(staff_app, second, priority_score=40)  # not a tallied column: no new rows
    update_case(staff_app, second, status_changed_at=utcnow() - timedelta(days=3))
    update_case(staff_app, first, status=CaseStatus.REJECTED)  # no longer waiting
    update_case(staff_app, first, status=CaseStatus.IN_REVIEW)
    with staff_app.app_context():
        db.session.execute(delete(Case).where(Case.id == third.id))
        db.session.commit()

    tally, truth = _tally_and_truth(staff_app)
    assert tally == truth and sum(truth.values()) == 2
    facets, facets_truth = _tally_and_truth(staff_app, CaseFacetTally, FACET_COLUMNS)
    assert facets == facets_truth and len(facets_truth) == 2
    waiting, waiting_truth = _waiting_tally_and_truth(staff_app)
    assert waiting == waiting_truth and len(waiting_truth) == 2
    by_facets, by_facets_truth = _facet_waiting_tally_and_truth(staff_app)
    assert by_facets == by_facets_truth and len(by_facets_truth) == 2

    with staff_app.app_context():
        removed = compact(db.engine)
        rows = db.session.scalar(select(func.count()).select_from(CaseTally))
        db.session.remove()
    assert removed > 0
    assert rows == len(truth)  # one row per combination
    assert _tally_and_truth(staff_app) == (truth, truth)
    assert _tally_and_truth(staff_app, CaseFacetTally, FACET_COLUMNS) == (
        facets_truth,
        facets_truth,
    )
    assert _waiting_tally_and_truth(staff_app) == (waiting_truth, waiting_truth)
    assert _facet_waiting_tally_and_truth(staff_app) == (by_facets_truth, by_facets_truth)
    with staff_app.app_context():
        rows = [
            db.session.scalar(select(func.count()).select_from(table))
            for table in (CaseFacetTally, CaseWaitingTally, CaseWaitingFacetTally)
        ]
        db.session.remove()
    assert rows == [len(facets_truth), len(waiting_truth), len(by_facets_truth)]


def _entered_on_days(app: Flask) -> Counter:
    """The waiting tally's open cases per day it holds them by."""
    with app.app_context():
        days = Counter(
            {
                day: number
                for day, number in db.session.execute(
                    select(CaseWaitingTally.entered_on, func.sum(CaseWaitingTally.change)).group_by(
                        CaseWaitingTally.entered_on
                    )
                )
                if number
            }
        )
        db.session.remove()
    return days


def _cases_waiting_since(
    app: Flask, submitted_case: Callable[..., Case], *moments: datetime
) -> None:
    for moment in moments:
        update_case(app, submitted_case(), status_changed_at=moment)


def test_folding_gathers_the_waiting_tallys_weeks_before_last_by_their_monday(
    staff_app: Flask, submitted_case: Callable[..., Case], monkeypatch: pytest.MonkeyPatch
) -> None:
    noon = datetime(2026, 3, 12, 12, tzinfo=UTC)  # a Thursday: from Monday 2 March, days stay
    monkeypatch.setattr("portal.cases.tally.utcnow", lambda: noon)
    ages = (2, 7, 9, 11, 15, 40)
    _cases_waiting_since(staff_app, submitted_case, *(noon - timedelta(days=age) for age in ages))
    with staff_app.app_context():
        compact(db.engine)
        db.session.remove()
    assert _entered_on_days(staff_app) == {
        date(2026, 3, 10): 1,
        date(2026, 3, 5): 1,
        date(2026, 3, 3): 1,
        date(2026, 2, 23): 2,  # Sunday 1 March and Wednesday 25 February
        date(2026, 1, 26): 1,  # Saturday 31 January
    }


def test_counts_made_before_midnight_hold_when_folding_has_seen_the_next_day(
    staff_app: Flask,
    submitted_case: Callable[..., Case],
    make_staff,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A page made at 23:50 on a Sunday, after folding that ran at 00:10 on the Monday has
    put the days of the week before last into their week, counts every waiting time right."""
    decider, _secret = make_staff("dora", Role.DECIDER)
    now = datetime(2026, 3, 15, 23, 50, tzinfo=UTC)
    monkeypatch.setattr("portal.cases.tally.utcnow", lambda: now + timedelta(minutes=20))
    _cases_waiting_since(
        staff_app,
        submitted_case,
        *(now - timedelta(days=age) for age in (6.5, 7.5, 8.2, 9.7, 11.1, 12.9, 13.4, 20)),
    )
    with staff_app.app_context():
        compact(db.engine)
        db.session.remove()
    assert date(2026, 3, 2) in _entered_on_days(staff_app)  # the week before last, folded
    for waiting in range(5, 16):
        filters = replace(Filters.from_args(MultiDict({"waiting": str(waiting)})), now=now)
        with staff_app.app_context():
            counted = facet_counts(db.session, decider, filters)
            db.session.remove()
        assert counted == _waited_from_scratch(staff_app, now - timedelta(days=waiting)), waiting


def test_counts_per_value_keep_the_other_filters(
    staff_app: Flask, submitted_case: Callable[..., Case], make_staff
) -> None:
    decider, _secret = make_staff("dora", Role.DECIDER)
    high_local, low_local, high_at_risk = (submitted_case() for _ in range(3))
    update_case(staff_app, high_local, threat_level=ThreatLevel.HIGH)
    update_case(staff_app, low_local, threat_level=ThreatLevel.LOW)
    update_case(staff_app, high_at_risk, threat_level=ThreatLevel.HIGH, programme=Programme.AT_RISK)

    counts = _counts(staff_app, decider, threat="high")
    assert counts["programme"] == {"local_staff": 1, "at_risk": 1}  # under threat=high
    assert counts["threat"] == {"high": 2, "low": 1}  # all threat levels, to choose from
    assert counts["status"]["in_review"] == 2
    assert counts["assignee"] == {"none": 2}

    counts = _counts(staff_app, decider, threat="high", programme="at_risk")
    assert counts["status"]["in_review"] == 1
    assert counts["threat"] == {"high": 1}


def test_waiting_time_counts_take_off_the_recent_cases(
    staff_app: Flask, submitted_case: Callable[..., Case], make_staff
) -> None:
    decider, _secret = make_staff("dora", Role.DECIDER)
    old, recent = submitted_case(), submitted_case()
    update_case(staff_app, old, status_changed_at=utcnow() - timedelta(days=40))
    update_case(staff_app, recent, status_changed_at=utcnow() - timedelta(days=5))

    assert _counts(staff_app, decider, waiting="30")["status"]["in_review"] == 1
    assert _counts(staff_app, decider, waiting="3")["status"]["in_review"] == 2
    assert _counts(staff_app, decider)["status"]["in_review"] == 2
    with staff_app.app_context():
        listed, _following = page(
            db.session, decider, Filters.from_args(MultiDict({"waiting": "30"})), None
        )
        assert [case.id for case in listed] == [old.id]
        db.session.remove()


def test_a_caseworker_counts_only_the_cases_they_may_see(
    staff_app: Flask, submitted_case: Callable[..., Case], make_staff
) -> None:
    carla, _secret = make_staff("carla", Role.CASEWORKER)
    other, _secret = make_staff("otto", Role.CASEWORKER)
    mine, theirs, _unassigned = (submitted_case() for _ in range(3))
    update_case(staff_app, mine, assignee_id=carla.id)
    update_case(staff_app, theirs, assignee_id=other.id)

    counts = _counts(staff_app, carla)
    assert counts["assignee"] == {"me": 1, "none": 1}
    assert counts["status"]["in_review"] == 2
    assert _counts(staff_app, carla, assignee="me")["status"]["in_review"] == 1


def test_only_open_cases_wait(
    staff_app: Flask, submitted_case: Callable[..., Case], make_staff
) -> None:
    decider, _secret = make_staff("dora", Role.DECIDER)
    decided = submitted_case()
    update_case(
        staff_app,
        decided,
        status=CaseStatus.ADMITTED,
        screening_status=ScreeningStatus.CLEAR,  # admitted only so
        status_changed_at=utcnow() - timedelta(days=40),
    )
    filters = Filters.from_args(MultiDict([("status", "admitted"), ("waiting", "30")]))
    assert CaseStatus.ADMITTED not in filters.statuses
    counts = _counts(staff_app, decider, waiting="30")
    assert counts["status"]["admitted"] == 0
    assert _counts(staff_app, decider)["status"]["admitted"] == 1


def test_the_worker_folds_the_tally(staff_app: Flask, submitted_case: Callable[..., Case]) -> None:
    for _ in range(3):
        update_case(staff_app, submitted_case(), threat_level=ThreatLevel.MODERATE)
    staff_app.config["PORTAL_TALLY_COMPACT_SECONDS"] = 0.05
    stop = threading.Event()
    timer = threading.Thread(target=run_tally_compaction_forever, args=(staff_app, stop))
    timer.start()
    try:
        for _ in range(200):
            with staff_app.app_context():
                rows = db.session.scalar(select(func.count()).select_from(CaseTally))
                db.session.remove()
            if rows == 1:  # three cases, one combination
                break
            time.sleep(0.05)
    finally:
        stop.set()
        timer.join()
    assert rows == 1
    tally, truth = _tally_and_truth(staff_app)
    assert tally == truth and sum(truth.values()) == 3


def _waited_from_scratch(app: Flask, since: datetime, *kept: Any) -> dict[str, Counter]:
    """Per facet, the open cases (that ``kept`` lets through) in their stage since ``since``
    or before, counted in ``case``."""
    with app.app_context():
        rows = db.session.execute(
            select(Case.status, Case.programme, Case.threat_level, Case.screening_status).where(
                Case.status.in_(OPEN_STATUSES), Case.status_changed_at <= since, *kept
            )
        ).all()
        db.session.remove()
    facets = ("status", "programme", "threat", "screening")
    found = {facet: Counter(str(row[i]) for row in rows) for i, facet in enumerate(facets)}
    return found | {"assignee": Counter({"none": len(rows)})}


def test_waiting_counts_equal_a_count_from_scratch_as_cases_move_day_by_day(
    staff_app: Flask,
    submitted_case: Callable[..., Case],
    make_staff,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Over forty simulated days, cases change stage three times a day (at 03:00, 11:00 and
    20:00 UTC); every day, the counts for each waiting time agree with a count from scratch,
    with the boundary exactly at a move and half an hour after it, with the tallies folded
    every few days (the weeks before last into weeks) and moves made since."""
    decider, _secret = make_staff("dora", Role.DECIDER)
    cases = [submitted_case() for _ in range(8)]
    start = datetime(2026, 3, 1, tzinfo=UTC)
    for number, case in enumerate(cases):
        update_case(staff_app, case, status_changed_at=start - timedelta(hours=5 * number))
    update_case(staff_app, cases[0], nationality="IR")  # the others are Afghan nationals
    clock = {"now": start}
    monkeypatch.setattr(lifecycle, "utcnow", lambda: clock["now"])
    monkeypatch.setattr("portal.cases.tally.utcnow", lambda: clock["now"])  # folding's day
    # Admitting needs a cleared screening, and closed cases leave the queue for good.
    unwanted = {CaseStatus.ADMITTED, CaseStatus.VISA_ISSUED, CaseStatus.WITHDRAWN}
    moves = random.Random(13)
    seen: set[tuple[int, int]] = set()
    for day in range(40):
        with staff_app.app_context():
            for hour in (3, 11, 20):
                clock["now"] = start + timedelta(days=day, hours=hour)
                movable = [
                    case
                    for case in (db.session.get(Case, case.id) for case in cases)
                    if case is not None and lifecycle.ALLOWED[case.status] - unwanted
                ]
                case = moves.choice(movable)
                target = moves.choice(sorted(lifecycle.ALLOWED[case.status] - unwanted))
                lifecycle.transition(
                    db.session, case, target, actor_kind=ActorKind.STAFF, actor_id=decider.id
                )
            db.session.commit()
            if day % 3 == 2:
                compact(db.engine)
            db.session.remove()
        # Counted from the facet waiting tally, and with a nationality from the waiting tally.
        for waiting, afghans in itertools.product((1, 2, 5, 9, 16, 30), (False, True)):
            for minutes in (0, 30):
                now = start + timedelta(days=day, hours=11, minutes=minutes)
                arguments = MultiDict({"waiting": str(waiting)})
                if afghans:
                    arguments["nationality"] = "AF"
                filters = replace(Filters.from_args(arguments), now=now)
                with staff_app.app_context():
                    counted = facet_counts(db.session, decider, filters)
                    db.session.remove()
                kept = [Case.nationality == "AF"] if afghans else []
                truth = _waited_from_scratch(staff_app, now - timedelta(days=waiting), *kept)
                assert counted == truth, (day, waiting, afghans, minutes)
                waited = sum(truth["status"].values())
                seen.add((waiting, waited))
    # Not every case waited, nor none: both parts of the counts were exercised.
    assert {waited for _waiting, waited in seen} - {0, len(cases)}
