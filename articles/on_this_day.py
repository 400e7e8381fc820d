"""“On this day” on the home page: articles published on a day and month in earlier years."""

import calendar
from datetime import date

from articles.archive_cache import cached
from articles.models import Article
from articles.overview import archive_overview

ON_THIS_DAY_LIMIT = 8


def on_this_day(today: date) -> list[Article]:
    """Up to ``ON_THIS_DAY_LIMIT`` articles of ``today``'s day and month in the years before
    ``today``'s, newest first; cached until the archive changes.

    One query, for the exact dates in the years the archive has (the date index serves it).
    """
    return cached(f"on-this-day:{today.isoformat()}", lambda: _articles(today))


def _articles(today):
    days = [
        date(year, today.month, today.day)
        for year, _ in archive_overview().years
        if year < today.year and (calendar.isleap(year) or (today.month, today.day) != (2, 29))
    ]
    return list(
        Article.objects.filter(pub_date__in=days)
        .only("title", "slug", "pub_date")
        .order_by("-pub_date", "-pk")[:ON_THIS_DAY_LIMIT]
    )
