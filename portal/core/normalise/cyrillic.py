"""Cyrillic letters as Latin ones, for the Latin key of names written in Cyrillic.

Russian and Ukrainian write Afghan, Arabic and Persian names by ear ("Мухаммад", "Юсуф",
"Ахмад Шах"); Tajik and Uzbek write Persian names in their own Cyrillic alphabets. The
table below gives each letter the Latin letters that the Latin key (see
``transliteration``) reads as the same sound, close to the passport transliterations
(ICAO, and the Ukrainian national one for Ukrainian letters), with one deliberate change:

- х is h. Russian and Ukrainian write both the h of Arabic and Persian names (ح, ه:
  Мухаммад, Ахмад, Шах) and their kh (خ: Халид) with х, and the h names are far more
  common; so "Халид" meets "Halid", not "Khalid". Two exceptions: the name-word Хан
  (Khan, خان) and Ханум, and names written with a letter of the Tajik or Uzbek alphabets
  (ҳ ғ қ ҷ ӣ ӯ ў), which write h as ҳ, so х is kh there ("Ҳамид Хоҷа", Hamid Khoja).

Only what the key needs is kept: letters that a Latin spelling leaves out (the soft and
hard signs) vanish, and letters the key reads alike (и і ы, е э) need not be told apart.
A word opening on е, ё, э is read e (as passports write it: Ekaterina), on ю, я, є, ї
with y (Юсуф, Yusuf; Ясин, Yasin).
"""

import re
import unicodedata

from portal.core.normalise.script import is_cyrillic_script

# Lower-case letters; upper-case ones are lowered first.
_LETTERS = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",  # Ukrainian г is h in its national transliteration, but Afghan names in
    "ґ": "g",  # Ukrainian write g with г as often as with ґ (Гулям, Ghulam)
    "д": "d",
    "е": "e",
    "ё": "e",
    "є": "ie",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "і": "i",
    "ї": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ў": "u",
    "ф": "f",
    "х": "h",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",  # the hard sign; Tajik writes ain and hamza with it (Маъруф, Maruf)
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "iu",
    "я": "ia",
    # Tajik and Uzbek
    "ғ": "gh",
    "қ": "q",
    "ҳ": "h",
    "ҷ": "j",
    "ӣ": "i",
    "ӯ": "u",
}
_WORD_INITIAL = {"ю": "yu", "я": "ya", "є": "ye", "ї": "yi"}
_DIGRAPHS = {"дж": "j"}  # Джамиля, Хадиджа: Jamila, Khadija
_KHAN = {"хан": "khan", "ханум": "khanum"}  # خان, خانم: too common to read as Han, Hanum
_KH_ALPHABETS = frozenset("ҳғқҷӣӯў")
_WORD = re.compile(r"[^\W\d_]+")
_DIGRAPH = re.compile("|".join(_DIGRAPHS))


def reads_kh(*parts: str | None) -> bool:
    """Whether х is kh in a name of these parts: written with a Tajik or Uzbek letter."""
    return any(char in _KH_ALPHABETS for part in parts if part for char in part.lower())


def cyrillic_to_latin(text: str, *, kh: bool | None = None) -> str:
    """``text`` with its Cyrillic words in Latin letters (lower-case), for the Latin key.

    ``kh`` says how to read х (see above); by default from ``text`` alone, but a name's
    parts are read together (``reads_kh``). Other letters are left as they are, so a name
    typed with a Latin letter that looks Cyrillic ("Mухаммад", a Latin M) is one word.
    """
    text = unicodedata.normalize("NFC", text)  # й, ё, ї typed as a letter and a mark
    if not is_cyrillic_script(text):
        return text
    kh = reads_kh(text) if kh is None else kh
    return _WORD.sub(lambda match: _word(match.group(), kh=kh), text)


def _word(word: str, *, kh: bool) -> str:
    lower = word.lower()
    if not is_cyrillic_script(lower):
        return word
    if lower in _KHAN:
        return _KHAN[lower]
    lower = _DIGRAPH.sub(lambda match: _DIGRAPHS[match.group()], lower)
    letters = []
    for index, char in enumerate(lower):
        if index == 0 and char in _WORD_INITIAL:
            letters.append(_WORD_INITIAL[char])
        elif char == "х" and kh:
            letters.append("kh")
        else:
            letters.append(_LETTERS.get(char, char))
    return "".join(letters)
