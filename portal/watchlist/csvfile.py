"""Reading a watch-list file, all of it checked before any of it is used.

The format is documented in docs/screening.md. Problems name the line and the column but
never repeat a value: the messages reach terminals and CI logs, the values are personal.
"""

import csv
import io
import unicodedata
from dataclasses import dataclass

from portal.core.dates import Calendar, EnteredDate, is_solar_hijri
from portal.core.normalise import birth_year, has_bidi_controls, parse_approximate_date

COLUMNS = ("name", "aliases", "date_of_birth", "reference")
ALIAS_SEPARATOR = ";"
MAX_NAME = 200
MAX_REFERENCE = 64
MAX_PROBLEMS = 50  # enough to fix a file in one go, not a wall of text


@dataclass(frozen=True)
class ListedPerson:
    line: int
    name: str
    aliases: tuple[str, ...]
    date_of_birth: str | None
    reference: str

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "aliases": list(self.aliases),
            "date_of_birth": self.date_of_birth,
            "reference": self.reference,
        }

    @classmethod
    def from_json(cls, line: int, data: dict[str, object]) -> "ListedPerson":
        aliases = data.get("aliases") or []
        return cls(
            line=line,
            name=str(data["name"]),
            aliases=tuple(str(alias) for alias in aliases) if isinstance(aliases, list) else (),
            date_of_birth=str(data["date_of_birth"]) if data.get("date_of_birth") else None,
            reference=str(data["reference"]),
        )


class WatchListFileError(ValueError):
    """The file cannot be imported; ``problems`` says where and why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _text_problem(value: str, limit: int) -> str | None:
    if not value:
        return "is empty"
    if len(value) > limit:
        return f"is longer than {limit} characters"
    if has_bidi_controls(value):
        return "contains text-direction control characters"
    if any(unicodedata.category(char) == "Cc" for char in value):
        return "contains control characters"
    return None


def _name_problem(value: str) -> str | None:
    problem = _text_problem(value, MAX_NAME)
    if problem is None and not any(char.isalpha() for char in value):
        return "has no letters"
    return problem


def listed_birth_date(text: str) -> str | None:
    """The stored form of a date of birth written YYYY, YYYY-MM or YYYY-MM-DD, in any
    digits: Gregorian ISO text, or for a Solar Hijri year (1359-02, as Afghan documents give
    it) the Solar Hijri date kept as written ("SH:1359-02"), which matches by the Gregorian
    days it covers. None if it is no such date."""
    if birth_year(text) is None:
        return None
    # int() reads Persian, Arabic-Indic and fullwidth digits as well as ASCII ones.
    year, *rest = (int(part) for part in unicodedata.normalize("NFKC", text).split("-"))
    calendar = Calendar.SOLAR_HIJRI if is_solar_hijri(year) else Calendar.GREGORIAN
    try:
        stored = EnteredDate(calendar, year, *rest).to_text()
    except (TypeError, ValueError):
        return None
    return stored if parse_approximate_date(stored) else None


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise WatchListFileError([f"the file is not UTF-8 text (byte {exc.start})"]) from None


def parse_watchlist(raw: bytes) -> list[ListedPerson]:
    """Every entry of a watch-list file, or WatchListFileError listing every problem."""
    reader = csv.reader(io.StringIO(_decode(raw), newline=""), strict=True)
    problems: list[str] = []
    people: list[ListedPerson] = []
    seen: dict[str, int] = {}
    try:
        header = next(reader, None)
        if header is None or tuple(cell.strip().lower() for cell in header) != COLUMNS:
            raise WatchListFileError([f"line 1: the header must be: {','.join(COLUMNS)}"])
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue  # blank lines, often at the end of a file
            if len(row) != len(COLUMNS):
                problems.append(f"line {line}: {len(row)} columns, expected {len(COLUMNS)}")
                continue
            name, alias_cell, born, reference = (cell.strip() for cell in row)
            aliases = tuple(a.strip() for a in alias_cell.split(ALIAS_SEPARATOR) if a.strip())
            row_problems = [
                f"line {line}: {column} {problem}"
                for column, problem in [
                    ("name", _name_problem(name)),
                    *(("aliases", _name_problem(alias)) for alias in aliases),
                    ("reference", _text_problem(reference, MAX_REFERENCE)),
                ]
                if problem
            ]
            stored = listed_birth_date(born) if born else None
            if born and stored is None:
                row_problems.append(
                    f"line {line}: date_of_birth must be YYYY, YYYY-MM or YYYY-MM-DD"
                )
            if reference and reference in seen:
                row_problems.append(f"line {line}: reference repeats line {seen[reference]}")
            seen.setdefault(reference, line)
            problems.extend(row_problems)
            if not row_problems:
                people.append(ListedPerson(line, name, aliases, stored, reference))
            if len(problems) >= MAX_PROBLEMS:
                problems.append("... stopped after too many problems")
                break
    except csv.Error as exc:
        problems.append(f"line {reader.line_num}: not valid CSV ({exc})")
    if not problems and not people:
        problems.append("the file has no entries")
    if problems:
        raise WatchListFileError(problems)
    return people
