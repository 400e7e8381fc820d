"""URL path converters."""

from articles.dates import EARLIEST_PUB_DATE, LATEST_PUB_DATE


class YearConverter:
    """A four-digit year within the archive's dates (others are no page: 404, never an error)."""

    regex = "[0-9]{4}"

    def to_python(self, value):
        year = int(value)
        if not EARLIEST_PUB_DATE.year <= year <= LATEST_PUB_DATE.year:
            raise ValueError(f"year {year} is outside the archive's dates")
        return year

    def to_url(self, value):
        return f"{int(value):04d}"
