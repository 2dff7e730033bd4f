"""The envoy's charts: well-formed, accessible SVG that draws what it is given and no more."""

import math
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence

import pytest
from markupsafe import Markup

from portal.reports.charts import Point, Series, bars, columns, lines

SVG = "{http://www.w3.org/2000/svg}"
NASTY = """<b>"Q&A" 'it's'</b> &amp; </svg>"""


def parse(markup: Markup) -> ET.Element:
    assert isinstance(markup, Markup)
    # The charts' own output, parsed strictly so that any markup the escaping let through fails.
    return ET.fromstring(str(markup))  # noqa: S314


def with_class(root: ET.Element, tag: str, css_class: str) -> list[ET.Element]:
    return [
        element for element in root.iter(SVG + tag) if css_class in element.get("class", "").split()
    ]


def texts(root: ET.Element, css_class: str) -> list[str]:
    return ["".join(element.itertext()) for element in with_class(root, "text", css_class)]


def point(label: str, value: float | None) -> Point:
    return Point(label, value, "<10" if value is None else f"{value:,.0f}")


def weeks(values: Sequence[float | None]) -> list[Point]:
    return [point(f"KW {number}", value) for number, value in enumerate(values, start=1)]


def bar_chart(points: Sequence[Point]) -> Markup:
    return bars("funnel", "Cases per stage", "How many cases reached each stage.", points)


def column_chart(*series: Series) -> Markup:
    return columns("weekly", "Per week", "Decisions and arrivals per week.", series)


def line_chart(*series: Series) -> Markup:
    return lines("backlog", "Backlog", "Open cases at the end of each week.", series)


SOME = [point("Received", 120), point("Decided", None), point("Arrived", 45)]
ALL_KINDS: dict[str, Callable[[Sequence[Point]], Markup]] = {
    "bars": bar_chart,
    "columns": lambda points: column_chart(Series("Decisions", points)),
    "lines": lambda points: line_chart(Series("Open", points)),
}


@pytest.mark.parametrize("kind", ALL_KINDS)
@pytest.mark.parametrize(
    "points",
    [SOME, [], [point("A", None), point("B", None)], [point("A", 0), point("B", 0)]],
    ids=["some", "empty", "all-suppressed", "all-zero"],
)
def test_every_chart_is_an_svg_image_named_by_its_title_and_description(
    kind: str, points: list[Point]
) -> None:
    root = parse(ALL_KINDS[kind](points))

    assert root.tag == SVG + "svg"
    assert root.get("role") == "img"
    assert root.get("viewBox", "").startswith("0 0 ")
    title_id, desc_id = root.get("aria-labelledby", "").split()
    named = {element.get("id"): element for element in root.iter() if element.get("id")}
    assert named[title_id].tag == SVG + "title"
    assert named[desc_id].tag == SVG + "desc"
    assert named[title_id].text in {"Cases per stage", "Per week", "Backlog"}
    assert named[desc_id].text and named[desc_id].text.endswith(".")


@pytest.mark.parametrize("kind", ALL_KINDS)
@pytest.mark.parametrize(
    "points",
    [SOME, [], [point("A", None), point("B", None)]],
    ids=["some", "empty", "all-suppressed"],
)
def test_no_chart_carries_inline_style_or_script(kind: str, points: list[Point]) -> None:
    root = parse(ALL_KINDS[kind](points))

    elements = list(root.iter())
    assert not [e.tag for e in elements if e.tag in {SVG + "style", SVG + "script"}]
    assert not [e.tag for e in elements if "style" in e.attrib]
    assert not [name for e in elements for name in e.attrib if name.startswith("on")]


def test_an_empty_chart_draws_nothing_but_still_says_what_it_is() -> None:
    for markup in (bar_chart([]), column_chart(), line_chart(Series("Open", []))):
        root = parse(markup)

        drawn = [e for e in root.iter() if e.tag in {SVG + "rect", SVG + "polyline", SVG + "text"}]
        assert drawn == []
        assert root.find(SVG + "title") is not None


def test_an_all_suppressed_chart_shows_their_texts_and_no_marks() -> None:
    hidden = [point("A", None), point("B", None)]

    for markup in (bar_chart(hidden), column_chart(Series("Decisions", hidden))):
        root = parse(markup)
        assert texts(root, "chart-suppressed") == ["<10", "<10"]
        assert (
            with_class(root, "rect", "chart-bar") + with_class(root, "rect", "chart-column") == []
        )
        assert texts(root, "chart-tick") == []
    root = parse(line_chart(Series("Open", hidden)))
    assert with_class(root, "polyline", "chart-line") == []
    assert root.findall(f".//{SVG}circle") == []


