"""Consistency checks (portal.intake.checks) on facts, without a database."""

import uuid
from datetime import date

import pytest

from portal.cases.states import IdentityDocument, Programme, Relationship
from portal.core.normalise import parse_approximate_date
from portal.intake import reasons as R
from portal.intake.checks import CheckResult, Window, run_checks
from portal.intake.facts import CaseFacts, EmploymentFacts, PersonFacts

TODAY = date(2026, 6, 1)
WINDOW = Window(date(2013, 1, 1), date(2021, 8, 31))


def person(
    relation: Relationship = Relationship.PRINCIPAL, born: str | None = "1980", **fields: object
) -> PersonFacts:
    values: dict[str, object] = {
        "identity_document": IdentityDocument.PASSPORT,
        "document_key": uuid.uuid4().hex[:9].upper(),
        **fields,
    }
    return PersonFacts(
        id=uuid.uuid4(), relation=relation, born=parse_approximate_date(born), **values
    )  # type: ignore[arg-type]


def job(started: str | None, ended: str | None, employer: str = "giz") -> EmploymentFacts:
    return EmploymentFacts(employer, parse_approximate_date(started), parse_approximate_date(ended))


def check(
    *people: PersonFacts, jobs: tuple[EmploymentFacts, ...] = (), bidi: int = 0
) -> CheckResult:
    facts = CaseFacts(Programme.LOCAL_STAFF, people, employments=jobs, bidi_texts=bidi)
    return run_checks(facts, today=TODAY, window=WINDOW)


def codes(result: CheckResult) -> dict[str, tuple[dict[str, object], bool]]:
    return {f.reason.code: (f.reason.params, f.concern) for f in result.findings}


def test_a_plain_family_gives_no_findings() -> None:
    result = check(
        person(),
        person(Relationship.SPOUSE, "1982-04"),
        person(Relationship.CHILD, "2010-01-01"),
        jobs=(job("2012-03", "2016-10"),),
    )
    assert codes(result) == {}
    assert not result.identity_to_be_clarified


@pytest.mark.parametrize(
    ("principal", "relative", "relation", "flagged"),
    [
        ("1980", "1979", Relationship.CHILD, True),
        ("1980-05-17", "1980-05-16", Relationship.CHILD, True),
        ("1980", "1980-05-16", Relationship.CHILD, False),  # may be younger: not sure
        ("1980-01-01", "1980-06-01", Relationship.CHILD, False),  # placeholder: whole year
        ("1980", "1981", Relationship.PARENT, True),  # a parent younger than the applicant
        ("1980", "1950", Relationship.PARENT, False),
        ("1980", None, Relationship.CHILD, False),
    ],
)
def test_children_older_than_their_parents(
    principal: str, relative: str | None, relation: Relationship, flagged: bool
) -> None:
    result = check(person(born=principal), person(relation, relative))
    assert (R.CHILD_OLDER_THAN_PARENT in codes(result)) is flagged
    if flagged:
        assert codes(result)[R.CHILD_OLDER_THAN_PARENT] == ({"count": 1}, True)


def test_a_minor_spouse_is_flagged_but_is_no_security_concern() -> None:
    result = check(person(), person(Relationship.SPOUSE, "2010-03"))
    assert codes(result)[R.MINOR_SPOUSE] == ({"count": 1}, False)
    adult = check(person(), person(Relationship.SPOUSE, "2008"))  # 17 or 18: not surely
    assert R.MINOR_SPOUSE not in codes(adult)


@pytest.mark.parametrize(
    ("jobs", "expected"),
    [
        ((job("2009-01", "2012-12"),), {R.EMPLOYMENT_OUTSIDE_WINDOW: 1}),
        ((job("2021-09", None),), {R.EMPLOYMENT_OUTSIDE_WINDOW: 1}),
        ((job("2009-01", "2013-01"),), {}),  # reaches into the window
        ((job("2012", "2021"),), {}),
        ((job("2016-05", "2015-02"),), {R.EMPLOYMENT_REVERSED: 1}),
        ((job("2014-01", "2016-06"), job("2016-06", "2019-01")), {}),  # a change of job
        ((job("2014-01", "2016-06"), job("2015-01", "2019-01")), {R.EMPLOYMENT_OVERLAP: 1}),
        ((job(None, None),), {}),
    ],
)
def test_employment_outside_the_window_reversed_or_overlapping(
    jobs: tuple[EmploymentFacts, ...], expected: dict[str, int]
) -> None:
    found = codes(check(person(), jobs=jobs))
    assert {code: params["count"] for code, (params, _c) in found.items()} == expected


def test_the_window_is_named_in_the_reason_and_is_a_concern() -> None:
    found = codes(check(person(), jobs=(job("2009-01", "2011-12"),)))
    assert found[R.EMPLOYMENT_OUTSIDE_WINDOW] == (
        {"count": 1, "start": "2013-01-01", "end": "2021-08-31"},
        True,
    )
    overlap = codes(check(person(), jobs=(job("2014-01", "2015-12"), job("2014-06", "2016-01"))))
    assert overlap[R.EMPLOYMENT_OVERLAP] == ({"count": 1}, False)  # two jobs at once happen


def test_a_sworn_declaration_marks_identity_to_be_clarified() -> None:
    result = check(
        person(identity_document=IdentityDocument.NONE, sworn_declaration=True, document_key=""),
        person(Relationship.CHILD, "2015"),
    )
    assert codes(result)[R.SWORN_DECLARATION] == ({"count": 1}, True)
    assert result.identity_to_be_clarified


def test_no_document_and_no_declaration_is_also_identity_to_be_clarified() -> None:
    result = check(person(), person(Relationship.CHILD, "2015", identity_document=None))
    assert codes(result)[R.NO_IDENTITY_DOCUMENT] == ({"count": 1}, True)
    assert result.identity_to_be_clarified


def test_the_same_document_number_twice_in_one_case() -> None:
    result = check(
        person(document_key="P123"),
        person(Relationship.SPOUSE, "1982", document_key="P123"),
        person(Relationship.CHILD, "2015", document_key="P999"),
    )
    assert codes(result)[R.DOCUMENT_NUMBER_REPEATED] == ({"count": 2}, True)


def test_text_direction_controls_are_a_concern() -> None:
    assert codes(check(person(), bidi=2))[R.BIDI_CONTROLS] == ({"count": 2}, True)
