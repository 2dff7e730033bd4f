"""Planning demo cases: plain values drawn only from the generator it is given."""

import random
from datetime import UTC, datetime

from portal.cases.states import CaseStatus, ScreeningStatus
from portal.demo.plans import CasePlan, plan_case

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
