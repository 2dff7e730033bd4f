"""Plain factory functions for cases filled like an applicant would fill them, and a
watch list in force to screen them against."""

from typing import Any

from sqlalchemy.orm import Session

from portal.cases.custody import start_case
from portal.cases.models import Case, Employment, Person
from portal.cases.states import IdentityDocument, Programme, Relationship
from portal.core.db import utcnow
from portal.watchlist.csvfile import parse_watchlist
from portal.watchlist.store import replace_list

# Distinctive values: a raw scan of the database must never find them.
PRINCIPAL = {
    "given_names": "زرمینه‌گل",
    "family_name": "احمدزی",
    "given_names_latin": "Zarminagul",
    "family_name_latin": "Ahmadzai",
    "birth_date": "1987-03",
    "place_of_birth": "Mazar-i-Sharif Qala-e-Jangi",
    "place_of_stay": "Kabul Karte-Char Sarak-e-Dawazdah",
    "document_number": "P01Q7733XZ",
}


# Nobody the factory's cases are named like: screened against it, they come out clear.
UNRELATED_WATCHLIST = """name,aliases,date_of_birth,reference
Gulbuddin Zadran,,1961,BKA-7781
"""


def put_watchlist_in_force(session: Session, text: str = UNRELATED_WATCHLIST) -> None:
    """A watch list in force, as in production: without one no screening comes out clear."""
    replace_list(session, parse_watchlist(text.encode()))
    session.commit()


def make_case(
    session: Session,
    *,
    programme: Programme = Programme.LOCAL_STAFF,
    family: int = 2,
    language: str = "fa_AF",
    **principal: Any,
) -> tuple[Case, str]:
    """A draft case with a principal, ``family`` members and, for local staff, employment."""
    case, access_code = start_case(session, programme=programme, language=language)
    case.nationality, case.country_of_stay = "AF", "AF"
    case.contact = {"phone": "+93 70 123 4567", "email": "zarmina.hidden@example.org"}
    if programme == Programme.AT_RISK:
        case.risk_profile = ["journalist", "womens_rights_activist"]
        case.threat_description = "Drohbrief der Gruppe Schwarzer Adler am Tor"
    people = [
        _person(case, 0, Relationship.PRINCIPAL, **(PRINCIPAL | principal)),
        *(
            _person(
                case,
                position,
                Relationship.CHILD if position > 1 else Relationship.SPOUSE,
                given_names=f"فرزانه{position}",
                family_name="احمدزی",
                given_names_latin=f"Farzana{position}",
                family_name_latin="Ahmadzai",
                birth_date=f"{2010 + position}-01-01",
                document_number=f"TZ-{4410 + position}",
            )
            for position in range(1, family + 1)
        ),
    ]
    session.add_all(people)
    case.people_count = len(people)
    case.declarations_confirmed_at = utcnow()
    if programme == Programme.LOCAL_STAFF:
        job = Employment(case=case, position=0)
        job.employer, job.place, job.role = "bundeswehr", "Camp Marmal", "Sprachmittler"
        job.started_on, job.ended_on = "2009-04", "2014-12"
        job.staff_number, job.supervisor = "BW-99871", "Hauptmann Kesselring-Uhde"
        session.add(job)
    session.flush()
    return case, access_code


def _person(case: Case, position: int, relation: Relationship, **fields: str) -> Person:
    person = Person(
        case=case,
        position=position,
        relation=relation,
        nationality="AF",
        identity_document=IdentityDocument.PASSPORT,
        lives_with_principal=True,
    )
    for name, value in fields.items():
        setattr(person, name, value)
    return person
