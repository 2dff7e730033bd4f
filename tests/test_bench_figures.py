"""``make bench`` puts every benchmark's headline figures in its table: each committed
result file gives rows the table understands (a result file that changed its keys would
otherwise drop its figures from docs/performance.md without a word)."""

from pathlib import Path

import pytest

from bench import figures

RESULTS = Path(__file__).resolve().parents[1] / "bench" / "results"


@pytest.mark.parametrize("name", sorted(figures.EXTRACTORS))
def test_each_result_file_gives_its_figures(name: str) -> None:
    rows = figures.collect(RESULTS, [name])[name]["rows"]
    assert rows, f"{name}: no figure for the table"
    assert all(row["value"] is not None for row in rows), rows
    assert not any("not understood" in row["figure"] for row in rows), rows


def test_the_page_weight_stands_beside_govuk_frontend() -> None:
    rows = figures.collect(RESULTS, ["page_weight"])["page_weight"]["rows"]
    references = [row["reference"] for row in rows]
    assert any("GOV.UK Frontend" in reference for reference in references), references
