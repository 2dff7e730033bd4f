"""Disclosure control for the envoy's figures: counts that point at nobody.

Two techniques from official statistics are applied to every count that leaves the portal:

* The cell key method (Destatis for the 2022 census, the Australian Bureau of Statistics):
  every case carries a random record key, and a cell's key is the sum of the keys of the
  cases counted in it. The noise added to a cell is a function of that key and the measure
  only, so asking for the same figure again gives the same answer, while a figure that holds
  one case more gets unrelated noise: subtracting one figure from another gives noise, not
  a person.
* Suppression: a count of 1 to threshold-1 is withheld (primary), and in a table with
  totals a second entry of every line is withheld wherever a line would otherwise hide only
  one (secondary), so that nobody gets the hidden count back as the total minus the rest.

Waiting times come as histograms; their quantiles are given only over enough cases.

Pure computation: no database, no request, no configuration; the caller passes the counts,
their keys and the threshold.
"""

import hashlib
import heapq
import math
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from itertools import accumulate
from types import MappingProxyType
from typing import Final

KEY_SPACE: Final = 2**31
DEFAULT_THRESHOLD: Final = 10

# The noise added to a published count and its probability. Symmetric, so figures are not
# biased; at most two either way, so a figure stays useful. Changing it changes every
# published figure, and old and new figures of the same cell could then be averaged.
NOISE_DISTRIBUTION: Final[Mapping[int, Fraction]] = MappingProxyType(
    {
        -2: Fraction(5, 100),
        -1: Fraction(20, 100),
        0: Fraction(50, 100),
        1: Fraction(20, 100),
        2: Fraction(5, 100),
    }
)

_HASH_BYTES = 8
_HASH_RANGE = 2 ** (8 * _HASH_BYTES)
_NOISE_VALUES = tuple(NOISE_DISTRIBUTION)
# u = r / 2**64 falls to the first value whose cumulative probability exceeds u; compared
# as integers, so no rounding moves a key from one value to the next.
_NOISE_BOUNDS = tuple(
    math.ceil(cum * _HASH_RANGE) for cum in accumulate(NOISE_DISTRIBUTION.values())
)


@dataclass(frozen=True, slots=True)
class Cell:
    """A raw count and its cell key (the sum of its cases' record keys, unreduced)."""

    count: int
    key: int

    def __post_init__(self) -> None:
        if self.count < 0 or self.key < 0:
            raise ValueError(f"a cell's count and key are never negative: {self!r}")


class Suppression(StrEnum):
    PRIMARY = "primary"  # too few cases to show
    SECONDARY = "secondary"  # withheld so that a primary one cannot be worked out


@dataclass(frozen=True, slots=True)
class Shown:
    """What may be published of a cell: a value, or nothing and the reason why."""

    value: int | None
    suppressed: Suppression | None


_ZERO = Shown(0, None)
_PRIMARY = Shown(None, Suppression.PRIMARY)
_SECONDARY = Shown(None, Suppression.SECONDARY)


def noise(key: int, measure: str) -> int:
    """The noise for a cell with this key, for this measure ("cases", "people", ...).

    The measure is part of the hash so that two measures of the same cases get unrelated
    noise: otherwise a figure's noise would be known from another figure of the same cell.
    """
    if key < 0:
        raise ValueError("a cell key is never negative")
    digest = hashlib.sha256(f"{measure}:{key % KEY_SPACE}".encode()).digest()
    drawn = int.from_bytes(digest[:_HASH_BYTES], "big")
    return _NOISE_VALUES[bisect_right(_NOISE_BOUNDS, drawn)]


def publish(cell: Cell, *, measure: str, threshold: int) -> Shown:
    """One count as it may be published, on its own (no totals to protect)."""
    _check_threshold(threshold)
    if cell.count == 0:
        # Nobody is in a zero, and noise on it would only invent people.
        return _ZERO
    if cell.count < threshold:
        return _PRIMARY
    # A figure below the threshold could only come from a count just above it (a shown 8
    # is a 10 with noise -2), so it would give the true count away.
    return Shown(max(threshold, cell.count + noise(cell.key, measure)), None)


@dataclass(frozen=True)
class ProtectedTable:
    cells: list[list[Shown]]
    row_totals: list[Shown]
    column_totals: list[Shown]
    total: Shown


def protect_table(
    cells: Sequence[Sequence[Cell]],
    row_totals: Sequence[Cell],
    column_totals: Sequence[Cell],
    total: Cell,
    *,
    measure: str,
    threshold: int,
) -> ProtectedTable:
    """A table with its margins, each figure published and every line protected.

    The totals are cells of their own (counted in the database, with their own keys), not
    sums of the published parts. A line is a row with its row total, a column with its
    column total, the column totals with the grand total, and the row totals with the
    grand total.
    """
    width = len(column_totals)
    if len(row_totals) != len(cells) or any(len(row) != width for row in cells):
        raise ValueError("the table's rows, row totals and column totals do not line up")
    # One grid of (rows + 1) x (columns + 1): the row totals are its last column, the
    # column totals its last row, the grand total its corner.
    grid = [[*row, row_total] for row, row_total in zip(cells, row_totals, strict=True)]
    grid.append([*column_totals, total])
    stride = width + 1
    entries = [publish(cell, measure=measure, threshold=threshold) for row in grid for cell in row]
    rows = [[r * stride + c for c in range(stride)] for r in range(len(grid))]
    columns = [[r * stride + c for r in range(len(grid))] for c in range(stride)]
    _withhold_complements(entries, [*rows, *columns])
    shown = [entries[r * stride : (r + 1) * stride] for r in range(len(grid))]
    return ProtectedTable(
        cells=[row[:width] for row in shown[:-1]],
        row_totals=[row[width] for row in shown[:-1]],
        column_totals=shown[-1][:width],
        total=shown[-1][width],
    )