def test_texts_are_escaped_and_read_back_unchanged() -> None:
    points = [point(NASTY, 5), point("plain", 7)]
    charts = [
        bars("nasty", NASTY, NASTY, points),
        columns("nasty", NASTY, NASTY, [Series(NASTY, points), Series("other", points)]),
        lines("nasty", NASTY, NASTY, [Series(NASTY, points), Series("other", points)]),
    ]

    for markup in charts:
        assert "<b>" not in markup and "</svg> " not in markup
        root = parse(markup)
        assert root.findtext(SVG + "title") == NASTY
        assert root.findtext(SVG + "desc") == NASTY
        assert NASTY in texts(root, "chart-category")
    assert NASTY in texts(parse(charts[1]), "chart-legend")
    assert NASTY in texts(parse(charts[2]), "chart-legend")


def test_bar_lengths_are_proportional_to_their_values() -> None:
    root = parse(bar_chart([point("Received", 400), point("Decided", 100)]))

    received, decided = (
        float(bar.get("width", "")) for bar in with_class(root, "rect", "chart-bar")
    )
    assert received > 0
    assert received / decided == pytest.approx(4, rel=1e-3)


def test_a_suppressed_bar_is_not_drawn_but_its_text_stands_in_its_row() -> None:
    root = parse(bar_chart(SOME))

    drawn = with_class(root, "rect", "chart-bar")
    assert len(drawn) == 2
    (hidden,) = with_class(root, "text", "chart-suppressed")
    assert hidden.text == "<10"
    first_row, third_row = (float(bar.get("y", "")) for bar in drawn)
    assert first_row < float(hidden.get("y", "")) < third_row
    assert ["120", "<10", "45"] == texts(root, "chart-value")


def test_value_texts_end_their_bars() -> None:
    root = parse(bar_chart([point("Received", 400), point("Decided", 100)]))

    for bar, value in zip(
        with_class(root, "rect", "chart-bar"), with_class(root, "text", "chart-value"), strict=True
    ):
        bar_end = float(bar.get("x", "")) + float(bar.get("width", ""))
        assert 0 < float(value.get("x", "")) - bar_end < 10


def test_long_bar_labels_are_shortened_and_keep_the_whole_as_a_tooltip() -> None:
    long_label = "Security check completed for the whole family " * 3
    root = parse(bar_chart([point(long_label, 10), point("Short", 5)]))

    shortened, short = with_class(root, "text", "chart-category")
    tooltip = shortened.find(SVG + "title")
    assert tooltip is not None and tooltip.text == long_label
    visible = tooltip.tail or ""
    assert visible.endswith("\u2026")
    assert long_label.startswith(visible[:-1]) and len(visible) < len(long_label)
    assert short.text == "Short"


def test_gridlines_stand_at_round_numbers_formatted_by_the_page() -> None:
    root = parse(
        bars(
            "funnel",
            "Cases",
            "Cases per stage.",
            [point("Received", 1234), point("Decided", 300)],
            number=lambda value: f"{value:,.0f}".replace(",", "."),
        )
    )

    assert texts(root, "chart-tick") == ["0", "500", "1.000", "1.500"]
    assert len(with_class(root, "line", "chart-grid")) == 4


@pytest.mark.parametrize(
    ("highest", "ticks"),
    [
        (2, ["0", "1", "2"]),
        (87, ["0", "20", "40", "60", "80", "100"]),
        (50, ["0", "10", "20", "30", "40", "50"]),
        (0.8, ["0", "0.2", "0.4", "0.6", "0.8"]),
    ],
)
def test_tick_steps_are_one_two_or_five_times_a_power_of_ten(
    highest: float, ticks: list[str]
) -> None:
    root = parse(bar_chart([Point("Only", highest, str(highest))]))

    assert texts(root, "chart-tick") == ticks


def test_columns_are_as_tall_as_their_values_and_share_the_base_line() -> None:
    root = parse(column_chart(Series("Cases", weeks([30, 90]))))

    low, high = with_class(root, "rect", "chart-column")
    assert float(high.get("height", "")) / float(low.get("height", "")) == pytest.approx(
        3, rel=1e-3
    )
    bottoms = {
        round(float(rect.get("y", "")) + float(rect.get("height", "")), 1) for rect in (low, high)
    }
    assert len(bottoms) == 1


@pytest.mark.parametrize("count", [3, 60], ids=["wide-columns", "narrow-columns"])
def test_a_suppressed_column_is_not_drawn_but_its_text_is(count: int) -> None:
    values: list[float | None] = [float(20 + number) for number in range(count)]
    values[1] = None
    root = parse(column_chart(Series("Decisions", weeks(values))))

    drawn = with_class(root, "rect", "chart-column")
    assert len(drawn) == count - 1
    (hidden,) = with_class(root, "text", "chart-suppressed")
    assert hidden.text == "<10"
    # It stands between the first and the third week's columns.
    first, third = float(drawn[0].get("x", "")), float(drawn[1].get("x", ""))
    assert first < float(hidden.get("x", "")) < third


