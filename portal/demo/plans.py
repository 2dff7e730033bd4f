"""Plan one demo case in plain values, before any id or encryption.

The family comes from ``portal.demo.families``; here are how to reach the applicant, their
story, where they worked, and how the case moved through its lifecycle. Planning draws only
from the random generator it is given, in a fixed order, so a seeded generator plans the
same case every time; ``portal.demo.rows`` adds the ids and the encryption.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from portal.cases.states import CaseStatus, Programme, ScreeningStatus
from portal.demo.families import (
    SOLAR_HIJRI_NATIONS,
    PersonPlan,
    document_family,
    family,
    name_family,
)
from portal.demo.vocabulary import (
    DRAFTS_KEPT,
    EARLIEST,
    EMPLOYERS,
    FINAL_STATUSES,
    INFO_ROUNDS,
    JOB_COUNT,
    LAST_EMPLOYMENT_MONTH,
    MESSENGERS,
    MONTHS,
    NATIONALITIES,
    NATIONS,
    PHONE_FORMATS,
    RISK_COUNT,
    RISKS,
    ROLES,
    SCREENING,
    STEP_DAYS,
    SUPERVISOR_FAMILIES,
    SUPERVISOR_NAMES,
    SUPERVISOR_TITLES,
    THREAT_REVISED,
    THREATS,
    WITHDRAW_DAYS,
    WITHDRAWN_FROM,
)

S = CaseStatus


@dataclass(slots=True)
class CasePlan:
    """Everything one demo case holds, in plain text, before encryption."""

    programme: Programme
    nationality: str
    country_of_stay: str
    language: str
    people: list[PersonPlan]
    path: list[CaseStatus]
    moments: list[datetime]  # when the case was created, then reached each later status
    sealed: dict[str, Any]
    employments: list[dict[str, str | None]]
    # Where the screening ends once intake has run (pending before): the intake's rubric
    # and checks decide what it finds, a security officer changes it to this where it
    # differs. Threat level and priority come from the intake's own rubric.
    screening: ScreeningStatus
    threat_revised: bool  # a caseworker set the threat level the rubric gave otherwise


def _contact(rng: random.Random, country: str, principal: PersonPlan) -> dict[str, str]:
    phone = "".join(str(rng.randrange(10)) if c == "#" else c for c in PHONE_FORMATS[country])
    contact = {"phone": phone}
    latin = principal.sealed["given_names_latin"]
    if rng.random() < 0.35 and latin:  # nobody without a Latin spelling has an address
        handle = latin.split()[-1].lower()
        contact["email"] = f"{handle}.{rng.randrange(100, 9999)}@example.org"
    if messenger := MESSENGERS.draw(rng):
        contact["messenger"] = messenger
    return contact


def _threat(rng: random.Random, risks: list[str], written: datetime) -> str:
    return " ".join(
        line.format(
            month=rng.choice(MONTHS),
            year=rng.randint(2019, written.year),
            risk=(risks[0] if risks else "interpreter").replace("_", " "),
        )
        for line in rng.sample(THREATS, rng.randint(1, 3))
    )


def _month(index: int) -> str:
    return f"{index // 12}-{index % 12 + 1:02d}"


def employments(rng: random.Random, born: int) -> list[dict[str, str | None]]:
    """One to three periods of work for German institutions, one after the other, as an adult."""
    jobs: list[dict[str, str | None]] = []
    first = max(2003, born + 18) * 12
    month = rng.randrange(first, max(first + 1, 2019 * 12))
    for _ in range(JOB_COUNT.draw(rng)):
        employer, places = EMPLOYERS.draw(rng)
        start, month = month, min(month + rng.randint(6, 96), LAST_EMPLOYMENT_MONTH)
        jobs.append(
            {
                "employer": employer,
                "place": rng.choice(places),
                "started_on": _month(start),
                "ended_on": _month(month),
                "role": rng.choice(ROLES),
                "staff_number": f"{employer[:3].upper()}-{rng.randrange(10000, 99999)}",
                "supervisor": (
                    f"{rng.choice(SUPERVISOR_TITLES + SUPERVISOR_NAMES)} "
                    f"{rng.choice(SUPERVISOR_FAMILIES)}"
                ),
            }
        )
        month += rng.randint(0, 18)
        if month >= LAST_EMPLOYMENT_MONTH:
            break
    return jobs


def lifecycle_path(rng: random.Random, final: CaseStatus | None = None) -> list[CaseStatus]:
    """A valid way through the lifecycle to a final status (``final`` or a likely one),
    loops included."""
    final = final or FINAL_STATUSES.draw(rng)
    target = WITHDRAWN_FROM.draw(rng) if final == S.WITHDRAWN else final
    path = [S.DRAFT]
    for status in (S.SUBMITTED, S.SCREENING, S.IN_REVIEW):
        if path[-1] != target:
            path.append(status)
    if path[-1] != target:
        # Information requests go back and forth; some proposals are returned for review.
        for _ in range(INFO_ROUNDS.draw(rng)):
            path += [S.INFO_REQUESTED, S.IN_REVIEW]
        if target == S.INFO_REQUESTED:
            path.append(S.INFO_REQUESTED)
        else:
            if rng.random() < 0.1:
                path += [S.DECISION_PROPOSED, S.IN_REVIEW]
            path.append(S.DECISION_PROPOSED)
            if target != S.DECISION_PROPOSED:
                path.append(S.REJECTED if target == S.REJECTED else S.ADMITTED)
            for status in (S.VISA_ISSUED, S.ARRIVED):
                if path[-1] in (S.ADMITTED, S.VISA_ISSUED) and path[-1] != target:
                    path.append(status)
    if final == S.WITHDRAWN:
        path.append(S.WITHDRAWN)
    return path


def timeline(rng: random.Random, path: list[CaseStatus], now: datetime) -> list[datetime]:
    """When the case was created and reached each later status: increasing, before now."""
    steps = [
        timedelta(days=rng.uniform(*STEP_DAYS.get(move, WITHDRAW_DAYS)))  # others withdraw
        for move in zip(path, path[1:], strict=False)
    ]
    total = sum(steps, timedelta())
    # Recent activity is more common than old: square a uniform number to skew it.
    spare = max(timedelta(), now - EARLIEST - total - timedelta(days=1))
    if len(path) == 1:
        spare = min(spare, DRAFTS_KEPT)
    moments = [now - timedelta(hours=1) - spare * rng.random() ** 2 - total]
    for step in steps:
        moments.append(moments[-1] + step)
    return moments


def screening(rng: random.Random, path: list[CaseStatus]) -> tuple[ScreeningStatus, bool]:
    """Where the screening ends, and whether staff revise the threat, once intake has run."""
    if S.IN_REVIEW not in path:
        return ScreeningStatus.PENDING, False
    found = SCREENING.draw(rng)
    revised = rng.random() < THREAT_REVISED
    # Admitted only with a clear screening, as the portal allows (and the database: 0007).
    if S.ADMITTED in path:
        found = ScreeningStatus.CLEAR
    return found, revised


def plan_case(rng: random.Random, now: datetime, final: CaseStatus | None = None) -> CasePlan:
    """Everything one case holds, as of ``now``; in status ``final`` if given."""
    nationality = NATIONALITIES.draw(rng)
    nation = NATIONS[nationality]
    # Only in Afghanistan did German institutions employ local staff on this scale.
    local_staff = nationality == "AF" and rng.random() < 0.55
    programme = Programme.LOCAL_STAFF if local_staff else Programme.AT_RISK
    stay = nation.stay.draw(rng)
    path = lifecycle_path(rng, final)
    moments = timeline(rng, path, now)
    created = moments[0]  # ages, dates and stories are as of the day the case was started
    people = family(rng, programme)
    name_family(rng, nationality, people)
    document_family(
        rng,
        nation,
        people,
        created.toordinal(),
        stay,
        solar_hijri=SOLAR_HIJRI_NATIONS.get(nationality, 0.0),
    )
    sealed: dict[str, Any] = {"contact": _contact(rng, stay, people[0])}
    if programme == Programme.AT_RISK:
        risks = rng.sample(RISKS, RISK_COUNT.draw(rng))
        sealed.update(risk_profile=risks, threat_description=_threat(rng, risks, created))
    elif rng.random() < 0.4:  # local staff may describe their threat too
        sealed["threat_description"] = _threat(rng, [], created)
    language = nation.languages.draw(rng)
    jobs = employments(rng, created.year - people[0].age) if local_staff else []
    found, threat_revised = screening(rng, path)
    return CasePlan(
        programme=programme,
        nationality=nationality,
        country_of_stay=stay,
        language=language,
        people=people,
        path=path,
        moments=moments,
        sealed=sealed,
        employments=jobs,
        screening=found,
        threat_revised=threat_revised,
    )
