"""The published priority rubric (portal.intake.priority) and the initial threat level."""

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from portal.cases.states import Programme, Relationship, ThreatLevel
from portal.core.normalise import parse_approximate_date
from portal.intake import priority
from portal.intake import reasons as R
from portal.intake.facts import CaseFacts, EmploymentFacts, PersonFacts

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screening.md"


def person(
    relation: Relationship = Relationship.PRINCIPAL, born: str | None = "1980"
) -> PersonFacts:
    return PersonFacts(id=uuid.uuid4(), relation=relation, born=parse_approximate_date(born))


def facts(
    *people: PersonFacts,
    risks: tuple[str, ...] = (),
    jobs: tuple[tuple[str, str | None, str | None], ...] = (),
    submitted: datetime | None = NOW,
) -> CaseFacts:
    return CaseFacts(
        Programme.AT_RISK if risks else Programme.LOCAL_STAFF,
        people or (person(),),
        employments=tuple(
            EmploymentFacts(e, parse_approximate_date(s), parse_approximate_date(t))
            for e, s, t in jobs
        ),
        risk_profile=risks,
        submitted_at=submitted,
    )


def points(result: priority.Priority) -> dict[str, int]:
    return {reason.code: reason.points for reason in result.reasons}


def test_nothing_to_go_on_gives_no_points_and_no_threat_level() -> None:
    result = priority.score(facts(), now=NOW)
    assert result.reasons == () and result.score == 0
    assert result.threat_level == ThreatLevel.UNASSESSED


def test_the_highest_risk_category_counts_and_further_ones_add_a_little() -> None:
    result = priority.score(facts(risks=("journalist", "academic_artist", "lgbtqi")), now=NOW)
    assert points(result) == {R.RISK_PROFILE: 35, R.RISK_PROFILE_MORE: 10}
    assert result.threat_level == ThreatLevel.CRITICAL
    # Which categories: personal, so only in the sealed details, never in the clear reasons.
    assert result.sealed_details["risk_profile"] == ["lgbtqi", "journalist", "academic_artist"]
    assert all(not reason.params.get("category") for reason in result.reasons)
    assert next(r for r in result.reasons if r.code == R.RISK_PROFILE_MORE).params == {"count": 2}


@pytest.mark.parametrize(
    ("risks", "level"),
    [
        (("other",), ThreatLevel.LOW),
        (("minority",), ThreatLevel.MODERATE),
        (("journalist",), ThreatLevel.HIGH),
        (("judge_prosecutor", "military_police"), ThreatLevel.HIGH),
        (("judge_prosecutor", "military_police", "journalist"), ThreatLevel.CRITICAL),
        (("unknown_code",), ThreatLevel.LOW),  # an unknown category counts as "other"
    ],
)
def test_threat_level_from_the_risk_profile(risks: tuple[str, ...], level: ThreatLevel) -> None:
    assert priority.score(facts(risks=risks), now=NOW).threat_level == level


def test_work_for_german_institutions_and_its_years() -> None:
    result = priority.score(
        facts(jobs=(("giz", "2012-01", "2014-12"), ("bundeswehr", "2015-01", "2021-08"))),
        now=NOW,
    )
    assert points(result) == {R.WORK_EXPOSURE: 35, R.WORK_YEARS: 10}  # 9 years, capped
    assert result.sealed_details["work_exposure"] == "bundeswehr"
    assert result.threat_level == ThreatLevel.CRITICAL
    short = priority.score(facts(jobs=(("kfw", "2019-03", "2021-04"),)), now=NOW)
    assert points(short) == {R.WORK_EXPOSURE: 15, R.WORK_YEARS: 4}
    assert next(r for r in short.reasons if r.code == R.WORK_YEARS).params == {"years": 2}


@pytest.mark.parametrize(
    ("employer", "code"),
    [
        ("bundeswehr", "bundeswehr"),
        ("Deutsche Botschaft Kabul", "auswaertiges_amt"),
        ("Auswärtiges Amt", "auswaertiges_amt"),
        ("German Police Project Team", "bundespolizei"),
        ("GIZ Herat", "giz"),
        ("Friedrich-Ebert-Stiftung", "political_foundation"),
        ("Kabul Bank", "other"),
        ("", "other"),
    ],
)
def test_employers_written_out_are_recognised(employer: str, code: str) -> None:
    assert priority.employer_code(employer) == code


