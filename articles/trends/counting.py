"""Counting series per period: the periods, all articles of each, and each series' share.

Each series is one search (``search_queryset``: its query and the shared filters) asking for
the ``month`` facet, which the index counts over every match; months add up to years. So a
point's count is the count of the search its link leads to, and a series' count is that of
the same search over the dated articles. The totals per period (every dated article) come
from the database's articles per day. Both are cached until the archive changes, so that
switching the scale or the interval, exporting, or adding a series to a page searches again
only for what is new. Undated articles belong to no period and are left out.
"""

import dataclasses
import hashlib
from dataclasses import dataclass, field
from datetime import date

from articles.archive_cache import cached
from articles.dates import month_end, month_starts
from articles.models import Article, Person, Tag
from articles.search.presenting import month_counts, search_url
from articles.search.running import known_slugs, search_queryset, unranked
from articles.trends.params import MAX_SERIES

#: Spans of at most this many months are counted per month unless the reader chooses.
MONTHLY_UP_TO = 24
#: The most months a chart per month may have.
MAX_MONTHS = 120


@dataclass(frozen=True)
class Period:
    key: str  # "1987" or "1987-03"
    label: str  # "1987" or "Mar 1987"
    start: date
    end: date  # both inclusive; cut to the reader's from/to
    total: int  # dated articles in the archive from start to end


@dataclass(frozen=True)
class Point:
    period: Period
    count: int
    per_1000: float | None  # None when the period has no articles at all
    url: str  # the search for the series over the period

    def value(self, scale):
        return self.count if scale == "count" else self.per_1000


@dataclass(frozen=True)
class SeriesCounts:
    number: int  # among the series asked for, from 1
    query: str
    points: list[Point]
    url: str  # the search for the series over the whole span
    count: int  # over the whole span
    per_1000: float | None  # of all articles of the span


@dataclass
class Trends:
    """What the page and the export show: periods, each series' points, and the problems."""

    errors: list[str]
    names: dict[str, dict[str, str]] = field(default_factory=dict)  # filters' slug -> name
    interval: str = ""
    periods: list[Period] = field(default_factory=list)
    series: list[SeriesCounts] = field(default_factory=list)
    undated: int = 0  # articles without a date: in no period

    @property
    def total(self):
        return sum(period.total for period in self.periods)

    @property
    def rows(self):
        """``(period, [each series' point in it])`` for each period: the table's rows."""
        return [
            (period, [series.points[index] for series in self.series])
            for index, period in enumerate(self.periods)
        ]

    def as_json(self):
        return {
            "interval": self.interval,
            "periods": [
                {
                    "period": p.key,
                    "start": p.start.isoformat(),
                    "end": p.end.isoformat(),
                    "total": p.total,
                }
                for p in self.periods
            ],
            "series": [
                {
                    "query": s.query,
                    "count": s.count,
                    "points": [
                        {"period": pt.period.key, "count": pt.count, "per_1000": pt.per_1000}
                        for pt in s.points
                    ],
                }
                for s in self.series
            ],
        }

    def csv_rows(self):
        """A header, then one row per period: its dates, its total, each series' figures."""
        header = ["period", "start", "end", "total articles"]
        for series in self.series:
            name = _spreadsheet_safe(series.query)
            header += [f"{name} (articles)", f"{name} (per 1000 articles)"]
        rows = [header]
        for period, points in self.rows:
            row = [period.key, period.start.isoformat(), period.end.isoformat(), period.total]
            for point in points:
                row += [point.count, "" if point.per_1000 is None else point.per_1000]
            rows.append(row)
        return rows


def count_trends(params, strict=False):
    """The ``Trends`` of ``params`` (a ``TrendParams``).

    Problems are ``errors``: invalid series are left out, unknown people and tags too; with
    ``strict`` nothing is counted when there is any. A database query for the filters' names
    (if any), the totals and one search per series (each cached until the archive changes).
    """
    errors = list(params.errors)
    if not params.queries:
        errors.append(
            f"Give at least one series to compare (up to {MAX_SERIES}), each a query in the "
            "search language: q=oil for oil."
        )
    filters = params.filters
    people = known_slugs(Person, filters.people, "person", errors)
    tags = known_slugs(Tag, filters.tags, "tag", errors)
    filters = dataclasses.replace(filters, people=list(people), tags=list(tags))
    trends = Trends(errors, names={"people": people, "tags": tags})
    days, trends.undated = archive_days()
    interval, periods = _periods(days, filters.date_from, filters.date_to, params.interval, errors)
    if not periods or (strict and errors):
        return trends
    trends.interval, trends.periods = interval, periods
    trends.series = [
        _count(series, dataclasses.replace(filters, q=series.text), interval, periods)
        for series in params.series
    ]
    return trends


