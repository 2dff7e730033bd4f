"""Finding a case by what a caller reads out: a reference, a name with a year of birth, a
document number or a phone number.

Nothing is decrypted. A reference is a clear column; everything else is looked up in the
blind indexes the intake writes (``portal.intake.indexing``): what was typed is normalised
the same way, hashed under the same keys, and compared with the stored digests. A name
typed in Latin letters meets one written in Dari, Pashto or Cyrillic as duplicate
screening lets them meet (``portal.intake.duplicates.COUNTERPART``), and also another
Latin spelling of it, by the vowelled key ("Mohammad Yusuf", "Muhammad Yousuf").

One box takes whatever the caller said; each reading it can have is looked up at once
(a reference, a document number, a phone number, a name with the year in its own field),
and the results are the cases ``visible_cases`` lets the searcher see, in queue order.
Every search is an audit event that names the kinds of reading and how many cases were
found, and carries a keyed hash of the terms in place of the terms themselves.
"""

import hmac
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import Select, and_, or_, select, union

from portal.accounts.models import StaffUser
from portal.cases.custody import keyring
from portal.cases.models import BlindIndex, Case
from portal.cases.models.case import QUEUE_ORDER
from portal.cases.states import ActorKind
from portal.core import codes, crypto
from portal.core.audit import record_event
from portal.core.dates import SOLAR_HIJRI_PREFIX
from portal.core.db import DbSession, one_of, utcnow
from portal.core.i18n import _ls
from portal.core.normalise import (
    Script,
    birth_years,
    document_number_key,
    fold_letters,
    fold_text,
    name_keys,
    phone_key,
)
from portal.core.permissions import Permission, authorize
from portal.core.refusal import ActionRefused
from portal.intake import indexing as ix
from portal.review import budgets
from portal.review.visibility import visible_cases

# One screen of results; a search that finds more asks for more of the name instead.
MAX_RESULTS = 50
MAX_TERMS_LENGTH = 200
EARLIEST_BIRTH_YEAR = 1900
# A Solar Hijri year begins in March of the Gregorian year 621 later (1364 in March 1985).
SOLAR_HIJRI_YEARS_BEHIND = 621
# A phone number said without its country code is read as a number of each of these, the
# countries applicants come from and stay in (and Germany, where some of them are now).
PHONE_REGIONS = ("AF", "IR", "PK", "TJ", "UZ", "SY", "IQ", "TR", "RU", "BY", "UA", "DE")
# The key of the audit event's hash of the terms; derived from the blind-index master key,
# so whoever may compute blind indexes can tell which searches looked for a given value,
# and nobody else can.
AUDIT_TERMS_PURPOSE = "search_terms_audit"
AUDIT_ACTION = budgets.SEARCHED
NEEDS_YEAR = _ls("A name is found with the year of birth: please give the year too.")
NOTHING_TO_SEARCH = _ls(
    "This is not a reference, a document number or a phone number, and a name needs letters."
)


class SearchKind(StrEnum):
    REFERENCE = "reference"
    NAME = "name"
    DOCUMENT_NUMBER = "document_number"
    PHONE = "phone"


# Which stored names a typed name's keys meet. The skeleton (no vowels) is how Arabic
# script meets the scripts that write vowels; two spellings that write vowels (Latin,
# Cyrillic) meet by the vowelled key, never by the skeleton alone, which is too lossy
# between them ("Anna Ivanova" and "Ivan Ivanov").
SKELETON_MEETS = {
    Script.ARABIC: (ix.TRANSLITERATED_ARABIC, ix.TRANSLITERATED_CYRILLIC, ix.TRANSLITERATED_LATIN),
    Script.CYRILLIC: (ix.TRANSLITERATED_ARABIC,),
    Script.LATIN: (ix.TRANSLITERATED_ARABIC,),
}
VOWELLED_MEETS = (ix.VOWELLED_CYRILLIC, ix.VOWELLED_LATIN)


@dataclass(frozen=True)
class Lookup:
    """What one search looks for: a canonical reference and digests per index purpose."""

    kinds: tuple[SearchKind, ...]
    reference: str | None = None
    digests: dict[str, frozenset[bytes]] = field(default_factory=dict)


@dataclass(frozen=True)
class SearchResult:
    cases: list[Case]
    more: bool  # more than MAX_RESULTS were found
    kinds: tuple[SearchKind, ...]


def parse_year(typed: str | None) -> int | None:
    """A year of birth as typed (Persian and Arabic-Indic digits too), in the Gregorian
    calendar or, as Afghan papers and callers give it, the Solar Hijri one (1364 for 1985);
    None if empty. The two ranges of plausible years do not meet, so either is told apart.

    Raises ``ValueError`` for anything that is not a plausible year."""
    folded = fold_letters(typed or "").strip()
    if not folded:
        return None
    if not (folded.isascii() and folded.isdecimal() and len(folded) == 4):
        raise ValueError(folded)
    year, this_year = int(folded), utcnow().year
    if not (
        EARLIEST_BIRTH_YEAR <= year <= this_year
        or EARLIEST_BIRTH_YEAR - SOLAR_HIJRI_YEARS_BEHIND
        <= year
        <= this_year - SOLAR_HIJRI_YEARS_BEHIND
    ):
        raise ValueError(folded)
    return year


def gregorian_years(year: int) -> list[str]:
    """The Gregorian years a typed year of birth may be, as the indexes write them: itself,
    or the two a Solar Hijri year spans (1364 ran from March 1985 to March 1986)."""
    if year >= EARLIEST_BIRTH_YEAR:
        return [str(year)]
    return birth_years(f"{SOLAR_HIJRI_PREFIX}{year}")


