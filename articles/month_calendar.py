"""A month calendar whose days link to the day's articles."""

import calendar
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

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