def archive_days():
    """``({day: dated articles}, undated articles)``, cached until the archive changes."""
    return cached(
        "trend-days",
        lambda: (Article.objects.day_counts(), Article.objects.undated().count()),
    )


def _periods(days, date_from, date_to, interval, errors):
    """``(interval, periods)``: the periods from the first dated article to the last (within
    from/to, which cut the first and the last), with their totals.

    Per month when asked, or by default when they span at most ``MONTHLY_UP_TO`` months.
    """
    low, high = date_from or date.min, date_to or date.max
    dated = [day for day, count in days.items() if count and low <= day <= high]
    if not dated:
        within = f" from {date_from:%B %-d, %Y}" if date_from else ""
        within += f" to {date_to:%B %-d, %Y}" if date_to else ""
        errors.append(f"The archive has no dated articles{within}; choose other dates.")
        return interval, []
    first, last = min(dated), max(dated)
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if interval == "month" and months > MAX_MONTHS:
        errors.append(
            f"Per month covers at most {MAX_MONTHS} months, and these dates span {months}; "
            "counted per year instead. Narrow the dates to count per month."
        )
        interval = "year"
    interval = interval or ("month" if months <= MONTHLY_UP_TO else "year")
    if interval == "month":
        spans = [(f"{m:%Y-%m}", f"{m:%b %Y}", m, month_end(m)) for m in month_starts(first, last)]
    else:
        spans = [
            (str(year), str(year), date(year, 1, 1), date(year, 12, 31))
            for year in range(first.year, last.year + 1)
        ]
    totals = {}
    for day in dated:
        key = _period_key(day, interval)
        totals[key] = totals.get(key, 0) + days[day]
    return interval, [
        Period(key, label, max(start, low), min(end, high), totals.get(key, 0))
        for key, label, start, end in spans
    ]


def _period_key(day, interval):
    return f"{day:%Y-%m}" if interval == "month" else str(day.year)


def _count(series, params, interval, periods):
    """The counts of one series (a search of ``params``) in each of ``periods``."""
    first, last = periods[0].start.replace(day=1), periods[-1].end
    counts = {}
    for month, count in _month_counts(series, params).items():
        if first <= month <= last:
            key = _period_key(month, interval)
            counts[key] = counts.get(key, 0) + count
    points = [
        Point(
            period,
            counts.get(period.key, 0),
            _per_1000(counts.get(period.key, 0), period.total),
            search_url(params, **{"from": period.start, "to": period.end}),
        )
        for period in periods
    ]
    whole = search_url(params, **{"from": periods[0].start, "to": periods[-1].end})
    count = sum(point.count for point in points)
    per_1000 = _per_1000(count, sum(period.total for period in periods))
    return SeriesCounts(series.number, series.text, points, whole, count, per_1000)


def _month_counts(series, params):
    """``{first day of a month: count}`` of the search ``params``: one search, its month facet
    counted over every match; cached until the archive changes (whatever the interval and
    scale, and while the other series of a page change).

    Dates that fall on whole months are left out of the search (its months outside them are
    not counted): a date filter costs more than the search itself, and the counts of the
    whole archive serve any span.
    """
    if (params.date_from is None or params.date_from.day == 1) and (
        params.date_to is None or params.date_to == month_end(params.date_to)
    ):
        params = dataclasses.replace(params, date_from=None, date_to=None)
    key = repr((params.q, params.people, params.tags, params.date_from, params.date_to))

    def search():
        sqs = unranked(search_queryset(series.query, params, count_only=True).facet("month"))
        return month_counts(sqs.facet_counts().get("fields", {}))

    return cached(f"trend-series:{hashlib.sha256(key.encode()).hexdigest()}", search)


def _per_1000(count, total):
    return round(1000 * count / total, 2) if total else None


def _spreadsheet_safe(text):
    """``text`` that a spreadsheet will not take for a formula (``-trump`` would be one)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text