@pytest.mark.parametrize(
    ("choice", "category"),
    [
        ("bundeswehr", "bundeswehr"),
        ("federal_foreign_office", "auswaertiges_amt"),
        ("federal_police", "bundespolizei"),
        ("giz", "giz"),
        ("kfw", "kfw"),
        ("bmz_funded", "bmz_funded"),
        ("political_foundation", "political_foundation"),
        ("other:Kabul Bank", "other"),
        ("other:German Police Project Team", "bundespolizei"),
    ],
)
def test_every_employer_an_applicant_can_choose_has_its_category(
    choice: str, category: str
) -> None:
    """The applicant picks from portal.apply.choices.EMPLOYERS and that code is stored: a
    federal police local staffer was scored and reported as "another employer"."""
    assert priority.employer_code(choice) == category


def test_no_choice_of_the_employment_form_falls_to_other_by_mistake() -> None:
    from portal.apply.choices import EMPLOYERS

    for code, _label in EMPLOYERS:
        assert (priority.employer_code(code) == "other") == (code == "other"), code


def test_every_risk_an_applicant_can_choose_is_scored_as_itself() -> None:
    """A member of a minority chose "minority", which the rubric did not know: 10 points
    as "other" instead of 20."""
    from portal.apply.choices import RISK_PROFILES

    for code, _label in RISK_PROFILES:
        result = priority.score(facts(person(), risks=(code,)), now=NOW)
        assert result.sealed_details["risk_profile"] == [code]
        assert points(result)[R.RISK_PROFILE] == priority.RISK_POINTS[code]


def test_vulnerable_family_members() -> None:
    family = facts(
        person(),
        person(Relationship.CHILD, "2015"),
        person(Relationship.CHILD, "2017-03"),
        person(Relationship.CHILD, "2008"),  # 17 or 18: not surely a minor
        person(Relationship.PARENT, "1950"),
        person(Relationship.PARENT, "1961-05-02"),  # 65 on 2 May 2026
    )
    result = priority.score(family, now=NOW)
    assert points(result) == {R.MINORS: 10, R.ELDERLY: 10}
    assert result.threat_level == ThreatLevel.UNASSESSED  # family alone is no threat level


def test_an_unaccompanied_minor() -> None:
    result = priority.score(
        facts(person(born="2011"), person(Relationship.SIBLING, "2013")), now=NOW
    )
    assert points(result) == {R.UNACCOMPANIED_MINOR: 25, R.MINORS: 5}
    assert result.threat_level == ThreatLevel.MODERATE


def test_time_waiting_counts_whole_months_up_to_a_year() -> None:
    def waited(submitted: datetime) -> dict[str, int]:
        return points(priority.score(facts(submitted=submitted), now=NOW))

    assert waited(datetime(2026, 5, 2, tzinfo=UTC)) == {}
    assert waited(datetime(2026, 5, 1, tzinfo=UTC)) == {R.TIME_WAITING: 1}
    assert waited(datetime(2025, 12, 15, tzinfo=UTC)) == {R.TIME_WAITING: 5}
    assert waited(datetime(2020, 1, 1, tzinfo=UTC)) == {R.TIME_WAITING: 12}


def test_the_score_is_the_sum_of_the_points() -> None:
    result = priority.score(
        facts(
            person(),
            person(Relationship.CHILD, "2016"),
            risks=("journalist", "womens_rights_activist"),
            submitted=datetime(2026, 2, 1, tzinfo=UTC),
        ),
        now=NOW,
    )
    assert result.score == 30 + 5 + 5 + 4 == sum(points(result).values())


def test_every_criterion_and_number_is_published() -> None:
    """docs/screening.md is the rubric staff and applicants can read: keep them in step."""
    published = DOCS.read_text()
    for code in (*priority.RISK_POINTS, *priority.EMPLOYER_POINTS):
        assert f"`{code}`" in published, code
    for code, value in {**priority.RISK_POINTS, **priority.EMPLOYER_POINTS}.items():
        row = next(line for line in published.splitlines() if f"`{code}`" in line)
        assert f"| {value} " in row, code
    for code in priority.THREAT_CODES | {R.MINORS, R.ELDERLY, R.TIME_WAITING}:
        assert f"`{code}`" in published, code
