"""Planning demo cases: plain values drawn only from the generator it is given, and the
story each one tells."""

import random
import uuid
from datetime import UTC, date, datetime

from portal.cases.states import CaseStatus, DecisionState, ScreeningStatus
from portal.demo.history import Staff, story
from portal.demo.plans import CasePlan, plan_case
from portal.intake.checks import Window

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def _plans(seed: str, count: int = 200) -> list[CasePlan]:
    rng = random.Random(seed)
    return [plan_case(rng, NOW) for _ in range(count)]


def test_the_same_seed_plans_the_same_cases() -> None:
    plans = _plans("7:0")

    assert _plans("7:0") == plans, "``demo seed --seed`` promises repeatable content"
    assert _plans("7:1") != plans


def test_plans_happen_before_now_and_only_reviewed_cases_are_screened() -> None:
    for plan in _plans("7:2"):
        assert plan.moments == sorted(plan.moments) and plan.moments[-1] < NOW
        assert len(plan.moments) == len(plan.path)
        screened = CaseStatus.IN_REVIEW in plan.path
        assert (plan.screening != ScreeningStatus.PENDING) == screened


def test_admitted_demo_cases_were_screened_clear_and_others_wait_for_staff() -> None:
    """As the portal allows: no case is admitted while its screening is not clear."""
    plans = _plans("7:3", 2000)
    admitted = [plan for plan in plans if CaseStatus.ADMITTED in plan.path]
    assert admitted and all(plan.screening == ScreeningStatus.CLEAR for plan in admitted)
    # Cases staff can act on: some in review ready for a decision, some for an officer.
    waiting = [plan.screening for plan in plans if plan.path[-1] == CaseStatus.IN_REVIEW]
    assert ScreeningStatus.CLEAR in waiting and ScreeningStatus.HIT in waiting


def test_a_demo_case_withdrawn_while_its_proposal_waited_closes_it_undecided() -> None:
    """As the portal's own withdrawal does (``portal.cases.lifecycle``): a proposal is open
    exactly while its case waits for the decision."""
    rng = random.Random("7:4")
    plan = next(
        plan
        for plan in (plan_case(rng, NOW, CaseStatus.WITHDRAWN) for _ in range(2000))
        if plan.path[-2:] == [CaseStatus.DECISION_PROPOSED, CaseStatus.WITHDRAWN]
    )
    staff = Staff(caseworkers=(uuid.uuid4(),), deciders=(uuid.uuid4(), uuid.uuid4()))
    window = Window(date(2001, 10, 1), date(2021, 8, 31))

    told = story(rng, plan, uuid.uuid4(), None, staff, NOW, window)

    *earlier, last = [decision.clear for decision in told.decisions]
    state, decided_by, decided_at = last[2], last[5], last[6]
    assert (state, decided_by, decided_at) == (DecisionState.WITHDRAWN.value, None, None)
    assert all(row[2] == DecisionState.RETURNED.value for row in earlier)
