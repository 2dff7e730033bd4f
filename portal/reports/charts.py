"""Charts for the envoy's reports, drawn on the server as inline SVG.

The staff pages run under a Content-Security-Policy that allows no script, no inline style
and no <style> element, so a chart is plain SVG markup: geometry in attributes, looks in
classes that the "Charts" section of ``static/staff.css`` styles. Series differ by pattern,
dash and marker shape as well as by colour, so a black-and-white printout still tells them
apart. The figures themselves stand in a table beside each chart; the chart carries a
title and a description for assistive technology and is otherwise a picture.

Each value comes twice: as a number for the geometry and as the text to print, which the
page has formatted for its locale. A value of None was hidden for privacy (a small cell) or
is unknown: it gets no mark, only its text where its bar would be, or a gap in a line.

Every text goes in through ``Markup.format``, which escapes it (``markupsafe.escape``), and
the result is ``Markup`` for the page's template to include as it is.
"""

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

# The drawing's own units; the stylesheet scales the whole drawing to the page's width.
WIDTH = 640
FONT_SIZE = 12
# A generous average advance of one character as a share of the font size: an estimate
# that errs wide keeps neighbouring labels from touching.
CHAR_WIDTH = 0.6 * FONT_SIZE
PAD = 8
GAP = 6
# Horizontal bars: one row per category.
ROW_HEIGHT = 24
BAR_HEIGHT = 16
# A label may take this share of the width before it is shortened.
LABEL_SHARE = 0.4
# Columns and lines.
PLOT_HEIGHT = 220
LEGEND_ROW = 18
SWATCH_WIDTH = 18
MARKER_RADIUS = 3.5
# The texts of suppressed columns too narrow for text across.
UPRIGHT_FONT_SIZE = 10
# A chart aims at about this many intervals between gridlines.
TARGET_INTERVALS = 5
# One pattern (columns) and one dash with one marker shape (lines) per series; the
# stylesheet defines that many, and a fifth series would look like the first.
MAX_SERIES = 4

# Ids end up in id, aria-labelledby and url(#...) references: nothing there may need quoting.
SAFE_ID = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,63}")

# The marks each column pattern draws over its series colour (on a 6 by 6 tile).
PATTERN_MARKS = (
    Markup(""),
    Markup('<path class="chart-mark" d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2"/>'),
    Markup('<circle class="chart-mark" cx="3" cy="3" r="1.3"/>'),
    Markup('<path class="chart-mark" d="M0,3 h6 M3,0 v6"/>'),
)


@dataclass(frozen=True, slots=True)
class Point:
    """One category's value: ``value`` places the mark, ``shown`` is the text printed."""

    label: str
    value: float | None
    shown: str


@dataclass(frozen=True, slots=True)
class Series:
    """A named row of points; every series of one chart has the same labels in one order."""

    name: str
    points: Sequence[Point]


def plain_number(value: float) -> str:
    """The default tick label: whole numbers with thousands separators, fractions short."""
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{round(value, 6):,}"


NumberFormat = Callable[[float], str]


def bars(
    chart_id: str,
    title: str,
    description: str,
    points: Sequence[Point],
    number: NumberFormat = plain_number,
) -> Markup:
    """Horizontal bars, one per point, its label on the left and its text at the bar's end."""
    _check_id(chart_id)
    if not points:
        return _svg(chart_id, title, description, 2 * PAD, [])
    values = _values(points)
    scale = _Scale.fit(values) if values else None
    tick_texts = [number(tick) for tick in scale.ticks] if scale else []
    top = scale.top if scale else 1.0

    label_width = min(max(_text_width(p.label) for p in points), LABEL_SHARE * WIDTH)
    right_reserve = max(
        max(_text_width(p.shown) for p in points) + GAP,
        max((_text_width(text) for text in tick_texts), default=0) / 2,
    )
    left = PAD + label_width + GAP
    plot_width = max(WIDTH - PAD - right_reserve - left, WIDTH / 5)
    axis_y = PAD + len(points) * ROW_HEIGHT
    height = axis_y + (FONT_SIZE + GAP if scale else 0) + PAD

    body: list[Markup] = []
    if scale:
        for tick, text in zip(scale.ticks, tick_texts, strict=True):
            x = left + tick / top * plot_width
            body.append(_line(x, PAD, x, axis_y, "chart-grid"))
            body.append(_text(x, axis_y + FONT_SIZE + 2, text, "chart-tick", "middle"))
    body.append(_line(left, PAD, left, axis_y, "chart-axis"))
    for index, point in enumerate(points):
        row_top = PAD + index * ROW_HEIGHT
        baseline = row_top + ROW_HEIGHT / 2 + FONT_SIZE * 0.35
        body.append(_bar_label(left - GAP, baseline, point.label, label_width))
        if point.value is None:
            body.append(_text(left + GAP, baseline, point.shown, "chart-value chart-suppressed"))
            continue
        width = point.value / top * plot_width
        bar_y = row_top + (ROW_HEIGHT - BAR_HEIGHT) / 2
        body.append(
            Markup('<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}"/>').format(
                _n(left), _n(bar_y), _n(width), _n(BAR_HEIGHT)
            )
        )
        body.append(_text(left + width + GAP / 2, baseline, point.shown, "chart-value"))
    return _svg(chart_id, title, description, height, body)