def test_grouped_columns_differ_by_pattern_and_have_a_legend() -> None:
    root = parse(
        column_chart(Series("Decisions", weeks([5, 8])), Series("Arrivals", weeks([3, 4])))
    )

    assert texts(root, "chart-legend") == ["Decisions", "Arrivals"]
    fills = [rect.get("fill") for rect in with_class(root, "rect", "chart-column")]
    # Two legend swatches and four columns, drawn in two different patterns.
    assert len(fills) == 6 and len(set(fills)) == 2
    pattern_ids = {pattern.get("id") for pattern in root.iter(SVG + "pattern")}
    assert {f"url(#{pattern_id})" for pattern_id in pattern_ids} == set(fills)


def test_a_single_series_needs_no_legend() -> None:
    root = parse(column_chart(Series("Cases", weeks([5, 8]))))

    assert texts(root, "chart-legend") == []
    assert "Cases" not in "".join(root.itertext())


def test_lines_break_at_a_suppressed_value() -> None:
    root = parse(line_chart(Series("Open", weeks([10, 20, None, 30, 40]))))

    segments = [
        line.get("points", "").split() for line in with_class(root, "polyline", "chart-line")
    ]
    assert [len(segment) for segment in segments] == [2, 2]
    end_of_first = float(segments[0][-1].split(",")[0])
    start_of_second = float(segments[1][0].split(",")[0])
    assert start_of_second - end_of_first > 1.5 * (
        end_of_first - float(segments[0][0].split(",")[0])
    )
    assert len(with_class(root, "circle", "chart-marker")) == 4


def test_a_lone_value_between_gaps_keeps_its_marker() -> None:
    root = parse(line_chart(Series("Open", weeks([None, 20, None]))))

    assert with_class(root, "polyline", "chart-line") == []
    assert len(with_class(root, "circle", "chart-marker")) == 1


def test_higher_values_are_drawn_higher() -> None:
    root = parse(line_chart(Series("Open", weeks([10, 40]))))

    (segment,) = with_class(root, "polyline", "chart-line")
    (_, low_y), (_, high_y) = (
        map(float, pair.split(",")) for pair in segment.get("points", "").split()
    )
    assert high_y < low_y


def test_line_series_differ_by_marker_shape_and_are_named_in_a_legend() -> None:
    root = parse(line_chart(Series("Open", weeks([10, 20])), Series("In review", weeks([5, 15]))))

    first, second = with_class(root, "g", "chart-series")
    assert "chart-series-0" in first.get("class", "")
    assert "chart-series-1" in second.get("class", "")
    # Each series: two points and the legend's swatch.
    assert len(first.findall(SVG + "circle")) == 3 and first.findall(SVG + "rect") == []
    assert len(second.findall(SVG + "rect")) == 3 and second.findall(SVG + "circle") == []
    assert texts(root, "chart-legend") == ["Open", "In review"]


@pytest.mark.parametrize("chart", [column_chart, line_chart])
def test_many_weeks_show_every_kth_label_and_few_weeks_show_all(
    chart: Callable[..., Markup],
) -> None:
    many = [f"KW {number % 52 + 1}" for number in range(60)]
    root = parse(chart(Series("Cases", [point(label, 100) for label in many])))

    shown = texts(root, "chart-category")
    assert 5 <= len(shown) < 30
    step = many.index(shown[1])
    assert step > 1
    assert shown == many[::step]

    few = parse(chart(Series("Cases", weeks([1, 2, 3, 4, 5, 6]))))
    assert texts(few, "chart-category") == [f"KW {number}" for number in range(1, 7)]


@pytest.mark.parametrize(
    "chart_id", ["", "1chart", "two words", 'a"b', "a_b", "ü", "chart\n", "x" * 65, "a<b"]
)
def test_an_unsafe_chart_id_is_refused(chart_id: str) -> None:
    for draw in (
        lambda: bars(chart_id, "t", "d", SOME),
        lambda: columns(chart_id, "t", "d", [Series("s", SOME)]),
        lambda: lines(chart_id, "t", "d", [Series("s", SOME)]),
    ):
        with pytest.raises(ValueError, match="chart id"):
            draw()


def test_chart_ids_name_the_title_description_and_patterns() -> None:
    root = parse(
        columns("report-7-weekly", "t", "d", [Series("a", weeks([1])), Series("b", weeks([2]))])
    )

    ids = {element.get("id") for element in root.iter() if element.get("id")}
    assert ids == {
        "report-7-weekly-title",
        "report-7-weekly-desc",
        "report-7-weekly-pattern-0",
        "report-7-weekly-pattern-1",
    }


def test_series_with_different_categories_are_refused() -> None:
    with pytest.raises(ValueError, match="other categories"):
        column_chart(Series("Decisions", weeks([1, 2])), Series("Arrivals", weeks([1, 2, 3])))


def test_more_series_than_styles_are_refused() -> None:
    with pytest.raises(ValueError, match="4 apart"):
        line_chart(*(Series(f"s{number}", weeks([1])) for number in range(5)))


@pytest.mark.parametrize("value", [-1.0, math.nan, math.inf])
def test_values_that_are_no_count_are_refused(value: float) -> None:
    with pytest.raises(ValueError, match="counts or durations"):
        bar_chart([Point("A", value, "?")])
