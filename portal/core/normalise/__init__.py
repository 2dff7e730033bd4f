"""Normal forms for matching: what two spellings of the same value have in common.

These keys are only ever hashed into blind indexes or compared; the stored values keep
exactly what the person typed. One module per kind of value:

- ``script``: letter variants, digits, marks, joiners and text-direction controls;
- ``names``: order-free keys of names written in one script;
- ``transliteration``: the Latin key, a consonant skeleton shared across scripts, and
  ``cyrillic``, which reads Cyrillic letters as Latin ones for it;
- ``romanise``: a Latin spelling of a name to offer the person, never a key;
- ``documents``, ``phones``, ``dates``: document numbers, phone numbers, dates of birth.
"""

from portal.core.normalise.dates import (
    ApproximateDate,
    age_range,
    birth_date_agreement,
    birth_year,
    birth_years,
    parse_approximate_date,
    surely_before,
)
from portal.core.normalise.documents import document_number_key
from portal.core.normalise.names import name_key
from portal.core.normalise.phones import phone_key
from portal.core.normalise.romanise import latin_suggestion
from portal.core.normalise.script import (
    BIDI_CONTROLS,
    Script,
    fold_letters,
    fold_text,
    has_bidi_controls,
    is_arabic_script,
    is_cyrillic_script,
    name_script,
)
from portal.core.normalise.transliteration import NameKeys, latin_key, name_keys

__all__ = [
    "BIDI_CONTROLS",
    "ApproximateDate",
    "NameKeys",
    "Script",
    "age_range",
    "birth_date_agreement",
    "birth_year",
    "birth_years",
    "document_number_key",
    "fold_letters",
    "fold_text",
    "has_bidi_controls",
    "is_arabic_script",
    "is_cyrillic_script",
    "latin_key",
    "latin_suggestion",
    "name_key",
    "name_keys",
    "name_script",
    "parse_approximate_date",
    "phone_key",
    "surely_before",
]