def columns(
    chart_id: str,
    title: str,
    description: str,
    series: Sequence[Series],
    number: NumberFormat = plain_number,
) -> Markup:
    """Vertical columns grouped by category, one per series; a legend when there are several.

    Where a column is wide enough, its text stands above it; where it is not (many weeks),
    only the suppressed ones keep their text, turned upright, and the table has the rest.
    """
    _check_id(chart_id)
    labels = _shared_labels(series)
    if not labels:
        return _svg(chart_id, title, description, 2 * PAD, [])
    values = [v for one in series for v in _values(one.points)]
    # The headroom is for the text above the tallest column.
    plot = _Plot.fit(labels, series, values, number, headroom=FONT_SIZE + 4)
    column_width = plot.slot * 0.8 / len(series)
    shown_width = max(_text_width(p.shown) for one in series for p in one.points)
    roomy = column_width >= shown_width + 2

    fills = [Markup("url(#{}-pattern-{})").format(chart_id, index) for index in range(len(series))]
    body = [_patterns(chart_id, len(series))]
    body.extend(plot.frame(labels))
    if len(series) > 1:
        for series_index, one in enumerate(series):
            swatch = _column_swatch(fills[series_index])
            body.extend(_legend_entry(plot, series_index, one.name, swatch))
    for index in range(len(labels)):
        # Columns of a category fill four fifths of its slot; the rest separates categories.
        group_left = plot.x(index) - plot.slot * 0.4
        for series_index, one in enumerate(series):
            point = one.points[index]
            if point.value is None:
                continue
            x = group_left + series_index * column_width
            top = plot.y(point.value)
            body.append(
                Markup(
                    '<rect class="chart-column" x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{}</title></rect>"
                ).format(
                    _n(x),
                    _n(top),
                    _n(column_width),
                    _n(plot.base - top),
                    fills[series_index],
                    _tooltip(point, one.name, len(series)),
                )
            )
            if roomy:
                centre = x + column_width / 2
                body.append(_text(centre, top - 3, point.shown, "chart-value", "middle"))
        category = [one.points[index] for one in series]
        body.extend(_suppressed_texts(category, group_left, column_width, plot.base, roomy))
    return _svg(chart_id, title, description, plot.height, body)


def lines(
    chart_id: str,
    title: str,
    description: str,
    series: Sequence[Series],
    number: NumberFormat = plain_number,
) -> Markup:
    """One line per series over shared categories, a marker at each point, a gap at None.

    A legend names the series when there are several.
    """
    _check_id(chart_id)
    labels = _shared_labels(series)
    if not labels:
        return _svg(chart_id, title, description, 2 * PAD, [])
    values = [v for one in series for v in _values(one.points)]
    plot = _Plot.fit(labels, series, values, number, headroom=MARKER_RADIUS)

    body = list(plot.frame(labels))
    for series_index, one in enumerate(series):
        marks: list[Markup] = []
        if len(series) > 1:
            swatch = _line_swatch(series_index)
            marks.extend(_legend_entry(plot, series_index, one.name, swatch))
        for run in _runs(one.points):
            if len(run) > 1:
                coordinates = " ".join(
                    f"{_n(plot.x(index))},{_n(plot.y(value))}" for index, value in run
                )
                marks.append(
                    Markup('<polyline class="chart-line" points="{}"/>').format(coordinates)
                )
        for index, point in enumerate(one.points):
            if point.value is not None:
                marks.append(
                    _marker(
                        series_index,
                        plot.x(index),
                        plot.y(point.value),
                        _tooltip(point, one.name, len(series)),
                    )
                )
        body.append(_series_group(series_index, marks))
    return _svg(chart_id, title, description, plot.height, body)


