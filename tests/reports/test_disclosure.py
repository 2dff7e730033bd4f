"""The envoy's figures point at nobody: noise from cell keys, suppression of small counts
and of their complements in every line of a table, and quantiles only over enough cases.

Tables are built as the database would build them: every case draws a random record key,
and every cell (totals included) carries the sum of the keys of the cases it counts.
"""

import hashlib
import math
import random
from collections import Counter
from typing import Any, NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.reports.disclosure import (
    DEFAULT_THRESHOLD,
    KEY_SPACE,
    NOISE_DISTRIBUTION,
    Cell,
    ProtectedTable,
    Shown,
    Suppression,
    noise,
    protect_list,
    protect_table,
    protected_quantiles,
    publish,
    quantile,
)

P = Suppression.PRIMARY
S = Suppression.SECONDARY
PROPERTY_SETTINGS = settings(max_examples=300, deadline=None, derandomize=True, database=None)


class Table(NamedTuple):
    """The raw input of ``protect_table``, named as ``ProtectedTable`` names its parts."""

    cells: list[list[Cell]]
    row_totals: list[Cell]
    column_totals: list[Cell]
    total: Cell


def record_keys(count: int, rng: random.Random) -> list[int]:
    return [rng.randrange(KEY_SPACE) for _ in range(count)]


def cell_of(keys: list[int]) -> Cell:
    return Cell(count=len(keys), key=sum(keys))


def build_table(counts: list[list[int]], rng: random.Random) -> Table:
    cases = [[record_keys(count, rng) for count in row] for row in counts]
    columns = range(len(counts[0]))
    return Table(
        cells=[[cell_of(keys) for keys in row] for row in cases],
        row_totals=[cell_of([k for keys in row for k in keys]) for row in cases],
        column_totals=[cell_of([k for row in cases for k in row[c]]) for c in columns],
        total=cell_of([k for row in cases for keys in row for k in keys]),
    )


def build_list(counts: list[int], rng: random.Random) -> tuple[list[Cell], Cell]:
    cases = [record_keys(count, rng) for count in counts]
    return [cell_of(keys) for keys in cases], cell_of([k for keys in cases for k in keys])


def protect(table: Table, threshold: int = DEFAULT_THRESHOLD) -> ProtectedTable:
    return protect_table(*table, measure="cases", threshold=threshold)


def grid(table: Any) -> list[list[Any]]:
    """A raw or protected table as one grid: the row totals as its last column, the column
    totals as its last row, the grand total in the corner."""
    rows = [[*row, total] for row, total in zip(table.cells, table.row_totals, strict=True)]
    return [*rows, [*table.column_totals, table.total]]


def lines(table: Any) -> list[list[Any]]:
    """Every row and every column of the grid, each ending in its total."""
    rows = grid(table)
    return [*rows, *(list(column) for column in zip(*rows, strict=True))]


def entries(table: Any) -> list[Any]:
    return [entry for row in grid(table) for entry in row]


def marks(table: ProtectedTable) -> list[list[object]]:
    """The grid with the reason where a figure is withheld, "n" where a number is shown."""
    return [
        [shown.suppressed or ("n" if shown.value else 0) for shown in row] for row in grid(table)
    ]


def close_to(shown: Shown, count: int, threshold: int = DEFAULT_THRESHOLD) -> bool:
    return shown.value is not None and shown.value >= threshold and abs(shown.value - count) <= 2


# --- One figure --------------------------------------------------------------------------


@pytest.mark.parametrize("key", [0, 12345, KEY_SPACE + 7])
def test_a_true_zero_is_published_as_zero(key: int) -> None:
    assert publish(Cell(0, key), measure="cases", threshold=10) == Shown(0, None)


@pytest.mark.parametrize("count", range(1, 10))
def test_counts_below_the_threshold_are_withheld(count: int) -> None:
    rng = random.Random(count)
    for _ in range(50):
        cell = cell_of(record_keys(count, rng))
        assert publish(cell, measure="cases", threshold=10) == Shown(None, P)


def test_a_lower_threshold_is_honoured() -> None:
    rng = random.Random(5)
    for count in range(1, 10):
        for _ in range(50):
            shown = publish(cell_of(record_keys(count, rng)), measure="people", threshold=5)
            if count < 5:
                assert shown == Shown(None, P)
            else:
                assert close_to(shown, count, threshold=5)


