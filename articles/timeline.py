"""A bar chart of article counts over time, drawn server-side as accessible SVG.

Interface (used by the tag and person pages and by the search page)::

    from articles.timeline import build_timeline

    timeline = build_timeline(counts, url_for_range)

- ``counts``: ``{date: int}`` keyed by the **first day of a month** (monthly
  counts; missing months count 0).  Pass ``unit="year"`` when the keys are the
  first days of years (yearly counts only).
- ``url_for_range(first_day, last_day)``: the link for one bar; both days are
  inclusive (``date(2017, 1, 1), date(2017, 12, 31)`` for the year 2017).
- ``label``: what is counted, for the caption ("Articles", "Matching articles").

The chart has one bar per year, or one per month when the counted months span
a year or less.  Empty years or months between the first and the last appear
as gaps.  Render it with ``{% include "articles/_timeline.html" %}``, which
reads ``timeline`` from the context and draws nothing when it has no bars.
``articles.models.ArticleQuerySet.month_counts()`` gives ``counts`` from the
database.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from articles.dates import month_end, month_starts

#: SVG user units; the CSS scales the drawing to the width of its container.
WIDTH, BAR_AREA_HEIGHT, LABEL_HEIGHT = 400, 100, 22
MAX_LABELS = 6
MAX_BAR_WIDTH = 48
LABEL_CHAR_WIDTH = 8  # about right for the 14-unit label font


@dataclass(frozen=True)
class Bar:
    first_day: date
    last_day: date
    count: int
    label: str  # "2017" or "Jul 2017"
    url: str | None  # None for an empty bar: nothing to narrow to
    slot_x: float  # the bar's column, all of it a click target
    slot_width: float
    x: float
    y: float
    width: float
    height: float
    show_label: bool
    label_x: float  # the centre of the label, kept inside the drawing


@dataclass(frozen=True)
class Timeline:
    unit: str  # "year" or "month"
    caption: str
    bars: list[Bar]
    total: int
    width: int = WIDTH
    height: int = BAR_AREA_HEIGHT + LABEL_HEIGHT
    bar_area_height: int = BAR_AREA_HEIGHT

    @property
    def label_y(self):
        return self.height - 4


def _by_year(counts: Mapping[date, int]) -> dict[date, int]:
    years: dict[date, int] = {}
    for day, count in counts.items():
        key = date(day.year, 1, 1)
        years[key] = years.get(key, 0) + count
    return years


def build_timeline(
    counts: Mapping[date, int],
    url_for_range: Callable[[date, date], str],
    *,
    unit: str = "month",
    label: str = "Articles",
) -> Timeline:
    """The chart for ``counts`` (see the module docstring)."""
    counts = {day: n for day, n in counts.items() if n}
    if not counts:
        return Timeline(unit="year", caption=f"{label} per year", bars=[], total=0)
    first, last = min(counts), max(counts)
    if unit == "month" and (last.year - first.year) * 12 + last.month - first.month < 12:
        slots = [(day, month_end(day), day.strftime("%b %Y")) for day in month_starts(first, last)]
        unit, span = "month", first.strftime("%B %Y")
        if first != last:
            span = f"{span} – {last.strftime('%B %Y')}"
    else:
        counts = _by_year(counts)
        first, last = min(counts), max(counts)
        slots = [(date(y, 1, 1), date(y, 12, 31), str(y)) for y in range(first.year, last.year + 1)]
        unit, span = "year", str(first.year) if first == last else f"{first.year}–{last.year}"

    peak = max(counts.values())
    slot_width = WIDTH / len(slots)
    width = min(slot_width * 0.85, MAX_BAR_WIDTH)
    label_every = -(-len(slots) // MAX_LABELS)
    bars = []
    for index, (first_day, last_day, name) in enumerate(slots):
        count = counts.get(first_day, 0)
        height = max(BAR_AREA_HEIGHT * count / peak, 2) if count else 0
        center, half_label = (index + 0.5) * slot_width, len(name) * LABEL_CHAR_WIDTH / 2
        bars.append(
            Bar(
                first_day=first_day,
                last_day=last_day,
                count=count,
                label=name,
                url=url_for_range(first_day, last_day) if count else None,
                slot_x=round(index * slot_width, 2),
                slot_width=round(slot_width, 2),
                x=round(center - width / 2, 2),
                y=round(BAR_AREA_HEIGHT - height, 2),
                width=round(width, 2),
                height=round(height, 2),
                show_label=index % label_every == 0,
                label_x=round(min(max(center, half_label), WIDTH - half_label), 2),
            )
        )
    return Timeline(
        unit=unit,
        caption=f"{label} per {unit}, {span}",
        bars=bars,
        total=sum(counts.values()),
    )