@dataclass(frozen=True, slots=True)
class _Scale:
    """The value axis: from zero to ``top``, gridlines at ``ticks``."""

    top: float
    ticks: tuple[float, ...]

    @classmethod
    def fit(cls, values: Sequence[float]) -> "_Scale":
        highest = max(values)
        if highest == 0:
            return cls(top=1.0, ticks=(0.0,))
        raw = highest / TARGET_INTERVALS
        magnitude = 10.0 ** math.floor(math.log10(raw))
        step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
        # Counts never sit between whole numbers, so neither do their gridlines.
        if all(float(v).is_integer() for v in values):
            step = max(step, 1.0)
        intervals = math.ceil(highest / step - 1e-9)
        # Rounding keeps 3 * 0.1 from printing as 0.30000000000000004.
        ticks = tuple(round(i * step, 10) for i in range(intervals + 1))
        return cls(top=ticks[-1], ticks=ticks)


@dataclass(frozen=True, slots=True)
class _Plot:
    """Where columns and lines are drawn: categories across, the value axis upwards."""

    left: float
    right: float
    top: float
    base: float
    height: float
    categories: int
    label_step: int
    scale: _Scale | None
    tick_texts: tuple[str, ...]
    legend: tuple[tuple[float, float], ...]

    @classmethod
    def fit(
        cls,
        labels: Sequence[str],
        series: Sequence[Series],
        values: Sequence[float],
        number: NumberFormat,
        headroom: float,
    ) -> "_Plot":
        scale = _Scale.fit(values) if values else None
        tick_texts = tuple(number(tick) for tick in scale.ticks) if scale else ()
        tick_width = max((_text_width(text) for text in tick_texts), default=0)
        half_label = max(_text_width(label) for label in labels) / 2
        left, right = _category_span(half_label, tick_width + GAP if scale else 0, len(labels))
        legend = _legend_places(left, right, [one.name for one in series])
        legend_height = (max(y for _, y in legend) + LEGEND_ROW) if len(series) > 1 else 0
        top = PAD + legend_height + max(headroom, FONT_SIZE / 2)
        base = top + PLOT_HEIGHT
        slot = (right - left) / len(labels)
        label_step = max(1, math.ceil((2 * half_label + GAP) / slot))
        return cls(
            left=left,
            right=right,
            top=top,
            base=base,
            height=base + FONT_SIZE + 4 + PAD,
            categories=len(labels),
            label_step=label_step,
            scale=scale,
            tick_texts=tick_texts,
            legend=tuple((x, PAD + y) for x, y in legend) if len(series) > 1 else (),
        )

    @property
    def slot(self) -> float:
        return (self.right - self.left) / self.categories

    def x(self, index: int) -> float:
        """The centre of a category's slot."""
        return self.left + (index + 0.5) * self.slot

    def y(self, value: float) -> float:
        top = self.scale.top if self.scale else 1.0
        return self.base - value / top * (self.base - self.top)

    def frame(self, labels: Sequence[str]) -> Iterable[Markup]:
        """Gridlines with their values, the base line, and every ``label_step``-th label."""
        if self.scale:
            for tick, text in zip(self.scale.ticks, self.tick_texts, strict=True):
                y = self.y(tick)
                yield _line(self.left, y, self.right, y, "chart-grid")
                yield _text(self.left - GAP, y + FONT_SIZE * 0.35, text, "chart-tick", "end")
        yield _line(self.left, self.base, self.right, self.base, "chart-axis")
        for index in range(0, len(labels), self.label_step):
            yield _text(
                self.x(index), self.base + FONT_SIZE + 4, labels[index], "chart-category", "middle"
            )


