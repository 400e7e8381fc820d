"""Calendar arithmetic the archive needs in several places (pure functions)."""

import calendar
from collections.abc import Iterator
from datetime import date

#: The publication dates the archive accepts. Printed news began in the early 1600s
#: (Strasbourg's "Relation", 1605), so an earlier date is a typo or a placeholder; 2100
#: leaves room for embargoed and mis-dated items but not for sentinels like 9999-12-31.
#: Inside this range every date has four digits and a following day and month, which
#: permalinks, the date archives, the admin's date drill-down and the search index need.
EARLIEST_PUB_DATE = date(1600, 1, 1)
LATEST_PUB_DATE = date(2100, 12, 31)


def month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def month_starts(first: date, last: date) -> Iterator[date]:
    """The first day of every month from ``first``'s to ``last``'s, inclusive."""
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield date(year, month, 1)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
