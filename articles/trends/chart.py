"""The geometry of the trends line chart (pure): axes, lines, markers, labels and links.

``build_chart(trends, scale)`` places every series of a ``Trends`` in an SVG drawing of
``WIDTH`` units (the CSS scales it to its container; ``templates/trends/_chart.svg`` draws
it). Each series has a colour of Okabe and Ito's palette (told apart with every kind of
colour vision), its own marker shape and its own dash pattern (told apart in grey print),
and each point is a link with an accessible name. A period with no articles at all has no
value: the line breaks there. ``standalone`` adds a title and a legend inside the drawing,
for the SVG export.
"""

import math
from dataclasses import dataclass

from articles.trends.counting import SeriesCounts

WIDTH, HEIGHT = 360, 230  # about the width of a phone, where 12 units are 12 px
LEFT, RIGHT, TOP, BOTTOM = 46, 12, 24, 26  # margins around the plot
TICKS = 4  # horizontal grid lines, about
CHAR_WIDTH = 6.6  # of the 12-unit label font, about
MARKER = 4.2
TITLE_HEIGHT, LEGEND_ROW = 40, 20
LEGEND_CHARS = 32  # of a series' query in the standalone legend, with its count after it


@dataclass(frozen=True)
class Style:
    colour: str
    marker: str
    dash: str  # stroke-dasharray ("" for a solid line)


#: Okabe-Ito blue, vermillion, bluish green, black and reddish purple (each at least 3:1
#: against the page), with a marker and a dash pattern each.
STYLES = (
    Style("#0072B2", "circle", ""),
    Style("#D55E00", "square", "7 3"),
    Style("#009E73", "triangle", "2 3"),
    Style("#000000", "diamond", "9 3 2 3"),
    Style("#CC79A7", "plus", "14 4"),
)


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    url: str
    label: str  # the accessible name: "oil, Mar 1987: 12 articles (9.72 per 1,000)"
    marker: str  # SVG path


@dataclass(frozen=True)
class ChartSeries:
    counts: SeriesCounts
    style: Style
    line: str  # SVG path, broken where a period has no value
    points: list[ChartPoint]
    swatch: str  # its marker in a 26 x 14 sample of its line, for legends
    legend: Label | None  # standalone: where the sample and the name go


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    unit: str  # what the vertical axis counts
    title: tuple[str, str]  # what it shows and over which periods (two lines, standalone)
    y_ticks: list[Label]
    x_labels: list[Label]
    series: list[ChartSeries]
    standalone: bool

    @property
    def caption(self):
        return ", ".join(self.title)


def build_chart(trends, scale, standalone=False):
    """The ``Chart`` of ``trends`` with values on ``scale`` ("per-1000" or "count")."""
    periods = trends.periods
    top = TOP + (TITLE_HEIGHT if standalone else 0)
    bottom = HEIGHT - BOTTOM + (TITLE_HEIGHT if standalone else 0)
    height = bottom + BOTTOM + (LEGEND_ROW * len(trends.series) + 6 if standalone else 0)
    left, right = LEFT, WIDTH - RIGHT
    values = [p.value(scale) for s in trends.series for p in s.points]
    peak, step = _scale(max((v for v in values if v is not None), default=0), scale == "count")
    band = (right - left) / len(periods)

    def x_of(index):
        return round(left + (index + 0.5) * band, 2)

    def y_of(value):
        return round(bottom - (bottom - top) * value / peak, 2)

    series = []
    for number, counts in enumerate(trends.series):
        style = STYLES[(counts.number - 1) % len(STYLES)]  # as numbered in the form
        points, runs = [], [[]]
        for index, point in enumerate(counts.points):
            value = point.value(scale)
            if value is None:
                runs.append([])
                continue
            x, y = x_of(index), y_of(value)
            runs[-1].append((x, y))
            points.append(
                ChartPoint(x, y, point.url, _point_label(counts.query, point), _marker(style, x, y))
            )
        legend_y = bottom + BOTTOM + LEGEND_ROW * number
        series.append(
            ChartSeries(
                counts=counts,
                style=style,
                line="".join(_path(run) for run in runs if len(run) > 1),
                points=points,
                swatch=_marker(style, 13, 7),
                legend=Label(left, legend_y, _legend_text(counts)) if standalone else None,
            )
        )
    return Chart(
        width=WIDTH,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        unit="Articles" if scale == "count" else "Per 1,000 articles",
        title=_caption(trends, scale),
        y_ticks=[
            Label(left - 6, y_of(step * i), _number(step * i))
            for i in range(round(peak / step) + 1)
        ],
        x_labels=_x_labels(periods, x_of, left, right, bottom + 17),
        series=series,
        standalone=standalone,
    )


