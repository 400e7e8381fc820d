"""What the home page shows about the whole archive: it counts over every article, so it is
cached until the archive changes (see ``articles.archive_cache``)."""

from dataclasses import dataclass
from datetime import date

from articles.archive_cache import archive_version, cached
from articles.models import Article, Person, Tag

POPULAR_LIMIT = 24


@dataclass(frozen=True)
class Overview:
    tags: list[Tag]  # the most used, each with ``article_count``
    people: list[Person]  # the most written about, each with ``article_count``
    month_counts: dict[date, int]
    undated: int  # articles without a date
    version: int  # the archive version it was computed at: keys the page's cached fragments

    @property
    def years(self) -> list[tuple[int, int]]:
        """``(year, number of articles)``, the newest year first."""
        years: dict[int, int] = {}
        for month, count in self.month_counts.items():
            years[month.year] = years.get(month.year, 0) + count
        return sorted(years.items(), reverse=True)


def archive_overview() -> Overview:
    return cached("overview:v2", _overview)


def _overview() -> Overview:
    month_counts, undated = Article.objects.month_and_undated_counts()
    return Overview(
        tags=Tag.objects.most_used(POPULAR_LIMIT),
        people=Person.objects.most_used(POPULAR_LIMIT),
        month_counts=month_counts,
        undated=undated,
        version=archive_version(),
    )
