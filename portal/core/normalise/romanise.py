"""A Latin spelling to suggest for a name typed in Arabic script or Cyrillic.

Applicants give their name as their documents write it; a Latin spelling is optional, and
the form offers this one for them to confirm or correct. It is a suggestion, never stored
unless the person sends it as their own. Passports are what the Latin spelling should
match, so Cyrillic is read as the passport transliteration (ICAO) reads it, х as kh.

Arabic script writes no short vowels, so no letter-by-letter reading can know that "کریم"
is Karim. Common name words are looked up (``_KNOWN``), and other words get an "a" where a
word opens or closes on two consonants, which is right often enough to be worth correcting.
Every suggestion keeps the consonants of the name, so a suggested spelling that a person
accepts gives the same Latin key (``transliteration.latin_key``) as the name it came from:
screening and duplicate search read both spellings alike.
"""

import re

from portal.core.normalise.cyrillic import cyrillic_to_latin
from portal.core.normalise.script import Script, fold_letters, fold_text, name_script
from portal.core.normalise.transliteration import _ARABIC_SKELETON, _MAKSURA

# The skeleton's one-letter stand-ins for sounds Latin writes with two letters, and the
# letters whose usual Latin spelling differs from the skeleton's letter.
_SPELLED = {"S": "sh", "C": "ch", "X": "kh", "Z": "zh"}
_ARABIC_SPELLING = {
    **{letter: _SPELLED.get(sound, sound) for letter, sound in _ARABIC_SKELETON.items()},
    "\u0642": "q",  # qaf: Qasim, Tariq
    "\u063a": "gh",  # ghain: Ghulam, Zarghuna
}
_ALEF, _AIN, _HAMZA = "\u0627", "\u0639", "\u0621"
_WAW, _YEH = "\u0648", "\u06cc"
_HEH = frozenset("\u0647\u06c1\u0629")
_VOWELS = frozenset("aeiou")
_ZWNJ = "\u200c"
_ARTICLE = "\u0627\u0644"  # al-: العلی, Al-Ali

# Name words whose Latin spelling in Afghan passports is well known; folded as keys.
_KNOWN = {
    fold_text(native): latin
    for native, latin in {
        "محمد": "Mohammad",
        "احمد": "Ahmad",
        "محمود": "Mahmood",
        "علی": "Ali",
        "عبد": "Abd",
        "عبدال": "Abdul",
        "عبدالله": "Abdullah",
        "الله": "Ullah",
        "گل": "Gul",
        "ګل": "Gul",
        "خان": "Khan",
        "شاه": "Shah",
        "جان": "Jan",
        "نور": "Noor",
        "میر": "Mir",
        "یوسف": "Yousuf",
        "حسین": "Hussain",
        "حسن": "Hassan",
        "عمر": "Omar",
        "عثمان": "Usman",
        "ابراهیم": "Ibrahim",
        "اسماعیل": "Ismail",
        "فاطمه": "Fatima",
        "مریم": "Maryam",
        "زینب": "Zainab",
        "عایشه": "Aisha",
        "خدیجه": "Khadija",
        "بیبی": "Bibi",
        "رحمان": "Rahman",
        "رحمن": "Rahman",
        "غلام": "Ghulam",
        "سلطان": "Sultan",
        "الهام": "Elham",  # not the article al-
        "الهه": "Elaha",
    }.items()
}
# Endings written onto a name word: the Pashto tribe names (Ahmadzai, Stanikzai).
_ENDINGS = (("زی", "zai"),)
_ALLOWED = re.compile(r"[^A-Za-z\u00C0-\u024F' .\-]+")


def latin_suggestion(name: str) -> str:
    """A Latin spelling of ``name`` to offer the person (empty when there is nothing to
    offer). A name already in Latin letters is given back as it is."""
    script = name_script(name)
    if script == Script.LATIN:
        return " ".join(name.split())
    if script == Script.CYRILLIC:
        spelled = cyrillic_to_latin(name, kh=True)
    else:
        words = fold_letters(name.translate(_MAKSURA)).split()
        spelled = " ".join(_arabic_word(word) for word in words)
    return " ".join(_capitalised(word) for word in _ALLOWED.sub(" ", spelled).split())


def _capitalised(word: str) -> str:
    return "-".join(part[:1].upper() + part[1:].lower() for part in word.split("-"))


def _arabic_word(word: str) -> str:
    # A compound written with a zero-width non-joiner (نجیب‌الله) is one Latin word.
    parts = [part for part in word.split(_ZWNJ) if part]
    return "".join(
        _arabic_part(part).lower() if index else _arabic_part(part)
        for index, part in enumerate(parts)
    )


def _arabic_part(part: str) -> str:
    known = _KNOWN.get(fold_text(part))
    if known:
        return known
    if part.startswith(_ARTICLE) and len(part) > len(_ARTICLE) + 1:
        return "Al-" + _arabic_part(part.removeprefix(_ARTICLE)).lower()
    for ending, latin in _ENDINGS:
        stem = part.removesuffix(ending)
        if stem != part and len(stem) > 2:  # not the -zi of a short word (غازی, Ghazi)
            return _arabic_part(stem) + latin
    return _with_vowels(_letters(fold_text(part)))


def _letters(word: str) -> list[str]:
    """Each letter's sound; alef, ain and the long vowels as vowels, by their place."""
    sounds = []
    for index, char in enumerate(word):
        first, last = index == 0, index == len(word) - 1
        following = word[index + 1 : index + 2]
        if char in (_ALEF, _AIN, _HAMZA):
            sounds.append("a" if first or char == _ALEF else "")
        elif char in (_WAW, _YEH):
            # A consonant opening a word, before a long vowel or after alef (Jawid, Nawid,
            # Hayat); else the long vowel itself (Noor, Karim).
            consonant = first or following in (_ALEF, _YEH) or word[index - 1] == _ALEF
            consonant = consonant and not last
            if char == _WAW:
                sounds.append("w" if consonant else "o")
            else:
                sounds.append("y" if consonant else "i")
        elif char in _HEH and last and index > 0:
            # Final heh is the vowel of Fatima and Zarmina, but a consonant after a long
            # vowel (Shah, Allah).
            sounds.append("h" if word[index - 1] == _ALEF else "a")
        else:
            sounds.append(
                _ARABIC_SPELLING.get(char, char if char.isascii() and char.isalpha() else "")
            )
    return [sound for sound in sounds if sound]


def _with_vowels(sounds: list[str]) -> str:
    """An "a" after a word's first consonant before another one (کریم, Karim), and between
    its last two consonants (احمد, Ahmad): the short vowel Arabic script does not write."""

    def consonant(index: int) -> bool:
        return 0 <= index < len(sounds) and sounds[index][0] not in _VOWELS

    if consonant(0) and consonant(1):
        sounds.insert(1, "a")
    if len(sounds) > 2 and consonant(len(sounds) - 1) and consonant(len(sounds) - 2):
        sounds.insert(len(sounds) - 1, "a")
    return "".join(sounds)