def test_published_counts_stay_within_two_and_never_fall_below_the_threshold() -> None:
    rng = random.Random(10)
    moves: Counter[int] = Counter()
    shown_for_ten: set[int | None] = set()
    for count in range(10, 40):
        for _ in range(100):
            shown = publish(cell_of(record_keys(count, rng)), measure="cases", threshold=10)
            assert shown.suppressed is None
            assert close_to(shown, count)
            if count == 10:
                shown_for_ten.add(shown.value)
            if count >= 12 and shown.value is not None:
                moves[shown.value - count] += 1
    # The noise is really there, both ways; at ten it is only ever upwards.
    assert set(moves) == {-2, -1, 0, 1, 2}
    assert shown_for_ten == {10, 11, 12}


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError):
        publish(Cell(3, 1), measure="cases", threshold=0)
    with pytest.raises(ValueError):
        Cell(-1, 0)
    with pytest.raises(ValueError):
        Cell(1, -5)
    with pytest.raises(ValueError):
        noise(-1, "cases")


# --- Noise -------------------------------------------------------------------------------


def test_the_documented_distribution_is_symmetric_and_complete() -> None:
    assert sum(NOISE_DISTRIBUTION.values()) == 1
    assert all(NOISE_DISTRIBUTION[-value] == p for value, p in NOISE_DISTRIBUTION.items())


def test_noise_follows_the_documented_recipe() -> None:
    """u from the first 8 bytes of SHA-256 over "measure:key mod 2**31", looked up in the
    cumulative distribution: published figures depend on it, so it must not drift."""
    cumulative = [(-2, 0.05), (-1, 0.25), (0, 0.75), (1, 0.95), (2, 1.0)]
    rng = random.Random(2022)
    for _ in range(500):
        key = rng.randrange(50 * KEY_SPACE)
        for measure in ("cases", "people"):
            digest = hashlib.sha256(f"{measure}:{key % KEY_SPACE}".encode()).digest()
            u = int.from_bytes(digest[:8], "big") / 2**64
            expected = next(value for value, upto in cumulative if u < upto)
            assert noise(key, measure) == expected


def test_the_same_cases_always_get_the_same_figure() -> None:
    rng = random.Random(7)
    for _ in range(200):
        keys = record_keys(rng.randrange(10, 60), rng)
        shuffled = rng.sample(keys, len(keys))
        first = publish(cell_of(keys), measure="cases", threshold=10)
        # Asked again, or summed in another order, or with the key not yet reduced.
        assert publish(cell_of(shuffled), measure="cases", threshold=10) == first
        assert noise(sum(keys) % KEY_SPACE, "cases") == noise(sum(keys), "cases")


def test_cases_and_people_of_the_same_cell_get_independent_noise() -> None:
    rng = random.Random(99)
    keys = [rng.randrange(KEY_SPACE) for _ in range(20000)]
    agree = sum(noise(key, "cases") == noise(key, "people") for key in keys) / len(keys)
    # Independent draws agree with probability sum(p**2) = 0.335; the same draw always.
    expected = float(sum(p * p for p in NOISE_DISTRIBUTION.values()))
    assert abs(agree - expected) < 0.03


def test_noise_over_many_keys_follows_the_documented_distribution() -> None:
    rng = random.Random(31)
    draws = Counter(noise(rng.randrange(KEY_SPACE), "cases") for _ in range(40000))
    assert set(draws) == set(NOISE_DISTRIBUTION)
    for value, probability in NOISE_DISTRIBUTION.items():
        # About four standard errors at p = 0.5, more at the tails.
        assert abs(draws[value] / 40000 - float(probability)) < 0.01, value


# --- Tables and lists, by hand -----------------------------------------------------------


def test_a_small_table_worked_out_by_hand() -> None:
    """The 3 is withheld. Its row then hides only it: the smaller of 20 and 40 goes too.
    Column A then hides only the 20: the 0 below is known, so the 30 goes. Row 1 then
    hides only the 30: the 25 goes, which also gives column B its second. Done: four
    cells in a rectangle, every total published."""
    counts = [[20, 3, 40], [30, 25, 50], [0, 15, 60]]
    table = build_table(counts, random.Random(1))
    protected = protect(table)
    assert marks(protected) == [
        [S, P, "n", "n"],
        [S, S, "n", "n"],
        [0, "n", "n", "n"],
        ["n", "n", "n", "n"],
    ]
    for raw, shown in zip(entries(table), entries(protected), strict=True):
        if shown.value:
            assert close_to(shown, raw.count)


