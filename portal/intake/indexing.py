"""Blind indexes of cases: keyed hashes of its normalised identifying values."""

import uuid
from collections.abc import Iterable
from typing import NamedTuple, cast

from sqlalchemy import Table, delete

from portal.cases.custody import keyring
from portal.cases.models import BlindIndex, Case
from portal.core import crypto
from portal.core.db import DbSession, insert_rows, one_of
from portal.core.normalise import (
    Script,
    birth_years,
    phone_key,
)
from portal.intake.facts import CaseFacts

DOCUMENT_NUMBER = "document_number"
NAME_BIRTH_YEAR = "name_birth_year"
PHONE = "phone"
# The consonant skeleton of a name with the birth year, from Arabic script, Cyrillic or
# Latin letters. All share one key, so the digests can meet, but are stored apart by
# script: an Arabic-script name is compared with the others, never two names written with
# vowels, because between two Latin spellings (and a Cyrillic name read as Latin letters
# is one) the skeleton is too lossy ("Anna Ivanova" and "Ivan Ivanov" share it).
TRANSLITERATED = "name_transliterated"
TRANSLITERATED_ARABIC = "name_translit_arabic"
TRANSLITERATED_CYRILLIC = "name_translit_cyrillic"
TRANSLITERATED_LATIN = "name_translit_latin"
# A Cyrillic name and a Latin one are compared by the vowelled key instead, which keeps
# where the vowels are ("Анна Иванова" and "Ivan Ivanov" differ there).
VOWELLED_CYRILLIC = "name_vowelled_cyrillic"
VOWELLED_LATIN = "name_vowelled_latin"
SKELETON_PURPOSE = {
    Script.ARABIC: TRANSLITERATED_ARABIC,
    Script.CYRILLIC: TRANSLITERATED_CYRILLIC,
    Script.LATIN: TRANSLITERATED_LATIN,
}
VOWELLED_PURPOSE = {Script.CYRILLIC: VOWELLED_CYRILLIC, Script.LATIN: VOWELLED_LATIN}
KEY_OF_PURPOSE = {
    DOCUMENT_NUMBER: DOCUMENT_NUMBER,
    NAME_BIRTH_YEAR: NAME_BIRTH_YEAR,
    PHONE: PHONE,
    **dict.fromkeys(SKELETON_PURPOSE.values(), TRANSLITERATED),
    **dict.fromkeys(VOWELLED_PURPOSE.values(), TRANSLITERATED),
}


_TABLE = cast(Table, BlindIndex.__table__)


class IndexRow(NamedTuple):
    person_id: uuid.UUID | None
    purpose: str
    digest: bytes


def index_cases(
    session: DbSession, cases: Iterable[Case], facts: dict[uuid.UUID, CaseFacts]
) -> dict[uuid.UUID, list[IndexRow]]:
    """Replace the cases' blind indexes with fresh ones, made from their ``facts``."""
    cases = list(cases)
    ids = [case.id for case in cases]
    session.execute(delete(BlindIndex).where(one_of(session, BlindIndex.case_id, ids)))
    ring = keyring()
    keys = {key: ring.blind_index_key(key) for key in set(KEY_OF_PURPOSE.values())}
    indexes = {case.id: _index_rows(case, facts[case.id], keys) for case in cases}
    stored = [
        {"id": uuid.uuid4(), "case_id": case_id, **row._asdict()}
        for case_id, rows in indexes.items()
        for row in rows
    ]
    insert_rows(session, _TABLE, stored)  # written now: the duplicate search reads them
    return indexes


def _index_rows(case: Case, facts: CaseFacts, keys: dict[str, bytes]) -> list[IndexRow]:
    return index_rows(facts, keys, case.country_of_stay, case.nationality)


def index_rows(
    facts: CaseFacts,
    keys: dict[str, bytes],
    country_of_stay: str | None,
    nationality: str | None,
) -> list[IndexRow]:
    """The index rows of one case's ``facts``, under ``keys`` (by ``KEY_OF_PURPOSE``): the
    demo seeder's worker processes, which hold no app, make them with this too."""
    # A set: a name written the same way in both fields gives one row, not two.
    values: set[tuple[str, str, uuid.UUID | None]] = set()
    for person in facts.people:
        if person.document_key:
            values.add((DOCUMENT_NUMBER, person.document_key, person.id))
        # A row per Gregorian year the date may fall in: a Solar Hijri year alone (1364)
        # meets a duplicate born in 1985 and one born in 1986.
        for year in birth_years(person.birth_date) or ["?"]:
            for written in person.name_keys:
                if written.folded:
                    values.add((NAME_BIRTH_YEAR, f"{written.folded}|{year}", person.id))
                if written.skeleton:
                    purpose = SKELETON_PURPOSE[written.script]
                    values.add((purpose, f"{written.skeleton}|{year}", person.id))
                if written.script in VOWELLED_PURPOSE and written.vowelled:
                    purpose = VOWELLED_PURPOSE[written.script]
                    values.add((purpose, f"{written.vowelled}|{year}", person.id))
    if facts.phone and (e164 := phone_key(facts.phone, country_of_stay, nationality)):
        values.add((PHONE, e164, None))
    return [
        IndexRow(person_id, purpose, crypto.blind_index(keys[KEY_OF_PURPOSE[purpose]], value))
        for purpose, value, person_id in values
    ]
