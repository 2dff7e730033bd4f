"""Blind indexes of a case: keyed hashes of its normalised identifying values."""

from sqlalchemy import delete

from portal.cases.custody import keyring
from portal.cases.models import BlindIndex, Case
from portal.core import crypto
from portal.core.db import DbSession
from portal.core.normalise import birth_year, document_number_key, name_key, phone_key

DOCUMENT_NUMBER = "document_number"
NAME_BIRTH_YEAR = "name_birth_year"
PHONE = "phone"


def index_case(session: DbSession, case: Case) -> list[BlindIndex]:
    """Replace the case's blind indexes with fresh ones (the case must be unlocked)."""
    session.execute(delete(BlindIndex).where(BlindIndex.case_id == case.id))
    ring = keyring()
    keys = {
        purpose: ring.blind_index_key(purpose)
        for purpose in (DOCUMENT_NUMBER, NAME_BIRTH_YEAR, PHONE)
    }

    def add(purpose: str, value: str, person_id: object = None) -> None:
        digest = crypto.blind_index(keys[purpose], value)
        rows.append(
            BlindIndex(case_id=case.id, person_id=person_id, purpose=purpose, digest=digest)
        )

    rows: list[BlindIndex] = []
    for person in case.people:
        if person.document_number and (number := document_number_key(person.document_number)):
            add(DOCUMENT_NUMBER, number, person.id)
        year = birth_year(person.birth_date) or "?"
        for given, family in (
            (person.given_names, person.family_name),
            (person.given_names_latin, person.family_name_latin),
        ):
            if key := name_key(given, family):
                add(NAME_BIRTH_YEAR, f"{key}|{year}", person.id)
    phone = (case.contact or {}).get("phone")
    if phone and (e164 := phone_key(phone, case.country_of_stay, case.nationality)):
        add(PHONE, e164)
    session.add_all(rows)
    return rows
