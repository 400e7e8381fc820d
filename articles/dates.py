"""Calendar arithmetic the archive needs in several places (pure functions)."""

import calendar
from collections.abc import Iterator
from datetime import date

#: The dates the archive holds: a source date outside them is a mistake (year 1, year 9999),
#: and neither URLs, Django's date arithmetic nor the search engine's date fields must meet
#: one. Newspapers began in the 1600s; 2100 leaves room for dates a little ahead.
EARLIEST = date(1600, 1, 1)
LATEST = date(2100, 12, 31)


def month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def month_starts(first: date, last: date) -> Iterator[date]:
    """The first day of every month from ``first``'s to ``last``'s, inclusive."""
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield date(year, month, 1)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
