"""A bar chart of article counts over time, drawn server-side as accessible SVG.

Interface (used by the home, tag, person, year and search pages)::

    from articles.timeline import build_timeline

    timeline = build_timeline(counts, url_for_range, undated=3, undated_url="/search/?undated=1")

- ``counts``: ``{date: int}`` keyed by the **first day of a month** (monthly
  counts; missing months count 0).  Pass ``unit="year"`` when the keys are the
  first days of years (yearly counts only).
- ``url_for_range(first_day, last_day)``: the link for one bar; both days are
  inclusive (``date(2017, 1, 1), date(2017, 12, 31)`` for the year 2017).
- ``label``: what is counted, for the caption ("Articles", "Matching articles").
- ``undated``, ``undated_url``: how many of the articles counted have no date, and where
  they are listed: an "Undated" bar after the dated ones, set apart.

The chart has one bar per year, or one per month when the counted months span
a year or less.  It starts at the first bar with articles and ends at the last;
a short empty stretch between them shows as empty columns, a long one
(``GAP_SLOTS`` or more) as one break in the axis, so that two clusters decades
apart stay readable.  Each column, the whole of its height and its label, is the
link.  The drawing has the size the data needs (a single bar is a small chart,
not a banner), and scales down on narrow screens.  Render it with
``{% include "articles/_timeline.html" %}``, which reads ``timeline`` from the
context, draws nothing when it has no bars, and offers the counts as a table too.
``articles.models.ArticleQuerySet.month_counts()`` gives ``counts`` from the
database.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from articles.dates import month_end, month_starts

#: SVG user units, drawn 1:1 in CSS pixels (the CSS only scales a wide chart down).
BAR_AREA_HEIGHT, LABEL_HEIGHT = 80, 20
#: At most 400 wide: a phone shows it nearly at its natural size, its labels still legible.
SLOT_WIDTH, MAX_WIDTH, MIN_WIDTH = 44, 400, 88
UNDATED_WIDTH, UNDATED_GAP = 64, 12
MAX_BAR_WIDTH = 32
LABEL_CHAR_WIDTH = 7.2  # about right for the 12-unit label font
MAX_LABELS = 6
#: A run of at least this many empty years (or months) is drawn as one break.
GAP_SLOTS = 3


@dataclass(frozen=True)
class Bar:
    kind: str  # "count", "gap" (a long empty stretch, collapsed) or "undated"
    first_day: date | None
    last_day: date | None
    count: int
    label: str  # "2017", "Jul 2017", "1988–2015", "Undated": what the column stands for
    tick: str  # the axis label: "2017", "Jul", "Undated"
    url: str | None  # None for an empty bar or a gap: nothing to narrow to
    slot_x: float  # the column, all of it (label included) the link
    slot_width: float
    x: float
    y: float
    width: float
    height: float
    show_label: bool
    label_x: float  # the centre of the label, kept inside the drawing

    @property
    def accessible_label(self):
        if self.kind == "gap":
            return f"{self.label}: no articles"
        return f"{self.label}: {self.count} article{'' if self.count == 1 else 's'}"


@dataclass(frozen=True)
class Timeline:
    unit: str  # "year" or "month"
    caption: str
    bars: list[Bar]
    total: int  # dated and undated
    width: float = MIN_WIDTH
    bar_area_height: int = BAR_AREA_HEIGHT
    height: int = BAR_AREA_HEIGHT + LABEL_HEIGHT
    undated: int = 0

    @property
    def label_y(self):
        return self.height - 6

    @property
    def has_gap(self):
        return any(bar.kind == "gap" for bar in self.bars)

    @property
    def dated_width(self):
        """Where the dated part of the axis ends (the undated bar is set apart)."""
        return self.width - (UNDATED_WIDTH + UNDATED_GAP if self.undated else 0)


def _by_year(counts: Mapping[date, int]) -> dict[date, int]:
    years: dict[date, int] = {}
    for day, count in counts.items():
        key = date(day.year, 1, 1)
        years[key] = years.get(key, 0) + count
    return years


def _collapsed(slots, counts):
    """``slots`` with each run of ``GAP_SLOTS`` or more empty ones replaced by one gap."""
    result, run = [], []
    for slot in [*slots, None]:
        if slot is not None and not counts.get(slot[0]):
            run.append(slot)
            continue
        if len(run) >= GAP_SLOTS:
            result.append(("gap", run[0][0], run[-1][1], f"{run[0][2]}–{run[-1][2]}", ""))
        else:
            result += [("count", *item) for item in run]
        run = []
        if slot is not None:
            result.append(("count", *slot))
    return result


def build_timeline(
    counts: Mapping[date, int],
    url_for_range: Callable[[date, date], str],
    *,
    unit: str = "month",
    label: str = "Articles",
    undated: int = 0,
    undated_url: str | None = None,
) -> Timeline:
    """The chart for ``counts`` (see the module docstring)."""
    counts = {day: n for day, n in counts.items() if n}
    if not counts and not undated:
        return Timeline(unit="year", caption=f"{label} per year", bars=[], total=0)
    slots: list = []
    span = ""
    if counts:
        first, last = min(counts), max(counts)
        if unit == "month" and (last.year - first.year) * 12 + last.month - first.month < 12:
            slots = [
                (day, month_end(day), day.strftime("%b %Y"), day.strftime("%b"))
                for day in month_starts(first, last)
            ]
            unit, span = "month", first.strftime("%B %Y")
            if first != last:
                span = f"{span} – {last.strftime('%B %Y')}"
        else:
            counts = _by_year(counts)
            first, last = min(counts), max(counts)
            slots = [
                (date(y, 1, 1), date(y, 12, 31), str(y), str(y))
                for y in range(first.year, last.year + 1)
            ]
            unit, span = "year", str(first.year) if first == last else f"{first.year}–{last.year}"
    else:
        unit = "year"
    columns = _collapsed(slots, counts)

    peak = max([*counts.values(), undated])
    dated_width = min(MAX_WIDTH, max(len(columns) * SLOT_WIDTH, MIN_WIDTH)) if columns else 0
    slot_width = dated_width / len(columns) if columns else 0
    bar_width = min(slot_width * 0.7, MAX_BAR_WIDTH)
    widest_tick = max((len(c[4]) for c in columns), default=4) * LABEL_CHAR_WIDTH + 10
    label_every = int(max(1, -(-len(columns) // MAX_LABELS), -(-widest_tick // (slot_width or 1))))

    def height_of(count):
        return max(BAR_AREA_HEIGHT * count / peak, 2) if count else 0

    bars = []
    for index, (kind, first_day, last_day, name, tick) in enumerate(columns):
        count = counts.get(first_day, 0) if kind == "count" else 0
        height = height_of(count)
        center, half_label = (index + 0.5) * slot_width, len(tick) * LABEL_CHAR_WIDTH / 2
        bars.append(
            Bar(
                kind=kind,
                first_day=first_day,
                last_day=last_day,
                count=count,
                label=name,
                tick=tick,
                url=url_for_range(first_day, last_day) if count else None,
                slot_x=round(index * slot_width, 2),
                slot_width=round(slot_width, 2),
                x=round(center - bar_width / 2, 2),
                y=round(BAR_AREA_HEIGHT - height, 2),
                width=round(bar_width, 2),
                height=round(height, 2),
                show_label=kind == "count" and (index % label_every == 0 or index == 0),
                label_x=round(min(max(center, half_label), dated_width - half_label), 2),
            )
        )
    width = dated_width
    if undated:
        slot_x = width + (UNDATED_GAP if columns else 0)
        height = height_of(undated)
        center = slot_x + UNDATED_WIDTH / 2
        undated_bar_width = min(UNDATED_WIDTH * 0.5, MAX_BAR_WIDTH)
        bars.append(
            Bar(
                kind="undated",
                first_day=None,
                last_day=None,
                count=undated,
                label="Undated",
                tick="Undated",
                url=undated_url,
                slot_x=round(slot_x, 2),
                slot_width=UNDATED_WIDTH,
                x=round(center - undated_bar_width / 2, 2),
                y=round(BAR_AREA_HEIGHT - height, 2),
                width=round(undated_bar_width, 2),
                height=round(height, 2),
                show_label=True,
                label_x=round(center, 2),
            )
        )
        width = slot_x + UNDATED_WIDTH
        span = f"{span}, and undated" if span else "undated only"
    return Timeline(
        unit=unit,
        caption=f"{label} per {unit}, {span}",
        bars=bars,
        total=sum(counts.values()) + undated,
        width=round(width, 2),
        undated=undated,
    )
