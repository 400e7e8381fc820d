"""The URL state of a trends page, validated: what the page, the export and every link share.

``q`` (repeated, at most ``MAX_SERIES``): the series, each a query in the search language;
``person``, ``tag``, ``from``, ``to``: filters every series shares, validated as a search's
(``SearchParams``); ``interval``: ``year`` or ``month`` (default: month when the span is
short); ``scale``: ``count`` for raw counts (default: per 1,000 articles of the period).
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse

from articles.models import Person, Tag
from articles.search.params import SearchParams, shown
from articles.search.query import MAX_QUERY_LENGTH, ParsedQuery, parse_query
from articles.search.running import known_slugs

MAX_SERIES = 5
INTERVALS = ("year", "month")
SCALES = ("per-1000", "count")
DEFAULT_SCALE = "per-1000"
#: A search's parameters that mean nothing here (a search's "compare with…" link has them).
_SEARCH_ONLY = ("sort", "page")
#: The parameters that are not filters.
_NOT_FILTERS = ("q", "add", "interval", "scale", "format", *_SEARCH_ONLY)


@dataclass(frozen=True)
class Series:
    """A valid series: its place among those asked for (from 1), its text, its query."""

    number: int
    text: str
    query: ParsedQuery


@dataclass
class TrendParams:
    """The validated URL state; ``errors`` says what is wrong (those series are left out)."""

    queries: list[str] = field(default_factory=list)  # the series as given, valid or not
    series: list[Series] = field(default_factory=list)
    filters: SearchParams = field(default_factory=SearchParams)
    interval: str = ""  # "" for the default
    scale: str = DEFAULT_SCALE
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_querydict(cls, data):
        filters = data.copy()
        for key in _NOT_FILTERS:
            filters.pop(key, None)
        params = cls(filters=SearchParams.from_querydict(filters))
        params.errors = list(params.filters.errors)
        queries = [text.strip() for text in data.getlist("q")]
        if len(queries) > MAX_SERIES:
            params.errors.append(
                f"At most {MAX_SERIES} series can be compared; the first {MAX_SERIES} of the "
                f"{len(queries)} are shown."
            )
        params.queries = queries[:MAX_SERIES]
        for number, text in enumerate(params.queries, 1):
            problems = _problems(number, text)
            if problems:
                params.errors.extend(problems)
            else:
                params.series.append(Series(number, text, parse_query(text)))
        params.interval = params._choice(data, "interval", INTERVALS, "an interval", "")
        params.scale = params._choice(data, "scale", SCALES, "a scale", DEFAULT_SCALE)
        return params

    def _choice(self, data, name, choices, noun, default):
        value = data.get(name, "")
        if value and value not in choices:
            self.errors.append(f"“{shown(value)}” is not {noun}; use {' or '.join(choices)}.")
        return value if value in choices else default

    def url_params(self, **changes):
        """The state as pairs for a link, with ``changes`` (``q``, filters, ``interval``,
        ``scale``; ``None`` for the default)."""
        queries = changes.pop("q", self.queries)
        interval = changes.pop("interval", self.interval)
        scale = changes.pop("scale", self.scale)
        pairs = [("q", text) for text in queries]
        pairs += self.filters.url_params(q=None, sort=None, **changes)
        if interval:
            pairs.append(("interval", interval))
        if scale and scale != DEFAULT_SCALE:
            pairs.append(("scale", scale))
        return pairs

    def query_string(self, **changes):
        return urlencode(self.url_params(**changes))


def trends_url(params, **changes):
    """The trends page for ``params`` with ``changes`` (see ``TrendParams.url_params``)."""
    query_string = params.query_string(**changes)
    return reverse("trends:page") + (f"?{query_string}" if query_string else "")


def _problems(number, text):
    """What makes the series ``text`` unusable, as messages (none when it is fine)."""
    name = f"Series {number}"
    if not text:
        return [f"{name} is empty: type a query in its box, or remove it."]
    if len(text) > MAX_QUERY_LENGTH:
        return [f"{name} is {len(text):,} characters long; the limit is {MAX_QUERY_LENGTH}."]
    query = parse_query(text)
    messages = [f"{name} (“{shown(text)}”): {message}" for message in query.messages]
    if not query and not messages:
        messages.append(f"{name} (“{shown(text)}”) has nothing to search for.")
    return messages


def canonical_query_string(data):
    """The query string the page should be at, or ``None`` when ``data`` is already there.

    A query typed in the "compare with…" box (``add``) joins the series; empty fields of the
    form and a search's ``sort`` and ``page`` go. Filters without any series (what a
    person's, a tag's or a filtered search's "compare with…" link gives) become the one
    series, in the search language: ``person=slug`` is ``q=person:"Vladimir V. Putin"``, so
    that further series compare with it rather than being narrowed by it.
    """
    given = [(key, value) for key, values in data.lists() for value in values]
    queries = data.getlist("q")
    state = data.copy()
    added = state.pop("add", [""])[-1].strip()
    for key in _SEARCH_ONLY:
        state.pop(key, None)
    if not queries and (series := _filters_as_series(state)):
        queries.append(series)
    if added:
        queries.append(added)
    pairs = [("q", text) for text in queries] + [
        (key, value) for key, values in state.lists() if key != "q" for value in values if value
    ]
    return None if sorted(pairs) == sorted(given) else urlencode(pairs)


def _filters_as_series(state):
    """The ``person`` and ``tag`` filters of ``state`` that exist, as one query of the search
    language (``person:"Name" tag:"Name"``), taken out of ``state``."""
    clauses = []
    for model, name in ((Person, "person"), (Tag, "tag")):
        slugs = state.getlist(name)
        found = known_slugs(model, slugs, name, [])
        clauses += [subject_clause(name, label) for label in found.values()]
        state.setlist(name, [slug for slug in slugs if slug not in found])
    return " ".join(clauses)


def subject_clause(field, name):
    """The search-language clause for a person's or a tag's articles: ``person:"Name"``."""
    unquoted = name.replace('"', " ")
    return f'{field}:"{unquoted}"'
