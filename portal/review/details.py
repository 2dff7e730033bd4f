"""The sealed screening details of an assessment, as staff read them: groups of label and
value in the staff language, never the stored keys and codes (``watchlist_hits``,
``same_year``). Only security officers see them (``screening:details:read``)."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from portal.accounts.models import StaffUser
from portal.cases.labels import choice_label, choice_labels
from portal.cases.models import Person
from portal.core.i18n import _s


@dataclass
class DetailGroup:
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)


def _name(people: dict[str, Person], person_id: object) -> str:
    person = people.get(str(person_id))
    if person is None:
        return _s("a person no longer in the case")
    return person.full_name_latin or person.full_name or "–"


def _when(value: object) -> str:
    try:
        return datetime.fromisoformat(str(value)).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(value)


def _staff_name(staff: dict[uuid.UUID, StaffUser], actor_id: object) -> str:
    try:
        person = staff.get(uuid.UUID(str(actor_id)))
    except ValueError:
        person = None
    return person.display_name if person else _s("a former staff member")


def screening_details(
    details: dict[str, Any] | None,
    people: list[Person],
    staff: dict[uuid.UUID, StaffUser],
) -> list[DetailGroup]:
    """Readable groups for ``RiskAssessment.details``; a key this release does not know is
    shown under a neutral label rather than hidden (a newer intake may add one)."""
    details = dict(details or {})
    by_id = {str(person.id): person for person in people}
    groups: list[DetailGroup] = []

    watch = DetailGroup(_s("Watch list"))
    if "watchlist_version" in details:
        watch.rows.append((_s("Version of the list"), str(details.pop("watchlist_version"))))
    else:
        watch.rows.append((_s("Version of the list"), _s("no list in force: not screened")))
    hits = details.pop("watchlist_hits", [])
    if not hits:
        watch.rows.append((_s("Entries found"), _s("none")))
    groups.append(watch)
    for number, hit in enumerate(hits, start=1):
        groups.append(
            DetailGroup(
                _s("Watch-list entry %(number)s", number=number),
                [
                    (_s("Person in this case"), _name(by_id, hit.get("person_id"))),
                    (_s("Name on the list"), str(hit.get("listed_name", "–"))),
                    (_s("Reference on the list"), str(hit.get("reference", "–"))),
                    (
                        _s("Name similarity"),
                        _s("%(score)s of 100", score=hit.get("name_score", "–")),
                    ),
                    (_s("Date of birth"), choice_label("birth_agreement", hit.get("birth"))),
                    (_s("Match score"), _s("%(score)s of 100", score=hit.get("score", "–"))),
                ],
            )
        )

    criteria = details.pop("criteria", {}) or {}
    rubric = DetailGroup(_s("What earned the rubric's points"))
    if "risk_profile" in criteria:
        rubric.rows.append(
            (
                _s("Risk categories, highest first"),
                choice_labels("rubric_risk", criteria["risk_profile"]),
            )
        )
    if "work_exposure" in criteria:
        rubric.rows.append(
            (
                _s("Most exposed employer"),
                choice_label("rubric_employer", criteria["work_exposure"]),
            )
        )
    if rubric.rows:
        groups.append(rubric)

    reasons = details.pop("staff_reasons", [])
    if reasons:
        groups.append(
            DetailGroup(
                _s("Reasons staff gave for changes"),
                [
                    (
                        f"{_staff_name(staff, given.get('actor_id'))}, {_when(given.get('at'))}",
                        str(given.get("text", "")),
                    )
                    for given in reasons
                ],
            )
        )

    if details:
        groups.append(
            DetailGroup(
                _s("Other details"),
                [(_s("Further entry"), str(value)) for value in details.values()],
            )
        )
    return groups
