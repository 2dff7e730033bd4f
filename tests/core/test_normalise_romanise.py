"""The Latin spelling offered for a name typed in Arabic script or Cyrillic
(portal.core.normalise.latin_suggestion): readable, in Latin letters the form accepts, and
read by screening as the same name it came from."""

import pytest

from portal.apply.forms import LATIN
from portal.core.normalise import is_arabic_script, latin_key, latin_suggestion
from portal.core.normalise.romanise import _KNOWN
from portal.demo.names import AF_FAMILIES, AF_MEN, AF_WOMEN, SY_FAMILIES, SY_MEN, SY_WOMEN

ZWNJ = "\u200c"


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("کریم", "Karim"),  # the short vowel after the first letter
        ("احمد", "Ahmad"),  # and between the last two
        ("فرزانه", "Farzana"),  # final heh is a vowel
        ("شاه", "Shah"),  # but a consonant after alef
        ("جاوید", "Jawid"),  # waw as a consonant before a long vowel
        ("حیات", "Hayat"),
        ("قاسم", "Qasam"),  # a suggestion to correct, not always right
        ("محمد یوسف", "Mohammad Yousuf"),  # common name words as passports write them
        ("كريمي", "Karimi"),  # Arabic Kaf and Yeh, as an Arabic keyboard types them
        (f"زرمینه{ZWNJ}گل احمدزی", "Zarminagul Ahmadzai"),  # a compound; the -zai of tribes
        (f"نجیب{ZWNJ}الله", "Najibullah"),
        ("غازی", "Ghazi"),  # a short word ending on -zi keeps it
        ("العلي", "Al-Ali"),
        ("سلمى", "Salma"),
        ("Мухаммад Юсуф", "Mukhammad Yusuf"),  # Cyrillic as passports (ICAO) write it
        ("Олександр Хоменко", "Oleksandr Khomenko"),
        ("Mehmet Yılmaz", "Mehmet Yılmaz"),  # already Latin: given back
        ("  Ahmad   Shah ", "Ahmad Shah"),
        ("١٢٣", ""),  # nothing to spell
        ("", ""),
    ],
)
def test_a_suggestion_for_a_typed_name(typed: str, suggested: str) -> None:
    assert latin_suggestion(typed) == suggested


ARABIC_SCRIPT_NAMES = [
    native
    for pool in (AF_MEN, AF_WOMEN, AF_FAMILIES, SY_MEN, SY_WOMEN, SY_FAMILIES)
    for native, _spellings in pool
    if is_arabic_script(native)
]


@pytest.mark.parametrize("native", ARABIC_SCRIPT_NAMES)
def test_an_accepted_suggestion_is_read_as_the_same_name_and_fits_the_form(native: str) -> None:
    """Accepted as it is, a suggestion gives the Latin key of the name it came from, so
    screening and duplicate search read both spellings alike; and the form takes it."""
    suggested = latin_suggestion(native)
    assert LATIN.match(suggested), suggested
    assert latin_key(suggested) == latin_key(native), suggested


@pytest.mark.parametrize(("native", "latin"), sorted(_KNOWN.items()))
def test_every_known_word_keeps_its_consonants(native: str, latin: str) -> None:
    assert latin_key(latin) == latin_key(native)