def test_a_sparse_table_worked_out_by_hand_withholds_totals() -> None:
    """The 3 is withheld; row 0 then takes the 12 with it and column A the 20. Row 1 has
    no other published non-zero cell, so its total goes; so does column B's (the 12 is its
    only case count). The totals row then hides only B's total, so A's goes; the totals
    column hides only row 1's, so row 0's goes. Only the zero and the grand total remain."""
    table = build_table([[3, 12], [20, 0]], random.Random(2))
    protected = protect(table)
    assert marks(protected) == [
        [P, S, S],
        [S, 0, S],
        [S, S, "n"],
    ]
    assert close_to(protected.total, 35)


def test_a_list_withholds_the_smallest_published_figure_beside_a_small_one() -> None:
    cells, total = build_list([30, 4, 0, 12, 25], random.Random(3))
    shown, shown_total = protect_list(cells, total, measure="cases", threshold=10)
    assert [entry.suppressed for entry in shown] == [None, P, None, S, None]
    assert shown[2] == Shown(0, None)
    assert close_to(shown[0], 30) and close_to(shown[4], 25)
    assert close_to(shown_total, 71)


def test_a_list_with_a_small_total_hides_both_and_nothing_more() -> None:
    cells, total = build_list([3, 0, 0], random.Random(4))
    shown, shown_total = protect_list(cells, total, measure="cases", threshold=10)
    assert shown == [Shown(None, P), Shown(0, None), Shown(0, None)]
    assert shown_total == Shown(None, P)


def test_a_list_of_zeros_is_all_zeros() -> None:
    shown, total = protect_list([Cell(0, 0)] * 3, Cell(0, 0), measure="cases", threshold=10)
    assert shown == [Shown(0, None)] * 3 and total == Shown(0, None)


def test_a_total_that_is_more_than_its_parts_is_withheld_alone() -> None:
    # Three cases fall in no column: the zeros cannot reveal the total, and no zero is
    # withheld for show.
    shown, total = protect_list(
        [Cell(0, 0), Cell(0, 0)], Cell(3, 99), measure="cases", threshold=10
    )
    assert shown == [Shown(0, None), Shown(0, None)]
    assert total == Shown(None, P)


def test_a_table_whose_parts_do_not_line_up_is_refused() -> None:
    one = Cell(1, 1)
    with pytest.raises(ValueError):
        protect_table([[one, one]], [one], [one], one, measure="cases", threshold=10)
    with pytest.raises(ValueError):
        protect_table([[one]], [one, one], [one], one, measure="cases", threshold=10)


# --- Tables and lists, any shape ---------------------------------------------------------

counts = st.one_of(st.just(0), st.integers(1, 14), st.integers(15, 150))
tables = st.integers(1, 5).flatmap(
    lambda width: st.lists(st.lists(counts, min_size=width, max_size=width), min_size=1, max_size=5)
)


def check_line_protected(raw: list[Cell], shown: list[Shown], threshold: int) -> None:
    assert sum(entry.suppressed is not None for entry in shown) != 1
    for cell, entry in zip(raw, shown, strict=True):
        if cell.count == 0:
            assert entry == Shown(0, None)
        elif cell.count < threshold:
            assert entry == Shown(None, P)
        elif entry.suppressed is None:
            assert close_to(entry, cell.count, threshold)
        else:
            assert entry == Shown(None, S)


@PROPERTY_SETTINGS
@given(counts=tables, seed=st.integers(0, 2**32), threshold=st.integers(1, 12))
def test_no_line_of_any_table_hides_exactly_one_figure(
    counts: list[list[int]], seed: int, threshold: int
) -> None:
    table = build_table(counts, random.Random(seed))
    protected = protect(table, threshold)
    for raw, shown in zip(lines(table), lines(protected), strict=True):
        check_line_protected(raw, shown, threshold)


@PROPERTY_SETTINGS
@given(counts=st.lists(counts, max_size=8), seed=st.integers(0, 2**32))
def test_no_list_hides_exactly_one_figure(counts: list[int], seed: int) -> None:
    cells, total = build_list(counts, random.Random(seed))
    shown, shown_total = protect_list(cells, total, measure="people", threshold=10)
    check_line_protected([*cells, total], [*shown, shown_total], 10)


# --- What an attacker gets out of differences --------------------------------------------


