"""What typed text may hold, and file names that are safe to show.

Control characters (NUL, escape sequences, C1 controls) and invisible format characters
have no place in a name or a note: they break storage and exports, and some make text
display as something it is not ("photo", U+202E, "gpj.exe" reads "photoexe.jpg"). Two are
letters of Persian, Dari and Pashto writing, not tricks: the zero-width non-joiner (the
"half space" of می‌خواهم) and the zero-width joiner. They are always allowed.
"""

import re
import unicodedata

# Format characters that are part of writing, not of layout tricks.
JOINERS = frozenset("\u200c\u200d")
# What a text area keeps of the control characters: its line breaks and tabs.
LINE_BREAKS_AND_TABS = frozenset("\n\r\t")
# Unicode's line and paragraph separators break lines too, where one line was asked for.
_SEPARATOR_CATEGORIES = frozenset({"Zl", "Zp"})
_FOLDERS = re.compile(r"^.*[/\\]")
_SPACES = re.compile(r"\s+")
FILENAME_MAX = 200


def _is_control(char: str, *, multiline: bool) -> bool:
    category = unicodedata.category(char)
    if category == "Cc":
        return not (multiline and char in LINE_BREAKS_AND_TABS)
    if category == "Cf":  # bidirectional controls, zero-width spaces, the BOM, tags...
        return char not in JOINERS
    return category in _SEPARATOR_CATEGORIES and not multiline


def control_characters(text: str, *, multiline: bool = False) -> list[str]:
    """The control and invisible format characters in ``text``, in order; a text of
    several lines (``multiline``) may break lines and hold tabs."""
    return [char for char in text if _is_control(char, multiline=multiline)]


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    return any(_is_control(char, multiline=multiline) for char in text)


def without_control_characters(text: str, *, multiline: bool = False) -> str:
    return "".join(char for char in text if not _is_control(char, multiline=multiline))


def clean_filename(name: str) -> str:
    """A file name as it may be stored and shown: its last part only (no folders, no
    ``../``), without control or direction characters, spaces single.

    Nothing is replaced by look-alikes: what remains is what the name really said, so
    "photo" U+202E "gpj.exe" is shown as "photogpj.exe".
    """
    name = without_control_characters(_FOLDERS.sub("", name))
    name = _SPACES.sub(" ", name).strip()
    return name[:FILENAME_MAX]


def number_below(text: str, limit: int) -> int | None:
    """``text`` as a whole number from 0 to ``limit`` - 1, or None for anything else. A
    query parameter may be thousands of digits long, and int() refuses more than 4,300
    (a ValueError, a server error where it is not caught): such a number is over the
    limit before it is read."""
    if not text.isdecimal() or len(text.lstrip("0")) > len(str(limit)):
        return None
    number = int(text)
    return number if number < limit else None
