"""Who belongs to the core family, and why: the rule every family member is shown with.

Core family: the spouse or registered partner and minor unmarried children. Where the
principal applicant is a minor, their parents and minor siblings are core family too
(siblings are never left behind). Anyone else stays in the case, marked for discretionary
review as a hardship case. Nothing here decides an application; it explains.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from portal.cases.states import Relationship
from portal.core.dates import EnteredDate

ADULT_AGE = 18


class Verdict(StrEnum):
    CORE = "core"
    HARDSHIP = "hardship"  # kept in the case, discretionary review
    UNCLEAR = "unclear"  # the answer depends on a date of birth we do not have


class Reason(StrEnum):
    SPOUSE = "spouse"
    MINOR_UNMARRIED_CHILD = "minor_unmarried_child"
    ADULT_CHILD = "adult_child"
    MARRIED_CHILD = "married_child"
    PARENT_OF_MINOR = "parent_of_minor"
    MINOR_SIBLING_OF_MINOR = "minor_sibling_of_minor"
    PARENT_OF_ADULT = "parent_of_adult"
    SIBLING = "sibling"
    OTHER_RELATIVE = "other_relative"
    AGE_UNKNOWN = "age_unknown"


@dataclass(frozen=True)
class Member:
    relation: Relationship
    birth_date: str | None  # ISO, possibly approximate: "1990", "1990-05", "1990-05-17"
    married: bool = False


@dataclass(frozen=True)
class FamilyVerdict:
    verdict: Verdict
    reason: Reason


def age_on(birth_date: str | None, today: date) -> int | None:
    """Age in whole years; for an approximate date, the youngest the person can be."""
    entered = EnteredDate.from_text(birth_date)
    if entered is None:
        return None
    born = entered.latest  # unknown month or day: assume the latest, in either calendar
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def is_minor(birth_date: str | None, today: date) -> bool | None:
    age = age_on(birth_date, today)
    return None if age is None else age < ADULT_AGE


def judge(member: Member, principal_birth_date: str | None, today: date) -> FamilyVerdict:
    """The rule for one member of the principal applicant's family."""
    relation = member.relation
    if relation in (Relationship.SPOUSE, Relationship.REGISTERED_PARTNER):
        return FamilyVerdict(Verdict.CORE, Reason.SPOUSE)
    minor = is_minor(member.birth_date, today)
    principal_minor = is_minor(principal_birth_date, today)
    if relation == Relationship.CHILD:
        if minor is None:
            return FamilyVerdict(Verdict.UNCLEAR, Reason.AGE_UNKNOWN)
        if not minor:
            return FamilyVerdict(Verdict.HARDSHIP, Reason.ADULT_CHILD)
        if member.married:
            return FamilyVerdict(Verdict.HARDSHIP, Reason.MARRIED_CHILD)
        return FamilyVerdict(Verdict.CORE, Reason.MINOR_UNMARRIED_CHILD)
    if relation == Relationship.PARENT:
        if principal_minor is None:
            return FamilyVerdict(Verdict.UNCLEAR, Reason.AGE_UNKNOWN)
        if principal_minor:
            return FamilyVerdict(Verdict.CORE, Reason.PARENT_OF_MINOR)
        return FamilyVerdict(Verdict.HARDSHIP, Reason.PARENT_OF_ADULT)
    if relation == Relationship.SIBLING:
        if principal_minor is False or minor is False:
            return FamilyVerdict(Verdict.HARDSHIP, Reason.SIBLING)
        if principal_minor is None or minor is None:
            return FamilyVerdict(Verdict.UNCLEAR, Reason.AGE_UNKNOWN)
        return FamilyVerdict(Verdict.CORE, Reason.MINOR_SIBLING_OF_MINOR)
    return FamilyVerdict(Verdict.HARDSHIP, Reason.OTHER_RELATIVE)
