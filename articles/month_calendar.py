"""A month calendar whose days link to the day's articles, and the month day by day."""

import calendar
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from articles.dates import month_end
from articles.models import Article

#: Articles the month page shows of each day (the day's page has them all).
FIRST_OF_DAY = 3

WEEKDAYS = [(calendar.day_abbr[d], calendar.day_name[d]) for d in range(7)]


@dataclass(frozen=True)
class Day:
    date: date
    in_month: bool
    count: int
    url: str | None  # only for days of this month that have articles


def month_calendar(
    month: date, day_counts: Mapping[date, int], url_for_day: Callable[[date], str]
) -> list[list[Day]]:
    """The weeks (Monday first) of ``month``'s calendar."""
    weeks = calendar.Calendar().monthdatescalendar(month.year, month.month)
    return [
        [
            Day(
                date=day,
                in_month=day.month == month.month,
                count=day_counts.get(day, 0) if day.month == month.month else 0,
                url=url_for_day(day) if day.month == month.month and day_counts.get(day) else None,
            )
            for day in week
        ]
        for week in weeks
    ]


@dataclass(frozen=True)
class MonthDay:
    date: date
    count: int
    url: str
    first: list  # its first ``FIRST_OF_DAY`` articles (by id: the order they came in)

    @property
    def more(self):
        return self.count - len(self.first)


def month_days(
    month: date, day_counts: Mapping[date, int], url_for_day: Callable[[date], str]
) -> list[MonthDay]:
    """The days of ``month`` with articles, oldest first, each with its first few articles:
    one query (a window function ranks each day's articles)."""
    ranked = (
        Article.objects.filter(pub_date__range=(month, month_end(month)))
        .annotate(rank=Window(RowNumber(), partition_by=F("pub_date"), order_by=F("pk").asc()))
        .filter(rank__lte=FIRST_OF_DAY)
        .only("title", "slug", "pub_date", "publication", "opening")
        .order_by("pub_date", "rank")
    )
    first: dict[date, list] = {}
    for article in ranked:
        first.setdefault(article.pub_date, []).append(article)
    return [
        MonthDay(day, count, url_for_day(day), first.get(day, []))
        for day, count in sorted(day_counts.items())
    ]