def phone_candidates(typed: str) -> set[str]:
    """Every E.164 number ``typed`` can be: as written, and in each of ``PHONE_REGIONS``."""
    folded = fold_letters(typed)
    if sum(char.isdecimal() for char in folded) < 6 or any(char.isalpha() for char in folded):
        # Too short ("1987" is a number in some regions), or letters, which the phone
        # library reads as a keypad's ("1-800-FLOWERS"): a reference read out is not a phone.
        return set()
    found = {phone_key(typed, region) for region in (None, *PHONE_REGIONS)}
    return {number for number in found if number}


def lookup_of(typed: str, year: int | None) -> Lookup:
    """Every reading of ``typed`` (with ``year`` for a name) as index digests.

    Raises ``ActionRefused`` when nothing can be looked up: a name without its year, or
    text with neither letters nor the shape of a number."""
    ring = keyring()
    keys = {key: ring.blind_index_key(key) for key in set(ix.KEY_OF_PURPOSE.values())}
    digests: dict[str, set[bytes]] = defaultdict(set)

    def add(purpose: str, value: str) -> None:
        digests[purpose].add(crypto.blind_index(keys[ix.KEY_OF_PURPOSE[purpose]], value))

    kinds = []
    reference = codes.normalise_reference(typed)
    if reference:
        kinds.append(SearchKind.REFERENCE)
    document = document_number_key(typed)
    if any(char.isdecimal() for char in document):  # document numbers all have digits
        kinds.append(SearchKind.DOCUMENT_NUMBER)
        add(ix.DOCUMENT_NUMBER, document)
    phones = phone_candidates(typed)
    if phones:
        kinds.append(SearchKind.PHONE)
        for number in phones:
            add(ix.PHONE, number)
    name, year = name_and_year(typed, year)
    if any(char.isalpha() for char in name):
        if year is not None:
            kinds.append(SearchKind.NAME)
            _add_name(add, name, year)
        elif not kinds:
            raise ActionRefused(NEEDS_YEAR)
    if not kinds:
        raise ActionRefused(NOTHING_TO_SEARCH)
    return Lookup(
        tuple(kinds), reference, {purpose: frozenset(found) for purpose, found in digests.items()}
    )


def name_and_year(typed: str, year: int | None) -> tuple[str, int | None]:
    """The name and the year of birth, which may end what was typed ("Yusuf 1985")."""
    if year is None:
        name, _space, last = fold_letters(typed).strip().rpartition(" ")
        try:
            found = parse_year(last) if name.strip() else None
        except ValueError:
            found = None
        if found is not None:
            return name, found
    return typed, year


def _add_name(add: Callable[[str, str], None], typed: str, year: int) -> None:
    """The digests a person named ``typed``, born in ``year``, is indexed under."""
    keys = name_keys(typed)
    for gregorian in gregorian_years(year):
        if keys.folded:  # the same spelling, in the same script
            add(ix.NAME_BIRTH_YEAR, f"{keys.folded}|{gregorian}")
        if keys.skeleton:
            for purpose in SKELETON_MEETS[keys.script]:
                add(purpose, f"{keys.skeleton}|{gregorian}")
        if keys.vowelled:  # empty for Arabic script
            for purpose in VOWELLED_MEETS:
                add(purpose, f"{keys.vowelled}|{gregorian}")


def search_query(session: DbSession, user: StaffUser, lookup: Lookup) -> Select[Case]:
    """The SELECT of the cases ``lookup`` finds that ``user`` may see, in queue order, one
    more than a screen to tell whether there are more."""
    found: list[Select[uuid.UUID]] = []
    if lookup.digests:
        # One arm per purpose, each served by the (purpose, digest) index.
        arms = [
            and_(BlindIndex.purpose == purpose, one_of(session, BlindIndex.digest, digests))
            for purpose, digests in sorted(lookup.digests.items())
        ]
        found.append(select(BlindIndex.case_id.label("id")).where(or_(*arms)))
    if lookup.reference:
        found.append(select(Case.id.label("id")).where(Case.reference == lookup.reference))
    return (
        select(Case)
        .where(Case.id.in_(found[0] if len(found) == 1 else union(*found)))
        .where(visible_cases(user))
        .order_by(*QUEUE_ORDER)
        .limit(MAX_RESULTS + 1)
    )


def terms_digest(typed: str, year: int | None) -> str:
    """A keyed hash of the terms for the audit trail, never the terms themselves."""
    key = keyring().blind_index_key(AUDIT_TERMS_PURPOSE)
    value = f"{fold_text(typed)}|{year or ''}"
    return hmac.new(key, value.encode(), "sha256").hexdigest()[:32]


def search_cases(
    session: DbSession, actor: StaffUser, typed: str, year: int | None
) -> SearchResult:
    """The cases ``actor`` may see that ``typed`` (and ``year``) find; audited."""
    authorize(actor, Permission.CASE_SEARCH)
    lookup = lookup_of(typed, year)  # a search that cannot be read costs nothing
    budgets.check_search(session, actor)
    rows = list(session.scalars(search_query(session, actor, lookup)))
    cases, more = rows[:MAX_RESULTS], len(rows) > MAX_RESULTS
    record_event(
        session,
        AUDIT_ACTION,
        actor_kind=ActorKind.STAFF,
        actor_id=actor.id,
        kinds=[str(kind) for kind in lookup.kinds],
        found=len(cases),
        more=more,
        terms=terms_digest(typed, year),
    )
    return SearchResult(cases, more, lookup.kinds)
