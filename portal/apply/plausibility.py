"""Answers that can be true but are most likely a slip: warnings the applicant confirms.

A year typed wrongly ("2014" for "1984") can make a child older than the parent who
names it, a spouse eleven years old, or a job begin next year. The form says so before
anything is saved, and saves once the person confirms that the answer is right: a true
answer is never refused. Nothing of the warning or the confirmation is kept; the intake's
consistency checks (``portal/intake/checks.py``) flag for staff what remains, as they do
for every case.

Dates may be approximate ("1990", "1990-05"), so a warning is shown only when every
reading of the dates agrees, as the intake's checks do.
"""

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from portal.cases.states import SPOUSES, Relationship
from portal.core.normalise import (
    ApproximateDate,
    age_range,
    parse_approximate_date,
    surely_before,
)

# A parent younger than this at a child's birth is almost surely a typo in a year.
YOUNGEST_PARENT = 12
# Below 16 a marriage is void in German law (section 1303 BGB), and such an age is almost
# surely a typo. Spouses of 16 and 17 are flagged to staff by the intake (minor_spouse),
# not questioned here: a warning would only press people to change a true date.
YOUNGEST_SPOUSE = 16


def _oldest_age(born: ApproximateDate, on: date) -> int:
    """The oldest a person born on ``born`` can be on ``on``."""
    return age_range(born, on)[1]


def _child_warning(child: ApproximateDate, principal: ApproximateDate) -> Any | None:
    if surely_before(child, principal):
        return _l("By these dates of birth, this child is older than you.")
    if _oldest_age(principal, child.latest) < YOUNGEST_PARENT:
        return lazy_ngettext(
            "By these dates of birth, you were younger than %(age)s when this child was born.",
            "By these dates of birth, you were younger than %(age)s when this child was born.",
            YOUNGEST_PARENT,
            age=YOUNGEST_PARENT,
        )
    return None


def _parent_warning(parent: ApproximateDate, principal: ApproximateDate) -> Any | None:
    if surely_before(principal, parent):
        return _l("By these dates of birth, this parent is younger than you.")
    if _oldest_age(parent, principal.latest) < YOUNGEST_PARENT:
        return lazy_ngettext(
            "By these dates of birth, this parent was younger than %(age)s when you were born.",
            "By these dates of birth, this parent was younger than %(age)s when you were born.",
            YOUNGEST_PARENT,
            age=YOUNGEST_PARENT,
        )
    return None


def family_member_warnings(
    relation: Relationship, birth_date: str | None, principal_birth_date: str | None, today: date
) -> list[Any]:
    """What looks wrong about a family member's date of birth, in words."""
    born = parse_approximate_date(birth_date)
    principal = parse_approximate_date(principal_birth_date)
    if born is None:
        return []
    warning = None
    if relation in SPOUSES and _oldest_age(born, today) < YOUNGEST_SPOUSE:
        warning = lazy_ngettext(
            "By this date of birth, this person is younger than %(age)s.",
            "By this date of birth, this person is younger than %(age)s.",
            YOUNGEST_SPOUSE,
            age=YOUNGEST_SPOUSE,
        )
    elif relation == Relationship.CHILD and principal is not None:
        warning = _child_warning(born, principal)
    elif relation == Relationship.PARENT and principal is not None:
        warning = _parent_warning(born, principal)
    return [warning] if warning is not None else []


def employment_warnings(started_on: str | None, today: date) -> list[Any]:
    """What looks wrong about a period of employment, in words. (An end before the start
    cannot be right and is refused by the form itself.)"""
    started = parse_approximate_date(started_on)
    if started is not None and started.earliest > today:
        return [_l("The start date you gave is in the future.")]
    return []


def to_confirm(form: Any, warnings: list[Any]) -> list[Any]:
    """The warnings the person has still to confirm: none once they ticked "correct".

    Shown again, the box is unticked, so that a confirmation is always of the warnings
    on the page."""
    if not warnings or form.confirmed.data:
        return []
    form.confirmed.data = False
    return warnings