def _category_span(half_label: float, axis_width: float, categories: int) -> tuple[float, float]:
    """Left and right end of the categories, leaving room for the value axis's texts.

    A category label is centred on its slot, so a label wider than the slot reaches past the
    first or last one into the margin. How far depends on the slot, which depends on the
    margins: a few rounds settle it to well under a unit.
    """
    overhang = 0.0
    for _ in range(4):
        left = PAD + max(axis_width, overhang)
        right = WIDTH - PAD - overhang
        overhang = max(0.0, half_label - (right - left) / categories / 2)
    return PAD + max(axis_width, overhang), WIDTH - PAD - overhang


def _check_id(chart_id: str) -> None:
    if not SAFE_ID.fullmatch(chart_id):
        raise ValueError(
            f"chart id {chart_id!r}: a letter, then letters, digits and hyphens, 64 at most"
        )


def _values(points: Sequence[Point]) -> list[float]:
    """The drawable values; a negative or infinite one is a fault upstream, not a figure."""
    values = [point.value for point in points if point.value is not None]
    for value in values:
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"chart values are counts or durations, not {value!r}")
    return values


def _shared_labels(series: Sequence[Series]) -> list[str]:
    if len(series) > MAX_SERIES:
        raise ValueError(f"{len(series)} series: a chart tells {MAX_SERIES} apart at most")
    if not series:
        return []
    labels = [point.label for point in series[0].points]
    for one in series[1:]:
        if [point.label for point in one.points] != labels:
            raise ValueError(f"series {one.name!r} has other categories than {series[0].name!r}")
    return labels


def _runs(points: Sequence[Point]) -> list[list[tuple[int, float]]]:
    """The stretches of known values between suppressed ones, with their positions."""
    runs: list[list[tuple[int, float]]] = [[]]
    for index, point in enumerate(points):
        if point.value is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((index, point.value))
    return [run for run in runs if run]


def _legend_places(left: float, right: float, names: Sequence[str]) -> list[tuple[float, float]]:
    """Where each legend entry starts, wrapping to a new row when the width runs out."""
    places = []
    x, y = left, 0.0
    for name in names:
        width = SWATCH_WIDTH + GAP + _text_width(name) + 2 * GAP
        if x > left and x + width > right:
            x, y = left, y + LEGEND_ROW
        places.append((x, y))
        x += width
    return places


def _legend_entry(
    plot: _Plot, series_index: int, name: str, swatch: Callable[[float, float], Markup]
) -> list[Markup]:
    x, y = plot.legend[series_index]
    middle = y + LEGEND_ROW / 2
    return [
        swatch(x, middle),
        _text(x + SWATCH_WIDTH + GAP, middle + FONT_SIZE * 0.35, name, "chart-legend"),
    ]


def _column_swatch(fill: Markup) -> Callable[[float, float], Markup]:
    def swatch(x: float, middle: float) -> Markup:
        return Markup(
            '<rect class="chart-column" x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
        ).format(_n(x), _n(middle - 6), _n(SWATCH_WIDTH), _n(12), fill)

    return swatch


def _line_swatch(series_index: int) -> Callable[[float, float], Markup]:
    # Drawn inside the series group, so the line and the marker take the series' look.
    def swatch(x: float, middle: float) -> Markup:
        line = _line(x, middle, x + SWATCH_WIDTH, middle, "chart-line")
        return line + _marker(series_index, x + SWATCH_WIDTH / 2, middle)

    return swatch


def _patterns(chart_id: str, count: int) -> Markup:
    """One fill pattern per series: its colour from the stylesheet, its marks for print."""
    tiles = Markup("").join(
        Markup(
            '<pattern id="{}-pattern-{}" width="6" height="6" patternUnits="userSpaceOnUse">'
            '<rect class="chart-fill-{}" width="6" height="6"/>{}</pattern>'
        ).format(chart_id, index, index, PATTERN_MARKS[index])
        for index in range(count)
    )
    return Markup("<defs>{}</defs>").format(tiles)


