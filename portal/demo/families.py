"""Who is in a demo case, planned in plain values.

A plausible family around the principal, named in its own script and in Latin letters, with
birth dates, places and identity papers, or a sworn declaration where papers are missing.
"""

import functools
import random
from dataclasses import dataclass, field
from datetime import date

from portal.cases.states import IdentityDocument, Programme, Relationship
from portal.core.dates import SOLAR_HIJRI_PREFIX, solar_hijri_of
from portal.demo.names import MOHAMMAD, Names
from portal.demo.vocabulary import FAMILY_SIZES, NATIONS, PLACES_OF_STAY, Nation


@dataclass(slots=True)
class PersonPlan:
    """One member of the family; ``sealed`` holds the values stored only as ciphertext."""

    relation: Relationship
    age: int
    female: bool
    lives_with_principal: bool | None = True
    document: IdentityDocument = IdentityDocument.PASSPORT
    sworn_declaration: bool = False
    sealed: dict[str, str | None] = field(default_factory=dict)


# Converted once per day of birth: a million cases are born on far fewer days.
_solar_hijri_of = functools.lru_cache(maxsize=65536)(solar_hijri_of)
# Nations whose people write their names in Arabic script.
ARABIC_SCRIPT_NATIONS = frozenset({"AF", "IR", "PK", "SY"})
# Nations whose people give dates in the Solar Hijri calendar, and how many of them do.
SOLAR_HIJRI_NATIONS = {"AF": 0.45, "IR": 0.6}


def _relative(rng: random.Random, relation: Relationship, age: int) -> PersonPlan:
    together = (relation == Relationship.CHILD and age < 18) or rng.random() < 0.55
    return PersonPlan(relation, max(0, min(age, 95)), rng.random() < 0.5, together)


def _minor_family(rng: random.Random, size: int, female: bool) -> list[PersonPlan]:
    """An unaccompanied minor: parents and minor siblings are core family here."""
    age = rng.randint(14, 17)
    parents = min(size - 1, rng.randint(1, 2))
    people = [PersonPlan(Relationship.PRINCIPAL, age, female)]
    for mother in (True, False)[:parents]:
        parent = _relative(rng, Relationship.PARENT, age + rng.randint(19, 40))
        parent.female = mother
        people.append(parent)
    people += [
        _relative(rng, Relationship.SIBLING, rng.randint(2, age + 6))
        for _ in range(size - 1 - parents)
    ]
    return people


def family(rng: random.Random, programme: Programme) -> list[PersonPlan]:
    """The principal and the family around them, with plausible relationships and ages.

    Core family is a spouse and minor children; parents, siblings and adult children are
    kept in the case for the hardship review.
    """
    size = FAMILY_SIZES.draw(rng)
    female = rng.random() < (0.08 if programme == Programme.LOCAL_STAFF else 0.45)
    if programme == Programme.AT_RISK and size > 2 and rng.random() < 0.02:
        return _minor_family(rng, size, female)
    remaining = size - 1
    partner = None
    if remaining and rng.random() < 0.88:
        relation = Relationship.REGISTERED_PARTNER if rng.random() < 0.02 else Relationship.SPOUSE
        partner, remaining = PersonPlan(relation, 0, not female), remaining - 1
    elders = min(remaining, rng.randint(1, 2)) if remaining and rng.random() < 0.12 else 0
    siblings = 1 if remaining > elders and rng.random() < 0.08 else 0
    children = remaining - elders - siblings
    # Old enough for the children: at least 19 at the first, about two years between them.
    youngest = max(24 if programme == Programme.LOCAL_STAFF else 19, 19 + 2 * children)
    age = int(rng.triangular(youngest, max(youngest, 68), max(youngest, 34)))
    people = [PersonPlan(Relationship.PRINCIPAL, age, female)]
    if partner:
        partner.age = max(18, age + rng.randint(-9, 4))
        people.append(partner)
    child_ages = sorted(rng.sample(range(age - 18), children), reverse=True)
    people += [_relative(rng, Relationship.CHILD, child_age) for child_age in child_ages]
    # Younger principals bring a parent; older ones a grandchild or another relative.
    people += [
        _relative(rng, Relationship.PARENT, age + rng.randint(19, 34))
        if age < 55
        else _relative(rng, Relationship.OTHER, rng.randint(0, 15))
        for _ in range(elders)
    ]
    people += [
        _relative(rng, Relationship.SIBLING, age + rng.randint(-12, 12)) for _ in range(siblings)
    ]
    return people


def _feminine(native: str | None, latin: str | None) -> tuple[str | None, str | None]:
    if native and latin and native.endswith(("ов", "ев", "ин")):
        return native + "а", latin + "a"
    return native, latin


def _spelt(rng: random.Random, pool: Names) -> tuple[str, str]:
    """A name in its own script and one of the Latin spellings it is written in."""
    native, spellings = rng.choice(pool)
    return native, rng.choice(spellings)