def _caption(trends, scale):
    """What the chart shows: ``("Articles per month", "Mar 1987 – Oct 1987")``."""
    first, last = trends.periods[0], trends.periods[-1]
    measure = "Articles" if scale == "count" else "Share of all articles (per 1,000)"
    span = first.label if first is last else f"{first.label} – {last.label}"
    return f"{measure} per {trends.interval}", span


def _scale(peak, integers):
    """``(top, step)`` of the vertical axis: a round step, about ``TICKS`` of them to the top."""
    if peak <= 0:
        return 1, 1 if integers else 0.25
    raw = peak / TICKS
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(
        m * magnitude
        for m in (1, 2, 2.5, 5, 10)
        if m * magnitude >= raw and not (integers and m * magnitude % 1)
    )
    step = max(step, 1) if integers else step
    return step * math.ceil(peak / step - 1e-9), step


def _x_labels(periods, x_of, left, right, y):
    """The periods' labels, as many as fit side by side, each kept inside the drawing."""
    widest = max(len(p.label) for p in periods) * CHAR_WIDTH
    fit = max(1, int((right - left) // (widest + 10)))
    every = -(-len(periods) // fit)
    labels = []
    for index in range(0, len(periods), every):
        x = min(max(x_of(index), left + widest / 2), right - widest / 2 + RIGHT)
        labels.append(Label(round(x, 2), y, periods[index].label))
    return labels


def _point_label(query, point):
    count = f"{point.count:,} article{'' if point.count == 1 else 's'}"
    if point.per_1000 is not None:
        count += f" ({_number(point.per_1000)} per 1,000)"
    return f"{query}, {point.period.label}: {count}"


def _number(value):
    """``value`` with thousands separators and no more decimals than it needs (up to 2)."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _legend_text(counts):
    """A series' query (cut short if long) and its count, for the standalone legend."""
    query = counts.query
    query = query if len(query) <= LEGEND_CHARS else query[: LEGEND_CHARS - 1] + "…"
    return f"{query} ({counts.count:,} article{'' if counts.count == 1 else 's'})"


def _path(points):
    return "M" + "L".join(f"{x},{y}" for x, y in points)


def _marker(style, x, y):
    """The SVG path of ``style``'s marker centred on ``(x, y)``."""
    r = MARKER
    if style.marker == "circle":
        return f"M{x - r:.2f},{y:.2f}a{r},{r} 0 1,0 {2 * r:.2f},0a{r},{r} 0 1,0 {-2 * r:.2f},0Z"
    corners = ((x + dx * r, y + dy * r) for dx, dy in _SHAPES[style.marker])
    return "M" + "L".join(f"{cx:.2f},{cy:.2f}" for cx, cy in corners) + "Z"


#: Polygon markers: their corners around the centre, in units of ``MARKER``.
_SHAPES = {
    "square": ((-0.9, -0.9), (0.9, -0.9), (0.9, 0.9), (-0.9, 0.9)),
    "triangle": ((0, -1.25), (1.15, 0.85), (-1.15, 0.85)),
    "diamond": ((0, -1.3), (1.3, 0), (0, 1.3), (-1.3, 0)),
    "plus": (
        (-0.4, -1.2), (0.4, -1.2), (0.4, -0.4), (1.2, -0.4), (1.2, 0.4), (0.4, 0.4),
        (0.4, 1.2), (-0.4, 1.2), (-0.4, 0.4), (-1.2, 0.4), (-1.2, -0.4), (-0.4, -0.4),
    ),
}  # fmt: skip
