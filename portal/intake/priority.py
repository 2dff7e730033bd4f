"""The published priority rubric (docs/screening.md) and the initial threat level.

Every point is a reason staff can read next to the case; the priority score is their sum.
Applicants to earlier admission programmes criticised opaque scoring, so nothing here is
learnt or weighted in secret: change a number here, change it in docs/screening.md too.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from portal.cases.states import Relationship, ThreatLevel
from portal.core.normalise import age_range, fold_text
from portal.intake import reasons as R
from portal.intake.checks import surely_minor
from portal.intake.facts import CaseFacts
from portal.intake.reasons import Reason

# Risk categories in tiers, so the points in the clear reasons do not name one category.
RISK_POINTS = {
    "judge_prosecutor": 35,
    "military_police": 35,
    "lgbtqi": 35,
    "journalist": 30,
    "human_rights_defender": 30,
    "womens_rights_activist": 30,
    "politician_official": 30,
    "minority": 20,
    "academic_artist": 20,
    "other": 10,
}
MORE_RISKS_POINTS, MORE_RISKS_CAP = 5, 10
# Employers of local staff by how visibly the work tied a person to Germany's mission.
EMPLOYER_POINTS = {
    "bundeswehr": 35,
    "bundespolizei": 35,
    "auswaertiges_amt": 25,
    "giz": 20,
    "political_foundation": 20,
    "kfw": 15,
    "bmz_funded": 15,
    "other": 10,
}
# The employment form's choices (portal.apply.choices.EMPLOYERS) that are not named as
# their category above; "other:<name>" is read by the words below.
EMPLOYER_CHOICES = {
    "federal_foreign_office": "auswaertiges_amt",
    "federal_police": "bundespolizei",
}
# Free-text employers: words that name one of the employers above.
EMPLOYER_WORDS = {
    "bundeswehr": "bundeswehr",
    "isaf": "bundeswehr",
    "polizei": "bundespolizei",
    "police": "bundespolizei",
    "gppt": "bundespolizei",
    "botschaft": "auswaertiges_amt",
    "embassy": "auswaertiges_amt",
    "auswartiges": "auswaertiges_amt",
    "giz": "giz",
    "kfw": "kfw",
    "stiftung": "political_foundation",
    "foundation": "political_foundation",
}
WORK_YEAR_POINTS, WORK_YEARS_CAP = 2, 10
MINOR_POINTS, MINORS_CAP = 5, 15
UNACCOMPANIED_MINOR_POINTS = 25
ELDERLY_AGE, ELDERLY_POINTS, ELDERLY_CAP = 65, 5, 10
MONTH_POINTS, MONTHS_CAP = 1, 12
# Threat points (risk profile, work exposure, an unaccompanied minor) give the level.
THREAT_LEVELS = ((45, ThreatLevel.CRITICAL), (30, ThreatLevel.HIGH), (15, ThreatLevel.MODERATE))
THREAT_CODES = frozenset(
    {R.RISK_PROFILE, R.RISK_PROFILE_MORE, R.WORK_EXPOSURE, R.WORK_YEARS, R.UNACCOMPANIED_MINOR}
)
# The criteria ``score`` lists before the time waited, in the order it lists them.
_CRITERIA_BEFORE = THREAT_CODES | {R.MINORS, R.ELDERLY}


@dataclass(frozen=True)
class Priority:
    reasons: tuple[Reason, ...]
    threat_level: ThreatLevel
    # Which category and employer earned points: personal, so sealed with the staff key.
    sealed_details: dict[str, object]

    @property
    def score(self) -> int:
        return sum(reason.points for reason in self.reasons)


def employer_code(employer: str) -> str:
    if employer in EMPLOYER_POINTS:
        return employer
    if employer in EMPLOYER_CHOICES:
        return EMPLOYER_CHOICES[employer]
    words = fold_text(employer).split()  # folding drops accents: "auswärtiges" too
    return next((EMPLOYER_WORDS[w] for w in words if w in EMPLOYER_WORDS), "other")


def most_exposed_employer(facts: CaseFacts) -> str | None:
    """The category of the employer whose work tied the person most visibly to Germany."""
    return employer_category(job.employer for job in facts.employments)


def employer_category(employers: Iterable[str]) -> str | None:
    """Of employers as written, the category that exposed the person most; None if none."""
    codes = [employer_code(employer) for employer in employers]
    return max(codes, key=lambda code: EMPLOYER_POINTS[code]) if codes else None


def _work_years(facts: CaseFacts, today: date) -> int:
    months = 0
    for job in facts.employments:
        if job.started is None:
            continue
        end = job.ended.latest if job.ended else today
        start = job.started.earliest
        months += max(0, (end.year - start.year) * 12 + end.month - start.month)
    return months // 12


def months_waited(submitted_at: datetime | None, now: datetime) -> int:
    """Full months from submission to ``now`` (UTC), counted by calendar day: 31 January
    to 28 February is not a month yet, to 1 March is one. ``portal.intake.rescoring``
    counts the same way in SQL."""
    if submitted_at is None:
        return 0
    months = (now.year - submitted_at.year) * 12 + now.month - submitted_at.month
    return max(0, months - (now.day < submitted_at.day))


def time_waiting(months: int) -> Reason:
    return Reason(R.TIME_WAITING, min(MONTHS_CAP, months * MONTH_POINTS), {"months": months})


def with_time_waiting(reasons: list[dict[str, Any]], months: int) -> list[dict[str, Any]]:
    """Stored reasons (``Reason.as_json``) with the time-waiting line for ``months``.

    The line keeps its place; a new one goes where ``score`` puts it, after the other
    priority criteria, so screening findings and staff changes stay below the rubric.
    A line of 0 points is left out, as ``score`` leaves it out.
    """
    line = time_waiting(months)
    position = next(
        (i for i, reason in enumerate(reasons) if reason.get("code") == R.TIME_WAITING), None
    )
    kept = [reason for reason in reasons if reason.get("code") != R.TIME_WAITING]
    if position is None:
        position = max(
            (i + 1 for i, reason in enumerate(kept) if reason.get("code") in _CRITERIA_BEFORE),
            default=0,
        )
    if line.points:
        kept.insert(position, line.as_json())
    return kept


def score(facts: CaseFacts, *, now: datetime) -> Priority:
    today = now.date()
    reasons: list[Reason] = []
    sealed: dict[str, object] = {}

    def add(code: str, points: int, **params: object) -> None:
        if points:
            reasons.append(Reason(code, points, params))

    risks = sorted({code if code in RISK_POINTS else "other" for code in facts.risk_profile})
    if risks:
        ranked = sorted(risks, key=lambda code: -RISK_POINTS[code])
        add(R.RISK_PROFILE, RISK_POINTS[ranked[0]])
        more = len(ranked) - 1
        add(R.RISK_PROFILE_MORE, min(MORE_RISKS_CAP, more * MORE_RISKS_POINTS), count=more)
        sealed["risk_profile"] = ranked
    top = most_exposed_employer(facts)
    if top is not None:
        add(R.WORK_EXPOSURE, EMPLOYER_POINTS[top])
        years = _work_years(facts, today)
        add(R.WORK_YEARS, min(WORK_YEARS_CAP, years * WORK_YEAR_POINTS), years=years)
        sealed["work_exposure"] = top

    principal = facts.principal
    if principal is not None and surely_minor(principal, today):
        add(R.UNACCOMPANIED_MINOR, UNACCOMPANIED_MINOR_POINTS)
    minors = sum(
        1 for p in facts.people if p.relation != Relationship.PRINCIPAL and surely_minor(p, today)
    )
    add(R.MINORS, min(MINORS_CAP, minors * MINOR_POINTS), count=minors)
    elderly = sum(1 for p in facts.people if p.born and age_range(p.born, today)[0] >= ELDERLY_AGE)
    add(R.ELDERLY, min(ELDERLY_CAP, elderly * ELDERLY_POINTS), count=elderly, age=ELDERLY_AGE)
    waited = time_waiting(months_waited(facts.submitted_at, now))
    add(waited.code, waited.points, **waited.params)

    threat_points = sum(reason.points for reason in reasons if reason.code in THREAT_CODES)
    level = next((lvl for floor, lvl in THREAT_LEVELS if threat_points >= floor), None)
    if level is None:
        level = ThreatLevel.LOW if threat_points else ThreatLevel.UNASSESSED
    return Priority(tuple(reasons), level, sealed)