def name_family(rng: random.Random, nationality: str, people: list[PersonPlan]) -> None:
    """Names in the family's own script and in Latin letters, spelt as their papers differ."""
    nation = NATIONS[nationality]
    family_native, family_spellings = rng.choice(nation.families)
    family_latin = rng.choice(family_spellings)
    # Many Afghans go by given names alone; their documents show no family name.
    nameless = nationality == "AF" and rng.random() < 0.1
    # The Latin spelling is optional: some families give their names only in their own
    # script, and in others a member (a child, a grandmother) has none on any paper.
    own_script = nationality in ARABIC_SCRIPT_NATIONS
    unspelt = own_script and rng.random() < 0.2
    fathers: tuple[str | None, str | None] = (family_native, family_latin)
    for person in people:
        given, given_latin = _spelt(rng, nation.women if person.female else nation.men)
        if not person.female and nationality in ("AF", "PK") and rng.random() < 0.18:
            given, given_latin = f"محمد {given}", f"{rng.choice(MOHAMMAD)} {given_latin}"
        surname: tuple[str | None, str | None] = (family_native, family_latin)
        if person.relation in (Relationship.SPOUSE, Relationship.REGISTERED_PARTNER):
            if rng.random() < 0.5:  # kept their own family's name
                surname = _spelt(rng, nation.families)
            if not person.female:  # children are named after their father
                fathers = surname
        elif person.relation == Relationship.CHILD and not nameless:
            surname = fathers
        elif nameless:
            surname = (None, None)
        elif rng.random() < 0.2:  # the same name, spelt differently on this member's papers
            surname = (family_native, rng.choice(family_spellings))
        if person.female and nationality in ("RU", "BY"):
            surname = _feminine(*surname)
        spelt: str | None = given_latin
        if unspelt or (own_script and rng.random() < 0.08):
            spelt, surname = None, (surname[0], None)
        person.sealed.update(
            given_names=given,
            family_name=surname[0],
            given_names_latin=spelt,
            family_name_latin=surname[1],
        )


def _birth_date(rng: random.Random, today: int, age: int, solar_hijri: float) -> str:
    """As the applicant entered it: to the year, month or day, Gregorian or Solar Hijri
    (docs/dates.md: a tazkira says 1364, not 1985)."""
    born = date.fromordinal(today - int(age * 365.25) - rng.randrange(365))
    precision = rng.random()
    if rng.random() < solar_hijri:
        year, month, day = _solar_hijri_of(born)
        # Tazkiras often give the year alone.
        if precision < 0.4:
            return f"{SOLAR_HIJRI_PREFIX}{year}"
        if precision < 0.55:
            return f"{SOLAR_HIJRI_PREFIX}{year}-{month:02d}"
        return f"{SOLAR_HIJRI_PREFIX}{year}-{month:02d}-{day:02d}"
    # Many people know only the year, or the month, they were born in.
    if precision < 0.08:
        return f"{born.year}"
    if precision < 0.2:
        return f"{born.year}-{born.month:02d}"
    return born.isoformat()


def _document_number(rng: random.Random, kind: IdentityDocument, nation: Nation) -> str | None:
    number = rng.randrange
    if kind == IdentityDocument.NONE:
        return None
    if kind == IdentityDocument.E_TAZKIRA:
        return f"{number(1398, 1404)}-{number(100, 3500):04d}-{number(100000):05d}"
    if kind == IdentityDocument.PAPER_TAZKIRA:  # volume, page and entry of the register
        return f"J{number(1, 400)}/S{number(1, 300)}/N{number(1, 9000)}"
    if kind == IdentityDocument.PASSPORT:
        return f"{nation.passport_prefix}{number(10_000_000, 99_999_999)}"
    return f"ID-{number(10**9):09d}"


def document_family(
    rng: random.Random,
    nation: Nation,
    people: list[PersonPlan],
    today: int,
    stay: str,
    *,
    solar_hijri: float = 0.0,
) -> None:
    """Birth dates (a share ``solar_hijri`` of them in that calendar), places and identity
    papers; sworn declarations where papers are missing."""
    home = rng.choice(PLACES_OF_STAY[stay])
    for person in people:
        kind = nation.documents.draw(rng)
        if person.age < 16 and kind == IdentityDocument.PASSPORT and rng.random() < 0.5:
            kind = IdentityDocument.NONE  # children often have no papers of their own
        person.document = kind
        person.sworn_declaration = (
            kind == IdentityDocument.NONE and person.age >= 18 and rng.random() < 0.75
        )
        names = (person.sealed["given_names_latin"], person.sealed["family_name_latin"])
        if not names[0]:  # the name as the person writes it, where they gave no spelling
            names = (person.sealed["given_names"], person.sealed["family_name"])
        together = person.lives_with_principal or person.relation == Relationship.PRINCIPAL
        person.sealed.update(
            birth_date=_birth_date(rng, today, person.age, solar_hijri),
            place_of_birth=rng.choice(nation.cities),
            place_of_stay=home if together else rng.choice(PLACES_OF_STAY[stay]),
            document_number=_document_number(rng, kind, nation),
            # Under a sworn declaration the person types their name as a signature.
            declaration_signature=(
                " ".join(filter(None, names)) if person.sworn_declaration else None
            ),
        )
