"""Normal forms for matching: what two spellings of the same value have in common.

These keys are only ever hashed into blind indexes or compared; the stored values keep
exactly what the person typed.
"""

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

import phonenumbers

# Letter variants that Arabic, Persian, Dari and Pashto keyboards produce for one letter.
_LETTER_FOLD = str.maketrans(
    {
        "\u064a": "\u06cc",  # Arabic Yeh -> Farsi Yeh
        "\u0649": "\u06cc",  # Alef Maksura -> Farsi Yeh
        "\u06d0": "\u06cc",  # Pashto Yeh -> Farsi Yeh
        "\u06cd": "\u06cc",
        "\u06ce": "\u06cc",
        "\u0643": "\u06a9",  # Arabic Kaf -> Keheh
        "\u06aa": "\u06a9",
        "\u0623": "\u0627",  # Alef with hamza above/below, madda, wasla -> Alef
        "\u0625": "\u0627",
        "\u0622": "\u0627",
        "\u0671": "\u0627",
        "\u0629": "\u0647",  # Teh Marbuta -> Heh
        "\u06c0": "\u0647",
        "\u06d5": "\u0647",
        "\u0624": "\u0648",  # Waw with hamza -> Waw
        "\u0626": "\u06cc",  # Yeh with hamza -> Yeh
        "\u06bc": "\u0646",  # Pashto Noon with ring -> Noon
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Persian digits
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
    }
)
_REMOVE = {
    "\u0640",  # tatweel
    "\u200b",  # zero-width space
    "\u200c",  # zero-width non-joiner
    "\u200d",  # zero-width joiner
    "\ufeff",
}
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def has_bidi_controls(text: str) -> bool:
    """Bidirectional controls can make a name or filename display as something else."""
    return any(char in BIDI_CONTROLS for char in text)


def fold_text(text: str) -> str:
    """NFKC, letter variants folded, marks and joiners removed, case folded, spaces single."""
    text = unicodedata.normalize("NFKC", text).translate(_LETTER_FOLD)
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(
        char
        for char in decomposed
        if char not in _REMOVE
        and char not in BIDI_CONTROLS
        and not unicodedata.category(char).startswith("M")  # harakat, accents
    )
    return " ".join(re.split(r"[\s\-_.,'’]+", kept.casefold())).strip()


def name_key(*parts: str | None, join_particles: bool = False) -> str:
    """Order-free key of a person's name: the sorted folded tokens.

    With ``join_particles``, "Abdul Rahman" and "Abdulrahman", "سیف الله" and "سیف‌الله"
    give one key (see ``latin_key``).
    """
    tokens = [token for part in parts if part for token in fold_text(part).split()]
    return " ".join(sorted(_joined_tokens(tokens) if join_particles else tokens))


def document_number_key(number: str) -> str:
    """Letters and digits only, upper-case, Persian and Arabic-Indic digits as ASCII."""
    folded = unicodedata.normalize("NFKC", number).translate(_LETTER_FOLD).upper()
    return "".join(char for char in folded if char.isalnum())