def protect_list(
    cells: Sequence[Cell], total: Cell, *, measure: str, threshold: int
) -> tuple[list[Shown], Shown]:
    """A list of figures and their total (one line), each published and the line protected."""
    entries = [publish(cell, measure=measure, threshold=threshold) for cell in [*cells, total]]
    _withhold_complements(entries, [list(range(len(entries)))])
    return entries[:-1], entries[-1]


def _withhold_complements(entries: list[Shown], lines: Sequence[Sequence[int]]) -> None:
    """Withhold more entries until no line hides exactly one (its total being its last).

    One hidden entry of a line is the total minus the others; two or more are known only
    together. The line that is mended next is always the first one in ``lines`` that needs
    it, so the result depends on the table alone.

    A line may be left with one hidden entry only when that entry is its total and all its
    other entries are zero: such a total is not the sum of its parts (it counts cases that
    fall in no column), so the parts do not reveal it.
    """
    lines_of: dict[int, list[int]] = {}
    for number, line in enumerate(lines):
        for index in line:
            lines_of.setdefault(index, []).append(number)
    hidden = [sum(entries[index].suppressed is not None for index in line) for line in lines]
    waiting = [number for number, count in enumerate(hidden) if count == 1]
    # Hidden counts only grow, so a line joins the heap once, when it reaches one, and a
    # line without a complement never gets one later.
    while waiting:
        number = heapq.heappop(waiting)
        if hidden[number] != 1:
            continue
        complement = _complement(entries, lines[number])
        if complement is None:
            continue
        entries[complement] = _SECONDARY
        for other in lines_of[complement]:
            hidden[other] += 1
            if hidden[other] == 1:
                heapq.heappush(waiting, other)


def _complement(entries: Sequence[Shown], line: Sequence[int]) -> int | None:
    """The entry to withhold beside a line's one hidden entry: its smallest published part,
    else its total.

    Chosen by published value, never the true count, so that the choice tells nothing the
    figures do not. A zero is never chosen: everybody knows what a hidden zero was.
    """
    *parts, total = line
    candidates = [
        (value, position)
        for position, index in enumerate(parts)
        if (value := entries[index].value) is not None and value > 0
    ]
    if candidates:
        return parts[min(candidates)[1]]
    total_value = entries[total].value
    if total_value is not None and total_value > 0:
        return total
    return None


def quantile(buckets: Sequence[tuple[float, float, int]], q: float) -> float | None:
    """The q-quantile (0 <= q <= 1) of waiting times in days, from counts per bucket.

    ``buckets`` are (lower, upper, count), lower inclusive, upper exclusive, in ascending
    order; only the last may be open (upper = math.inf). Cases are taken as spread evenly
    within their bucket; in the open bucket the answer is its lower bound, the one thing
    known about it. None for a histogram without cases.
    """
    if not 0 <= q <= 1:
        raise ValueError(f"a quantile lies between 0 and 1, not {q}")
    _check_buckets(buckets)
    if sum(count for _, _, count in buckets) == 0:
        return None
    return _quantile_of_cases(buckets, q)


def protected_quantiles(
    buckets: Sequence[tuple[float, float, int]],
    qs: Sequence[float] = (0.5, 0.9),
    *,
    threshold: int,
) -> tuple[float, ...] | None:
    """The quantiles ``qs`` of a waiting-time histogram, or None over fewer than
    ``threshold`` cases: the median of three waits is nearly one person's own wait."""
    _check_threshold(threshold)
    if any(not 0 <= q <= 1 for q in qs):
        raise ValueError(f"quantiles lie between 0 and 1, not {tuple(qs)}")
    _check_buckets(buckets)
    if sum(count for _, _, count in buckets) < threshold:
        return None
    return tuple(_quantile_of_cases(buckets, q) for q in qs)


def _quantile_of_cases(buckets: Sequence[tuple[float, float, int]], q: float) -> float:
    """The quantile of a checked histogram that holds at least one case."""
    # Empty buckets are skipped so that q = 0 gives the first filled bucket's lower bound
    # and q = 1 the last filled bucket's upper bound.
    filled = [bucket for bucket in buckets if bucket[2] > 0]
    wanted = q * sum(count for _, _, count in filled)
    below = 0
    for number, (lower, upper, count) in enumerate(filled):
        if below + count >= wanted or number == len(filled) - 1:
            if math.isinf(upper):
                return float(lower)
            return float(lower + (wanted - below) / count * (upper - lower))
        below += count
    raise ValueError("a histogram without cases has no quantile")


def _check_buckets(buckets: Sequence[tuple[float, float, int]]) -> None:
    previous_upper = -math.inf
    for number, (lower, upper, count) in enumerate(buckets):
        if count < 0:
            raise ValueError(f"bucket {number} has a negative count")
        if not math.isfinite(lower) or not lower < upper:
            raise ValueError(f"bucket {number} is not a range [lower, upper)")
        if lower < previous_upper:
            raise ValueError(f"bucket {number} overlaps the one before or is out of order")
        if math.isinf(upper) and number != len(buckets) - 1:
            raise ValueError("only the last bucket may be open")
        previous_upper = upper


def _check_threshold(threshold: int) -> None:
    if threshold < 1:
        raise ValueError(f"the threshold is at least 1, not {threshold}")
