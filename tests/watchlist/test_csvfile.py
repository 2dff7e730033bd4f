"""Reading watch-list files: everything checked first, problems named by line."""

import pytest

from portal.watchlist.csvfile import WatchListFileError, parse_watchlist
from tests.watchlist.conftest import GOOD

HEADER = "name,aliases,date_of_birth,reference\n"


def problems(text: str | bytes) -> list[str]:
    raw = text if isinstance(text, bytes) else text.encode()
    with pytest.raises(WatchListFileError) as caught:
        parse_watchlist(raw)
    return caught.value.problems


def test_a_good_file_gives_every_entry() -> None:
    people = parse_watchlist(GOOD.encode())
    assert [p.reference for p in people] == ["UN-2021-0042", "BKA-7781", "UN-2019-0007"]
    first = people[0]
    assert (first.line, first.name, first.date_of_birth) == (2, "Mohammad Karimi", "1980-05-17")
    assert first.aliases == ("محمد کریمی", "Muhammad Karimi")
    assert people[1].aliases == () and people[1].date_of_birth == "1975"


def test_a_byte_order_mark_blank_lines_and_spaces_are_fine() -> None:
    text = "\ufeff" + HEADER + "\n  Ali Rezaei , ; Ali Rezai ;, ۱۹۸۰ ,REF-1\n\n"
    (person,) = parse_watchlist(text.encode())
    assert (person.name, person.aliases, person.reference) == (
        "Ali Rezaei",
        ("Ali Rezai",),
        "REF-1",
    )
    assert person.date_of_birth == "1980"  # Persian digits, stored as ASCII


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (",,1980,REF-1", "line 2: name is empty"),
        ("Ali,,1980,", "line 2: reference is empty"),
        ("Ali,,1980-13-01,REF-1", "line 2: date_of_birth must be YYYY, YYYY-MM or YYYY-MM-DD"),
        ("Ali,,17.05.1980,REF-1", "line 2: date_of_birth must be YYYY, YYYY-MM or YYYY-MM-DD"),
        ("Ali,,1980", "line 2: 3 columns, expected 4"),
        ("Ali,,1980,REF-1,extra", "line 2: 5 columns, expected 4"),
        ("Ali\u202eilA,,1980,REF-1", "line 2: name contains text-direction control characters"),
        ("Ali,Al\u200fi,1980,REF-1", "line 2: aliases contains text-direction control characters"),
        ("Ali\x07,,1980,REF-1", "line 2: name contains control characters"),
        ("12345,,1980,REF-1", "line 2: name has no letters"),
        ("A" * 201 + ",,1980,REF-1", "line 2: name is longer than 200 characters"),
        ("Ali,,1980," + "R" * 65, "line 2: reference is longer than 64 characters"),
    ],
)
def test_each_problem_is_named_with_its_line(row: str, problem: str) -> None:
    assert problems(HEADER + row + "\n") == [problem]


def test_problems_never_repeat_the_values() -> None:
    found = problems(HEADER + "Gulbuddin Zadran\u202e,,1980-13-01,SECRET-REF\n")
    assert found and not any("Gulbuddin" in p or "1980-13" in p for p in found)


def test_every_problem_of_the_file_is_reported_at_once() -> None:
    text = HEADER + "Ali,,1980,R-1\n,,1980,R-2\nOmar,,1990,R-1\nZia,,x,R-4\n"
    assert problems(text) == [
        "line 3: name is empty",
        "line 4: reference repeats line 2",
        "line 5: date_of_birth must be YYYY, YYYY-MM or YYYY-MM-DD",
    ]


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"", "line 1: the header must be: name,aliases,date_of_birth,reference"),
        (b"name,alias,dob,ref\nAli,,1980,R\n", "line 1: the header must be"),
        (HEADER.encode(), "the file has no entries"),
        (HEADER.encode() + b"Al\xe9,,1980,R-1\n", "the file is not UTF-8 text"),
        (HEADER.encode() + b'"Ali,,1980,R-1\n', "line 2: not valid CSV"),
        (HEADER.encode() + b"Ali\x00,,1980,R-1\n", "line 2: "),
    ],
)
def test_files_that_are_not_watch_lists(raw: bytes, problem: str) -> None:
    assert any(found.startswith(problem) for found in problems(raw)), problems(raw)


def test_a_long_list_of_problems_stops_after_fifty() -> None:
    text = HEADER + "".join(f",,1980,R-{n}\n" for n in range(200))
    found = problems(text)
    assert len(found) == 51 and found[-1] == "... stopped after too many problems"


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("1980", "1980"),
        ("۱۹۸۰-۰۵", "1980-05"),
        ("１９８０－０５－１７", "1980-05-17"),
        # Solar Hijri, as on Afghan documents: kept as written, never moved to one
        # Gregorian year (1359 is March 1980 to March 1981).
        ("1359", "SH:1359"),
        ("۱۳۶۶-۰۱-۰۱", "SH:1366-01-01"),  # Nowruz 1366
    ],
)
def test_dates_of_birth_are_stored_as_written(written: str, stored: str) -> None:
    (person,) = parse_watchlist((HEADER + f"Ali,,{written},R-1\n").encode())
    assert person.date_of_birth == stored