def _suppressed_texts(
    category: Sequence[Point], group_left: float, column_width: float, base: float, roomy: bool
) -> Iterable[Markup]:
    """The texts of one category's suppressed columns, standing where the columns would."""
    if roomy:
        for position, point in enumerate(category):
            if point.value is None:
                centre = group_left + (position + 0.5) * column_width
                yield _text(centre, base - 3, point.shown, "chart-value chart-suppressed", "middle")
        return
    # Too narrow for text across: upright and smaller, and one text for neighbouring
    # columns that say the same, which would otherwise print over one another.
    position = 0
    while position < len(category):
        point = category[position]
        if point.value is not None:
            position += 1
            continue
        last = position
        while (
            last + 1 < len(category)
            and category[last + 1].value is None
            and category[last + 1].shown == point.shown
        ):
            last += 1
        x = group_left + (position + last + 1) / 2 * column_width + UPRIGHT_FONT_SIZE * 0.35
        y = base - 3
        yield Markup(
            '<text class="chart-value chart-suppressed chart-upright" x="{0}" y="{1}"'
            ' font-size="{2}" transform="rotate(-90 {0} {1})">{3}</text>'
        ).format(_n(x), _n(y), UPRIGHT_FONT_SIZE, point.shown)
        position = last + 1


def _marker(series_index: int, x: float, y: float, tooltip: str = "") -> Markup:
    """A circle, square, triangle or diamond, so series differ without colour too."""
    r = MARKER_RADIUS
    kind = series_index % MAX_SERIES
    if kind == 0:
        shape = Markup('<circle class="chart-marker" cx="{}" cy="{}" r="{}">').format(
            _n(x), _n(y), _n(r)
        )
        closing = Markup("</circle>")
    elif kind == 1:
        shape = Markup('<rect class="chart-marker" x="{}" y="{}" width="{}" height="{}">').format(
            _n(x - r), _n(y - r), _n(2 * r), _n(2 * r)
        )
        closing = Markup("</rect>")
    else:
        if kind == 2:
            corners = [(x, y - 1.3 * r), (x + 1.2 * r, y + 0.8 * r), (x - 1.2 * r, y + 0.8 * r)]
        else:
            corners = [(x, y - 1.4 * r), (x + 1.4 * r, y), (x, y + 1.4 * r), (x - 1.4 * r, y)]
        path = "M" + " L".join(f"{_n(cx)},{_n(cy)}" for cx, cy in corners) + " Z"
        shape = Markup('<path class="chart-marker" d="{}">').format(path)
        closing = Markup("</path>")
    if tooltip:
        return shape + Markup("<title>{}</title>").format(tooltip) + closing
    return shape + closing


def _series_group(series_index: int, marks: Sequence[Markup]) -> Markup:
    return Markup('<g class="chart-series chart-series-{}">{}</g>').format(
        series_index, Markup("").join(marks)
    )


def _tooltip(point: Point, name: str, series_count: int) -> str:
    """What a pointer resting on a mark shows; it names the week that a thinned axis leaves out."""
    if series_count > 1:
        return f"{point.label}, {name}: {point.shown}"
    return f"{point.label}: {point.shown}"


def _bar_label(right_edge: float, baseline: float, label: str, room: float) -> Markup:
    """A bar's label, shortened to its room; a shortened one keeps the whole as a tooltip."""
    if _text_width(label) <= room:
        return _text(right_edge, baseline, label, "chart-category", "end")
    kept = label[: max(1, int(room // CHAR_WIDTH) - 1)] + "\u2026"
    return Markup(
        '<text class="chart-category" x="{}" y="{}" text-anchor="end"><title>{}</title>{}</text>'
    ).format(_n(right_edge), _n(baseline), label, kept)


def _svg(
    chart_id: str, title: str, description: str, height: float, body: Iterable[Markup]
) -> Markup:
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"'
        ' aria-labelledby="{0}-title {0}-desc" viewBox="0 0 {1} {2}" font-size="{3}">'
        '<title id="{0}-title">{4}</title><desc id="{0}-desc">{5}</desc>{6}</svg>'
    ).format(chart_id, WIDTH, _n(height), FONT_SIZE, title, description, Markup("").join(body))


def _text(x: float, y: float, content: str, css_class: str, anchor: str = "start") -> Markup:
    return Markup('<text class="{}" x="{}" y="{}" text-anchor="{}">{}</text>').format(
        css_class, _n(x), _n(y), anchor, content
    )


def _line(x1: float, y1: float, x2: float, y2: float, css_class: str) -> Markup:
    return Markup('<line class="{}" x1="{}" y1="{}" x2="{}" y2="{}"/>').format(
        css_class, _n(x1), _n(y1), _n(x2), _n(y2)
    )


def _text_width(text: str) -> float:
    return len(text) * CHAR_WIDTH


def _n(number: float) -> str:
    # Hundredths of a unit are far below a pixel at any page width.
    text = f"{number:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
