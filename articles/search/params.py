"""The URL parameters of a search, validated: what the page, the API, the feed and links share."""

import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from articles.dates import EARLIEST_PUB_DATE, LATEST_PUB_DATE
from articles.models import SLUG_MAX_LENGTH
from articles.search.query import MAX_QUERY_LENGTH
from articles.text import strip_control_characters

SORTS = ("relevance", "newest", "oldest")
MAX_FILTER_VALUES = 10
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class SearchParams:
    """The validated URL parameters of a search; ``errors`` says what was refused and dropped."""

    q: str = ""
    people: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    date_from: date | None = None
    date_to: date | None = None
    undated: bool = False  # only the articles without a date (``undated=1``)
    sort: str = ""
    page: int = 1
    exact: bool = False  # search the words as typed: no correction, no completion
    errors: list[str] = field(default_factory=list)
    refused: bool = False

    @classmethod
    def from_querydict(cls, data):
        """Validate ``request.GET``; invalid values are dropped with an error."""
        params = cls()
        params.q = data.get("q", "").strip()
        if len(params.q) > MAX_QUERY_LENGTH:
            params.errors.append(
                f"The query is {len(params.q):,} characters long; the limit is "
                f"{MAX_QUERY_LENGTH} characters. Please shorten it."
            )
            params.q, params.refused = params.q[:MAX_QUERY_LENGTH], True
        params.people = params._slugs(data, "person", "person")
        params.tags = params._slugs(data, "tag", "tag")
        params.date_from = params._date(data, "from", "start")
        params.date_to = params._date(data, "to", "end")
        if params.date_from and params.date_to and params.date_from > params.date_to:
            params.errors.append("The start date was after the end date; they were swapped.")
            params.date_from, params.date_to = params.date_to, params.date_from
        params.undated = params._undated(data)
        sort = data.get("sort", "")
        if sort and sort not in SORTS:
            params.errors.append(
                f"“{shown(sort)}” is not a sort order; use relevance, newest or oldest."
            )
        params.sort = sort if sort in SORTS and (params.q or sort != "relevance") else ""
        params.exact = data.get("exact") == "1"
        page = data.get("page", "1")
        if page.isascii() and page.isdigit() and int(page) > 0:
            params.page = int(page) if len(page) < 10 else 10**9
        else:
            params.errors.append(f"“{shown(page)}” is not a page number; showing page 1.")
        return params

    def _slugs(self, data, name, noun):
        values = []
        for value in data.getlist(name):
            value = value.strip()
            if not value or len(value) > SLUG_MAX_LENGTH or not _is_slug(value):
                self.errors.append(f"“{shown(value)}” is not a valid {noun}; it was left out.")
            elif value not in values:
                values.append(value)
        if len(values) > MAX_FILTER_VALUES:
            self.errors.append(f"At most {MAX_FILTER_VALUES} {noun} filters can be combined.")
            values = values[:MAX_FILTER_VALUES]
        return values

    def _date(self, data, name, noun):
        value = data.get(name, "").strip()
        if not value:
            return None
        try:
            if not _DATE_RE.fullmatch(value):
                raise ValueError
            day = date.fromisoformat(value)
        except ValueError:
            self.errors.append(
                f"“{shown(value)}” is not a date; give the {noun} date as YYYY-MM-DD, "
                "e.g. 2017-07-07."
            )
            return None
        if not EARLIEST_PUB_DATE <= day <= LATEST_PUB_DATE:
            self.errors.append(
                f"“{value}” is outside the archive's dates ({EARLIEST_PUB_DATE} to "
                f"{LATEST_PUB_DATE}); it was left out."
            )
            return None
        return day

    def _undated(self, data):
        value = data.get("undated", "").strip()
        if value not in {"", "0", "1"}:
            self.errors.append(f"“{shown(value)}” is not a value for undated; use undated=1.")
            return False
        if value == "1" and (self.date_from or self.date_to):
            self.errors.append(
                "Undated articles have no date: the start and end dates were left out."
            )
            self.date_from = self.date_to = None
        return value == "1"

    @property
    def effective_sort(self):
        """The sort in use: the one asked for, else relevance with a query and oldest without."""
        return self.sort or ("relevance" if self.q else "oldest")

    @property
    def has_filters(self):
        return bool(self.people or self.tags or self.date_from or self.date_to or self.undated)

    def url_params(self, **changes):
        """The parameters as pairs for a link, with ``changes`` applied; page resets to 1."""
        values = {
            "q": self.q,
            "person": self.people,
            "tag": self.tags,
            "from": self.date_from,
            "to": self.date_to,
            "undated": 1 if self.undated else None,
            "sort": self.sort,
            "exact": "1" if self.exact else None,
            "page": None,
        } | changes
        pairs = []
        for key, value in values.items():
            for item in value if isinstance(value, list) else [value]:
                if item and not (key == "page" and item == 1):
                    pairs.append((key, item.isoformat() if isinstance(item, date) else item))
        return pairs

    def query_string(self, **changes):
        """``url_params`` as an encoded query string (without the ``?``)."""
        return urlencode(self.url_params(**changes))


def _is_slug(value):
    return bool(re.fullmatch(r"[-\w]+", value))


def shown(value, limit=40):
    """A user-supplied value cut short for a message."""
    value = strip_control_characters(value)
    return value if len(value) <= limit else value[: limit - 1] + "…"