def test_one_case_more_is_not_readable_from_the_difference_of_two_figures() -> None:
    differences: Counter[int] = Counter()
    for seed in range(400):
        rng = random.Random(seed)
        keys = record_keys(25, rng)
        before = publish(cell_of(keys), measure="cases", threshold=10)
        after = publish(cell_of([*keys, *record_keys(1, rng)]), measure="cases", threshold=10)
        assert after.value is not None and before.value is not None
        differences[after.value - before.value] += 1
    # Without noise every difference would be 1. With independent noise it is 1 about a
    # third of the time and spreads from -3 to 5.
    assert differences[1] < 0.5 * 400
    assert len(differences) >= 5


def test_a_single_hidden_case_is_not_recovered_from_its_row_total() -> None:
    """Row 0 holds one case in its first cell and publishes its total. The 14 beside it is
    withheld too, so the total minus the published rest covers two cells; and even someone
    who knows the 14 from elsewhere gets the single case only through three noisy figures."""
    counts = [[1, 14, 30, 25], [20, 12, 40, 18]]
    hidden_pair: Counter[int] = Counter()
    single: Counter[int] = Counter()
    for seed in range(300):
        protected = protect(build_table(counts, random.Random(seed)))
        row = protected.cells[0]
        assert [entry.suppressed for entry in row] == [P, S, None, None]
        assert protected.row_totals[0].value is not None
        rest = sum(entry.value for entry in row if entry.value is not None)
        estimate = protected.row_totals[0].value - rest
        hidden_pair[estimate] += 1
        single[estimate - 14] += 1
    assert hidden_pair[1 + 14] < 0.5 * 300 and len(hidden_pair) >= 4
    assert single[1] < 0.5 * 300 and len(single) >= 4


# --- Waiting times -----------------------------------------------------------------------

WAITS = [(0, 7, 4), (7, 14, 4), (14, 28, 2)]


@pytest.mark.parametrize(
    ("q", "days"),
    [
        (0.0, 0.0),  # the lower bound of the first case's bucket
        (0.25, 4.375),  # 2.5 of 4 cases into [0, 7)
        (0.4, 7.0),  # exactly the first four cases
        (0.5, 8.75),  # 1 of 4 cases into [7, 14)
        (0.9, 21.0),  # 1 of 2 cases into [14, 28)
        (1.0, 28.0),  # the upper bound of the last case's bucket
    ],
)
def test_quantiles_interpolate_within_a_bucket(q: float, days: float) -> None:
    assert quantile(WAITS, q) == pytest.approx(days)


def test_empty_buckets_at_either_end_do_not_count() -> None:
    buckets = [(0, 7, 0), (7, 14, 2), (14, 21, 0)]
    assert quantile(buckets, 0) == 7.0
    assert quantile(buckets, 1) == 14.0


def test_an_empty_histogram_has_no_quantile() -> None:
    assert quantile([], 0.5) is None
    assert quantile([(0, 7, 0), (7, math.inf, 0)], 0.5) is None


def test_the_open_last_bucket_gives_its_lower_bound() -> None:
    buckets = [(0, 30, 1), (30, math.inf, 3)]
    assert quantile(buckets, 0.1) == pytest.approx(12.0)
    assert quantile(buckets, 0.5) == 30.0
    assert quantile(buckets, 1) == 30.0


@pytest.mark.parametrize(
    "buckets",
    [
        [(7, 7, 1)],
        [(0, 7, -1)],
        [(0, 7, 1), (5, 14, 1)],
        [(0, math.inf, 1), (7, 14, 1)],
        [(-math.inf, 7, 1)],
    ],
)
def test_malformed_histograms_are_refused(buckets: list[tuple[float, float, int]]) -> None:
    with pytest.raises(ValueError):
        quantile(buckets, 0.5)


def test_a_quantile_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError):
        quantile(WAITS, 1.5)
    with pytest.raises(ValueError):
        protected_quantiles(WAITS, (0.5, -0.1), threshold=10)


def test_quantiles_over_too_few_cases_are_withheld() -> None:
    nine = [(0, 7, 4), (7, 14, 4), (14, 28, 1)]
    assert protected_quantiles(nine, threshold=10) is None
    assert protected_quantiles([], threshold=10) is None
    assert protected_quantiles(nine, threshold=5) == pytest.approx((7.875, 15.4))
    assert protected_quantiles(WAITS, threshold=10) == pytest.approx((8.75, 21.0))
