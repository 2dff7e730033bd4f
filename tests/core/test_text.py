"""What typed text may hold, and file names safe to show."""

import pytest

from portal.core.text import clean_filename, control_characters, has_control_characters

ZWNJ, ZWJ = "\u200c", "\u200d"


@pytest.mark.parametrize(
    "text",
    [
        "NUL\x00",
        "escape\x1b[31m",
        "bell\x07",
        "delete\x7f",
        "C1 control\x85",
        "right-to-left\u202eoverride",
        "isolate\u2066x\u2069",
        "mark\u200f",
        "zero\u200bwidth space",
        "byte order\ufeffmark",
        "soft\u00adhyphen",
        "line\u2028separator",
        "tab\there",
        "new\nline",
    ],
)
def test_control_and_invisible_characters_are_found_in_one_line(text: str) -> None:
    assert has_control_characters(text)


@pytest.mark.parametrize(
    "text",
    [
        "زرمینه احمدزی",
        f"می{ZWNJ}خواهم",  # the Persian half space
        f"ک{ZWJ}",
        "Zarmina Ahmadzai-O'Neill",
        "Ёлка, Çağrı, Ünal",
        "\u00a0non-breaking space",
    ],
)
def test_writing_in_every_applicant_language_is_plain_text(text: str) -> None:
    assert not has_control_characters(text)


def test_several_lines_keep_their_breaks_and_tabs_but_nothing_else() -> None:
    letter = "Salam,\r\nthey came at night.\n\tTwice.\u2029"
    assert control_characters(letter, multiline=True) == []
    assert control_characters(letter + "\x00\u202e", multiline=True) == ["\x00", "\u202e"]


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("photo\u202egpj.exe", "photogpj.exe"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("C:\\fakepath\\passport 1.jpg", "passport 1.jpg"),
        ("scan\x00.pdf", "scan.pdf"),
        ("invoice.pdf" + " " * 80 + ".exe", "invoice.pdf .exe"),
        (f"تذکره{ZWNJ}ی من.jpg", f"تذکره{ZWNJ}ی من.jpg"),
        ("\u202e", ""),
        ("x" * 300, "x" * 200),
    ],
)
def test_a_file_name_keeps_only_what_can_be_shown_truthfully(name: str, shown: str) -> None:
    assert clean_filename(name) == shown
