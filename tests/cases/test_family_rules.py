from datetime import date

import pytest

from portal.cases.family import FamilyVerdict, Member, Reason, Verdict, age_on, judge
from portal.cases.states import Relationship as R

TODAY = date(2026, 11, 26)
ADULT, MINOR = "1985-05-01", "2012-02-03"


@pytest.mark.parametrize(
    ("member", "principal", "verdict", "reason"),
    [
        (Member(R.SPOUSE, "1988"), ADULT, Verdict.CORE, Reason.SPOUSE),
        (Member(R.REGISTERED_PARTNER, None), ADULT, Verdict.CORE, Reason.SPOUSE),
        (Member(R.CHILD, "2015-06"), ADULT, Verdict.CORE, Reason.MINOR_UNMARRIED_CHILD),
        (Member(R.CHILD, "2015-06", married=True), ADULT, Verdict.HARDSHIP, Reason.MARRIED_CHILD),
        (Member(R.CHILD, "2001"), ADULT, Verdict.HARDSHIP, Reason.ADULT_CHILD),
        (Member(R.CHILD, None), ADULT, Verdict.UNCLEAR, Reason.AGE_UNKNOWN),
        (Member(R.PARENT, "1960"), ADULT, Verdict.HARDSHIP, Reason.PARENT_OF_ADULT),
        (Member(R.PARENT, "1980"), MINOR, Verdict.CORE, Reason.PARENT_OF_MINOR),
        # An unaccompanied minor's minor siblings are never left behind...
        (Member(R.SIBLING, "2014"), MINOR, Verdict.CORE, Reason.MINOR_SIBLING_OF_MINOR),
        # ...but adult siblings, and every sibling of an adult, are hardship cases.
        (Member(R.SIBLING, "2000"), MINOR, Verdict.HARDSHIP, Reason.SIBLING),
        (Member(R.SIBLING, "2014"), ADULT, Verdict.HARDSHIP, Reason.SIBLING),
        (Member(R.SIBLING, None), MINOR, Verdict.UNCLEAR, Reason.AGE_UNKNOWN),
        (Member(R.PARENT, "1980"), None, Verdict.UNCLEAR, Reason.AGE_UNKNOWN),
        (Member(R.OTHER, "1990"), ADULT, Verdict.HARDSHIP, Reason.OTHER_RELATIVE),
    ],
)
def test_family_rule(
    member: Member, principal: str | None, verdict: Verdict, reason: Reason
) -> None:
    assert judge(member, principal, TODAY) == FamilyVerdict(verdict, reason)


@pytest.mark.parametrize(
    ("born", "age"),
    [
        ("2008-11-26", 18),  # an 18th birthday today counts
        ("2008-11-27", 17),
        ("2008-11", 17),  # unknown day: the youngest possible age
        ("2008", 17),  # unknown month and day: likewise
        ("2007", 18),
        ("SH:1387-09-06", 18),  # Solar Hijri, as entered: 26 November 2008
        ("SH:1387-09-07", 17),
        ("SH:1387", 17),  # 21 March 2008 to 20 March 2009: the youngest possible age
        (None, None),
        ("unknown", None),
    ],
)
def test_age_from_approximate_dates(born: str | None, age: int | None) -> None:
    assert age_on(born, TODAY) == age
