"""Consistency checks: data that cannot all be true, or that staff must clarify.

Each check only flags. Dates may be approximate ("1990", "1990-05"), and 1 January counts
as "some day that year", so a check fires only when every reading of the dates agrees.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from itertools import combinations

from portal.cases.states import SPOUSES, IdentityDocument, Relationship
from portal.core.normalise import age_range, surely_before
from portal.intake import reasons as R
from portal.intake.facts import CaseFacts, EmploymentFacts, PersonFacts
from portal.intake.reasons import Reason

ADULT_AGE = 18


@dataclass(frozen=True)
class Window:
    """The programme's employment window (local staff): work outside it does not count."""

    start: date
    end: date


@dataclass(frozen=True)
class Finding:
    reason: Reason
    concern: bool  # True: the screening status becomes "concern"


@dataclass(frozen=True)
class CheckResult:
    findings: tuple[Finding, ...]
    identity_to_be_clarified: bool


def surely_minor(person: PersonFacts, today: date) -> bool:
    return person.born is not None and age_range(person.born, today)[1] < ADULT_AGE


def _children_older_than_parents(facts: CaseFacts) -> int:
    principal = facts.principal
    if principal is None or principal.born is None:
        return 0
    count = 0
    for person in facts.people:
        if person.born is None:
            continue
        if person.relation == Relationship.CHILD and surely_before(person.born, principal.born):
            count += 1
        if person.relation == Relationship.PARENT and surely_before(principal.born, person.born):
            count += 1
    return count


def _surely_overlap(one: EmploymentFacts, other: EmploymentFacts) -> bool:
    if not (one.started and one.ended and other.started and other.ended):
        return False
    # Changing jobs within one month is no overlap: compare the surest bounds only.
    return one.started.latest < other.ended.earliest and other.started.latest < one.ended.earliest


def _employment_findings(facts: CaseFacts, window: Window) -> list[Finding]:
    outside = reversed_ = 0
    for job in facts.employments:
        if job.started and job.ended and surely_before(job.ended, job.started):
            reversed_ += 1
        elif (job.ended and job.ended.latest < window.start) or (
            job.started and job.started.earliest > window.end
        ):
            outside += 1
    overlaps = sum(
        1 for one, other in combinations(facts.employments, 2) if _surely_overlap(one, other)
    )
    findings = []
    if outside:
        params = {
            "count": outside,
            "start": window.start.isoformat(),
            "end": window.end.isoformat(),
        }
        findings.append(Finding(Reason(R.EMPLOYMENT_OUTSIDE_WINDOW, params=params), concern=True))
    if reversed_:
        findings.append(Finding(Reason(R.EMPLOYMENT_REVERSED, params={"count": reversed_}), True))
    if overlaps:
        # Two jobs at once happen (a driver for two projects); worth a look, not a concern.
        findings.append(Finding(Reason(R.EMPLOYMENT_OVERLAP, params={"count": overlaps}), False))
    return findings


def run_checks(facts: CaseFacts, *, today: date, window: Window) -> CheckResult:
    findings: list[Finding] = []

    def flag(code: str, count: int, *, concern: bool) -> None:
        if count:
            findings.append(Finding(Reason(code, params={"count": count}), concern))

    flag(R.CHILD_OLDER_THAN_PARENT, _children_older_than_parents(facts), concern=True)
    # A married minor needs safeguarding and a look at the marriage's recognition; it is
    # not a security concern.
    minor_spouses = sum(1 for p in facts.people if p.relation in SPOUSES and surely_minor(p, today))
    flag(R.MINOR_SPOUSE, minor_spouses, concern=False)
    findings.extend(_employment_findings(facts, window))

    declarations = sum(1 for p in facts.people if p.sworn_declaration)
    undocumented = sum(
        1
        for p in facts.people
        if not p.sworn_declaration and p.identity_document in (None, IdentityDocument.NONE)
    )
    flag(R.SWORN_DECLARATION, declarations, concern=True)
    flag(R.NO_IDENTITY_DOCUMENT, undocumented, concern=True)

    numbers = Counter(p.document_key for p in facts.people if p.document_key)
    flag(R.DOCUMENT_NUMBER_REPEATED, sum(n for n in numbers.values() if n > 1), concern=True)
    flag(R.BIDI_CONTROLS, facts.bidi_texts, concern=True)
    return CheckResult(tuple(findings), identity_to_be_clarified=bool(declarations or undocumented))
