"""A Latin key for names: the same consonant skeleton from Arabic script, Cyrillic and
Latin letters."""

import re
from dataclasses import dataclass

from portal.core.normalise.cyrillic import cyrillic_to_latin, reads_kh
from portal.core.normalise.names import joined_tokens, name_key
from portal.core.normalise.script import Script, fold_text, is_arabic_script, name_script

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
# Where the vowels were, for the vowelled key (``latin_key(vowels=True)``): not which
# ones, since Cyrillic and Latin spellings of one name disagree on them (Мухаммад, Mohammed).
_VOWEL = "a"
# Turkish letters whose sound fold_text would lose with their cedilla or breve.
_TURKISH = str.maketrans({"ş": "sh", "Ş": "sh", "ç": "ch", "Ç": "ch", "ğ": "", "Ğ": "", "ı": "i"})
# Alef maksura ends Arabic names said with "a" (Salma, سلمى); folding would make it a yeh.
_MAKSURA = str.maketrans({"\u0649": "\u0627"})


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


def _latin_skeleton(token: str, *, vowels: bool = False) -> list[str]:
    spelled = _LATIN_PATTERN.sub(lambda match: _LATIN_SOUNDS[match.group()], token)
    sounds = []
    for index, char in enumerate(spelled):
        if index == 0 and char in _LATIN_VOWELS:
            sounds.append("'")
        elif char in _LATIN_VOWELS or (char in _SEMIVOWELS and index > 0):
            sounds.append(_VOWEL if vowels else "")
        elif char == "h" and index == len(spelled) - 1 and index > 0:
            sounds.append("")  # Fatimah, Abdullah: a final h is the vowel's, as final heh is
        else:
            sounds.append(char)
    if len(spelled) > 1 and (spelled[-1] in "iy" or spelled.endswith("ee")):
        sounds.append("y")  # Karimi, Zalmay, Rezaee: the final yeh of the Arabic spelling
    return sounds


def _skeleton(token: str, *, vowels: bool = False) -> str:
    arabic = is_arabic_script(token)
    sounds = _arabic_skeleton(token) if arabic else _latin_skeleton(token, vowels=vowels)
    kept = []
    for index, sound in enumerate(sounds):
        # Letters doubled in Latin (Mohammad's mm) are one letter in Arabic script. Two
        # equal letters side by side in Arabic script have a short vowel between them
        # (ننګیالی, Nangialai); only lam before lam (الله, Allah) is said as one.
        if index and sound == sounds[index - 1] and (not arabic or sound == "l"):
            continue
        kept.append(sound)
    return "".join(kept)


def latin_key(*parts: str | None, vowels: bool = False) -> str:
    """Order-free consonant skeleton of a name, the same from Arabic script, Cyrillic and
    Latin letters (Cyrillic is read as Latin letters first, see ``cyrillic``).

    Lossy on purpose ("Ali" gives "'ly", and so do "Aly" and "Eli"): use it to let two
    scripts meet, next to other evidence, never alone to tell people apart.

    With ``vowels``, a Latin or Cyrillic name keeps a mark where it writes vowels (one for
    several: "Мухаммад" and "Mohammed" give "mahamad", "Mahmoud" "mahmad"). Cyrillic and
    Latin spellings both write vowels, so they are compared in this form: the skeleton
    alone would let "Анна Иванова" meet "Ivan Ivanov", as two Latin spellings would. An
    Arabic-script name has no vowels to keep and gives its skeleton either way.
    """
    return _key(_latin_tokens(*parts), vowels=vowels)


def _latin_tokens(*parts: str | None) -> list[str]:
    """The words of a name as the Latin key reads them, particles joined."""
    kh = reads_kh(*parts)
    tokens = [
        token
        for part in parts
        if part
        for token in fold_text(
            _HEH_BEFORE_ZWNJ.sub(
                "", cyrillic_to_latin(part, kh=kh).translate(_TURKISH).translate(_MAKSURA)
            )
        ).split()
    ]
    return joined_tokens(tokens)


def _key(tokens: list[str], *, vowels: bool) -> str:
    skeletons = (_skeleton(token, vowels=vowels) for token in tokens)
    return " ".join(sorted(skeleton for skeleton in skeletons if skeleton))


@dataclass(frozen=True)
class NameKeys:
    """The keys one written name is compared by, worked out once for indexes and matching."""

    name: str
    script: Script
    folded: str  # ``name_key``: the same script
    skeleton: str  # ``latin_key``: Arabic script against a script that writes vowels
    vowelled: str  # ``latin_key(vowels=True)``: Cyrillic against Latin; empty in Arabic script


def name_keys(name: str) -> NameKeys:
    script, tokens = name_script(name), _latin_tokens(name)
    vowelled = _key(tokens, vowels=True) if script != Script.ARABIC else ""
    return NameKeys(name, script, name_key(name), _key(tokens, vowels=False), vowelled)