def phone_key(number: str, *regions: str | None) -> str | None:
    """E.164 form of a phone number, or None if it is not one.

    A number written without its country code is read in each of ``regions`` in turn
    (say, the country of stay, then the nationality); the first reading that gives a valid
    number wins, else the first that gives a possible one.
    """
    folded = unicodedata.normalize("NFKC", number).translate(_LETTER_FOLD)
    possible = []
    for region in regions or (None,):
        try:
            parsed = phonenumbers.parse(folded, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        if phonenumbers.is_possible_number(parsed):
            possible.append(parsed)
    if not possible:
        return None
    return phonenumbers.format_number(possible[0], phonenumbers.PhoneNumberFormat.E164)


def birth_year(approximate_date: str | None) -> str | None:
    """The year of an ISO date that may be approximate ("1990", "1990-05", "1990-05-17")."""
    if not approximate_date:
        return None
    # Fold Persian, Arabic-Indic and fullwidth digits so "۱۹۹۰" gives "1990" like "1990";
    # ASCII-only matching, since Python's \d would also accept (and return) other digits.
    folded = unicodedata.normalize("NFKC", approximate_date).translate(_LETTER_FOLD)
    if re.fullmatch(r"[0-9]{4}(-[0-9]{2}){0,2}", folded):
        return folded[:4]
    return None


# --- a Latin key for names in Arabic script and their Latin spellings ----------------------
# Arabic script writes consonants and long vowels but not short vowels, so "محمد" and
# "Mohammad", "Muhammad", "Mohammed" only agree on their consonants: m-h-m-d. The key is
# that consonant skeleton, built the same way from both scripts. Alef, ain and hamza carry
# vowels and vanish (a word opening on one keeps a mark, '); waw and yeh count as w and y
# only at the start of a word (and yeh at its end, the -i of family names), since inside
# one they are mostly the long vowels that Latin spellings write as o/u and i/e.
# Upper-case letters stand for sounds Latin writes with two letters: S sh, C ch, X kh, Z zh.
_ARABIC_SKELETON = {
    **dict.fromkeys("\u0627\u0639\u0621", ""),  # alef, ain, hamza
    "\u0628": "b",
    "\u067e": "p",
    **dict.fromkeys("\u062a\u0637\u067c\u0679", "t"),  # teh, tah, Pashto tteh, Urdu tteh
    **dict.fromkeys("\u062b\u0633\u0635\u0685", "s"),  # theh, seen, sad, Pashto tsa
    "\u062c": "j",
    "\u0686": "C",
    **dict.fromkeys("\u062d\u0647\u06c1\u06be", "h"),  # hah, heh, Urdu heh goal, do-chashmi
    "\u062e": "X",
    **dict.fromkeys("\u062f\u0689\u0688", "d"),  # dal, Pashto ddal, Urdu ddal
    **dict.fromkeys("\u0630\u0632\u0636\u0638\u0681", "z"),  # thal, zain, dad, zah, Pashto dza
    **dict.fromkeys("\u0631\u0693\u0691", "r"),
    **dict.fromkeys("\u0698\u0696", "Z"),  # jeh, Pashto zhe
    **dict.fromkeys("\u0634\u069a", "S"),  # sheen, Pashto x/sh
    **dict.fromkeys("\u063a\u06af\u06ab", "g"),  # ghain (Latin writes gh or g), gaf, Pashto gaf
    "\u0641": "f",
    **dict.fromkeys("\u0642\u06a9", "k"),  # qaf, keheh (Arabic kaf is folded to keheh)
    "\u0644": "l",
    "\u0645": "m",
    **dict.fromkeys("\u0646\u06ba", "n"),
    "\u0648": "w",
    **dict.fromkeys("\u06cc\u06d2", "y"),  # Farsi yeh (all yeh forms fold to it), Urdu yeh
}
_ARABIC_VOWEL_CARRIERS = frozenset("\u0627\u0639\u0621")  # alef, ain, hamza
_HEH = frozenset("\u0647\u06c1\u0629")  # ending a word: the vowel of Fatima, Farzana...
# A compound written with a zero-width non-joiner ("زرمینه‌گل") ends a word inside it; the
# joiner goes when text is folded, so a heh before it is dropped first.
_HEH_BEFORE_ZWNJ = re.compile("[\u0647\u06c1\u0629](?=\u200c)")
_SEMIVOWELS = frozenset("wy")
# Latin letters read as the skeleton's sounds; longer spellings first (German ones too).
_LATIN_SPELLINGS = (
    ("tsch", "C"),
    ("sch", "S"),
    ("sh", "S"),
    ("ch", "C"),
    ("kh", "X"),
    ("zh", "Z"),
    ("gh", "g"),
    ("ph", "f"),
    ("th", "t"),
    ("dj", "j"),
    ("ck", "k"),
    ("q", "k"),
    ("c", "k"),
    ("x", "ks"),
    ("v", "w"),
)
_LATIN_PATTERN = re.compile("|".join(spelling for spelling, _sound in _LATIN_SPELLINGS))
_LATIN_SOUNDS = dict(_LATIN_SPELLINGS)
_LATIN_VOWELS = frozenset("aeiou")
# Turkish letters whose sound fold_text would lose with their cedilla or breve.
_TURKISH = str.maketrans({"ş": "sh", "Ş": "sh", "ç": "ch", "Ç": "ch", "ğ": "", "Ğ": "", "ı": "i"})
# Alef maksura ends Arabic names said with "a" (Salma, سلمى); folding would make it a yeh.
_MAKSURA = str.maketrans({"\u0649": "\u0627"})
# Particles written apart or together ("Abdul Rahman", "Abdulrahman", "عبدالرحمن";
# "Sami Ullah", "سمیع‌الله"): joined to the next or the previous word before the key is made.
_JOIN_NEXT = frozenset({"al", "el", "abd", "abdul", "abdel", "abdol", "abu", "عبد", "ابو", "ال"})
_JOIN_PREVIOUS = frozenset({"ullah", "ulla", "allah", "ollah", "ulah", "الله"})


def is_arabic_script(text: str) -> bool:
    return any("\u0600" <= char <= "\u06ff" or "\ufb50" <= char <= "\ufeff" for char in text)


def _joined_tokens(tokens: list[str]) -> list[str]:
    merged: list[str] = []
    pending = ""
    for token in tokens:
        if token in _JOIN_NEXT:
            pending += token
        elif token in _JOIN_PREVIOUS and merged and not pending:
            merged[-1] += token
        else:
            merged.append(pending + token)
            pending = ""
    if pending:
        merged.append(pending)
    return merged


def _arabic_skeleton(token: str) -> list[str]:
    sounds = []
    for index, char in enumerate(token):
        sound = _ARABIC_SKELETON.get(char, char if char.isascii() else "")
        last = index > 0 and not is_arabic_script(token[index + 1 : index + 2])
        if index == 0 and char in _ARABIC_VOWEL_CARRIERS:
            sound = "'"  # Ahmad is not Hamid: a word opening on a vowel keeps a mark of it
        elif last and char in _HEH:
            sound = ""  # the vowel of Fatima, Farzana (a digit may follow in test data)
        elif sound in _SEMIVOWELS and index > 0 and not (last and sound == "y"):
            sound = ""  # a long vowel; but Karimi is not Karim: a final -i stays
        sounds.append(sound)
    return sounds


def _latin_skeleton(token: str) -> list[str]:
    spelled = _LATIN_PATTERN.sub(lambda match: _LATIN_SOUNDS[match.group()], token)
    sounds = []
    for index, char in enumerate(spelled):
        if index == 0 and char in _LATIN_VOWELS:
            sounds.append("'")
        elif char in _LATIN_VOWELS or (char in _SEMIVOWELS and index > 0):
            sounds.append("")
        elif char == "h" and index == len(spelled) - 1 and index > 0:
            sounds.append("")  # Fatimah, Abdullah: a final h is the vowel's, as final heh is
        else:
            sounds.append(char)
    if len(spelled) > 1 and (spelled[-1] in "iy" or spelled.endswith("ee")):
        sounds.append("y")  # Karimi, Zalmay, Rezaee: the final yeh of the Arabic spelling
    return sounds


def _skeleton(token: str) -> str:
    arabic = is_arabic_script(token)
    sounds = _arabic_skeleton(token) if arabic else _latin_skeleton(token)
    kept = []
    for index, sound in enumerate(sounds):
        # Letters doubled in Latin (Mohammad's mm) are one letter in Arabic script. Two
        # equal letters side by side in Arabic script have a short vowel between them
        # (ننګیالی, Nangialai); only lam before lam (الله, Allah) is said as one.
        if index and sound == sounds[index - 1] and (not arabic or sound == "l"):
            continue
        kept.append(sound)
    return "".join(kept)


def latin_key(*parts: str | None) -> str:
    """Order-free consonant skeleton of a name, the same from Arabic script and Latin letters.

    Lossy on purpose ("Ali" gives "'ly", and so do "Aly" and "Eli"): use it to let two
    scripts meet, next to other evidence, never alone to tell people apart.
    """
    tokens = [
        token
        for part in parts
        if part
        for token in fold_text(
            _HEH_BEFORE_ZWNJ.sub("", part.translate(_TURKISH).translate(_MAKSURA))
        ).split()
    ]
    skeletons = (_skeleton(token) for token in _joined_tokens(tokens))
    return " ".join(sorted(skeleton for skeleton in skeletons if skeleton))


# --- approximate dates -----------------------------------------------------------------------


@dataclass(frozen=True)
class ApproximateDate:
    """A date known to the year, the month or the day, as applicants can give it.

    1 January is the date documents (tazkiras above all) carry when only the year is known,
    so "1990-01-01" counts as weak evidence: it spans the whole year like "1990".
    """

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def placeholder(self) -> bool:
        return self.month == 1 and self.day == 1

    @property
    def exact(self) -> bool:
        return self.day is not None and not self.placeholder

    @property
    def earliest(self) -> date:
        if self.month is None or self.placeholder:
            return date(self.year, 1, 1)
        return date(self.year, self.month, self.day or 1)

    @property
    def latest(self) -> date:
        if self.month is None or self.placeholder:
            return date(self.year, 12, 31)
        return date(
            self.year, self.month, self.day or calendar.monthrange(self.year, self.month)[1]
        )


def parse_approximate_date(text: str | None) -> ApproximateDate | None:
    """ "1990", "1990-05" or "1990-05-17" (any digits folded to ASCII); None for anything else."""
    if not text or birth_year(text) is None:
        return None
    parts = [
        int(part) for part in unicodedata.normalize("NFKC", text).translate(_LETTER_FOLD).split("-")
    ]
    try:
        parsed = ApproximateDate(*parts)
        _ = parsed.latest  # date() refuses month 13 and 30 February
    except ValueError:
        return None
    if parsed.year < 1800:  # a typo, not an age
        return None
    return parsed


def age_range(born: ApproximateDate, on: date) -> tuple[int, int]:
    """The youngest and the oldest a person born on ``born`` can be on ``on``."""

    def age(birthday: date) -> int:
        return on.year - birthday.year - ((on.month, on.day) < (birthday.month, birthday.day))

    return age(born.latest), age(born.earliest)


def surely_before(one: ApproximateDate, other: ApproximateDate) -> bool:
    """True only if every date ``one`` may be comes before every date ``other`` may be."""
    return one.latest < other.earliest


def birth_date_agreement(one: ApproximateDate | None, other: ApproximateDate | None) -> str:
    """How two dates of birth support a match: "same_date", "same_year", "near_year"
    (one or two years apart: ages are often estimated), "different_year" or "unknown"."""
    if one is None or other is None:
        return "unknown"
    if one.exact and other.exact and one == other:
        return "same_date"
    gap = abs(one.year - other.year)
    return "same_year" if gap == 0 else "near_year" if gap <= 2 else "different_year"
