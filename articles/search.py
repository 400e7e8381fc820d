"""Searching the archive: the query language, the search parameters, and running a search.

The query language (documented for readers on ``/search/help/``)::

    budget tax          both words (stemmed, case- and accent-insensitive)
    "health care"       the exact phrase
    -trump              articles without the word
    tax OR budget       either word
    presid*             words beginning with "presid"
    title:budget        the word in the title; also person: and tag:
    person:"Vladimir Putin"  a phrase in a field

``parse_query`` turns the text into a ``ParsedQuery`` (never raising: bad syntax
gives messages and a best-effort query), whose ``to_sq`` builds backend-neutral
haystack ``SQ`` objects.  ``SearchParams.from_querydict`` validates the URL
parameters and ``run_search`` runs one search with its facets, highlights,
person ranking and spelling suggestion.
"""

import calendar
import operator
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import reduce
from html import unescape
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from haystack.inputs import Clean, Exact
from haystack.query import SQ, SearchQuerySet

from articles.models import SLUG_MAX_LENGTH, Person, Tag

MAX_QUERY_LENGTH = 500
MAX_CLAUSES = 30
MIN_PREFIX_LENGTH = 2

#: Field prefixes of the query language -> index fields.
QUERY_FIELDS = {"title": "title", "person": "person_names", "tag": "tag_names"}

_FIELD_RE = re.compile(r"(title|person|tag):", re.IGNORECASE)
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"'})
# Punctuation a word may not start or end with (inner punctuation such as U.S. or AT&T stays).
_EDGE_PUNCTUATION = "()[]{}<>,;:!?'’‘`~^=+|\\/@#$&"


def fold(text):
    """``text`` lower-cased and without accents, for comparing words."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def strip_control_characters(text):
    """``text`` with control and format characters replaced by spaces (tabs, newlines too)."""
    return "".join(" " if unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp"} else c for c in text)


@dataclass(frozen=True)
class Clause:
    """One searchable thing: a word or a phrase, perhaps in a field, a prefix, or excluded."""

    value: str
    field: str | None = None
    phrase: bool = False
    prefix: bool = False
    negated: bool = False

    def __str__(self):
        text = f'"{self.value}"' if self.phrase else self.value + ("*" if self.prefix else "")
        return ("-" if self.negated else "") + (f"{self.field}:" if self.field else "") + text

    def to_sq(self):
        """The backend-neutral ``SQ`` for this clause (negated if it is excluded)."""
        index_field = QUERY_FIELDS.get(self.field, "content")
        if self.phrase:
            sq = SQ(**{index_field: Exact(self.value, clean=True)})
        elif self.prefix:
            sq = SQ(**{f"{index_field}__startswith": fold(self.value)})
        else:
            sq = SQ(**{index_field: Clean(self.value)})
        return ~sq if self.negated else sq


@dataclass
class ParsedQuery:
    """A query as clauses: every group must match; a group matches if one of its clauses does."""

    groups: list[tuple[Clause, ...]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    def __bool__(self):
        return bool(self.groups)

    def __str__(self):
        return " ".join(" OR ".join(map(str, group)) for group in self.groups)

    @property
    def clauses(self):
        return [clause for group in self.groups for clause in group]

    @property
    def positive_words(self):
        """The words the reader is looking for (not excluded), in order, e.g. for names."""
        return [
            word
            for clause in self.clauses
            if not clause.negated and clause.field in {None, "person"}
            for word in clause.value.split()
        ]

    def to_sq(self):
        """The query as one ``SQ``, or ``None`` when nothing is left to search for."""
        combined = None
        for group in self.groups:
            group_sq = group[0].to_sq()
            for clause in group[1:]:
                group_sq |= clause.to_sq()
            combined = group_sq if combined is None else combined & group_sq
        return combined

    def with_words_replaced(self, replacements):
        """A copy of the query text with plain words replaced (``{word: new}``), for suggestions."""
        groups = [
            tuple(
                Clause(replacements.get(c.value, c.value), c.field, c.phrase, c.prefix, c.negated)
                if not (c.phrase or c.prefix)
                else c
                for c in group
            )
            for group in self.groups
        ]
        return str(ParsedQuery(groups))


_OR = object()


def parse_query(text):
    """Parse the query language; never raises: problems become messages and are skipped."""
    messages = []
    cleaned = strip_control_characters(text)
    if cleaned != text:
        messages.append("Control characters in the query were removed.")
    cleaned = cleaned.translate(_QUOTES)
    items = _lex(cleaned, messages)
    groups = _group(items, messages)
    if len(groups) > MAX_CLAUSES:
        messages.append(
            f"Only the first {MAX_CLAUSES} words or phrases of the query were searched for."
        )
        groups = groups[:MAX_CLAUSES]
    return ParsedQuery(groups, messages)


def _lex(text, messages):
    """``text`` as a list of ``Clause`` objects and ``_OR`` markers."""
    items = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        negated = text[i] == "-"
        i += negated
        prefix_field = None
        if match := _FIELD_RE.match(text, i):
            prefix_field, i = match.group(1).lower(), match.end()
        if i < n and text[i] == '"':
            end = text.find('"', i + 1)
            if end != -1:
                phrase = " ".join(filter(None, map(_clean_word, text[i + 1 : end].split())))
                i = end + 1
                clause = (
                    Clause(phrase, prefix_field, phrase=" " in phrase, negated=negated)
                    if phrase
                    else _word_clause("", prefix_field, negated, messages)
                )
                items.extend([clause] if clause else [])
                continue
            messages.append(
                "A quotation mark was not closed, so the words after it were searched "
                'for one by one. Put a phrase between two quotation marks: "health care".'
            )
            i += 1
        end = i
        while end < n and not text[end].isspace() and text[end] != '"':
            end += 1
        raw, i = text[i:end], end
        if raw == "OR" and not (negated or prefix_field):
            items.append(_OR)
        elif clause := _word_clause(raw, prefix_field, negated, messages):
            items.append(clause)
    return items


def _clean_word(raw):
    """``raw`` without stray ``*`` and edge punctuation."""
    return raw.replace("*", "").strip(_EDGE_PUNCTUATION + "-")


def _word_clause(raw, prefix_field, negated, messages):
    """The clause for one word (or ``None`` with a message when there is nothing to search)."""
    prefix = raw.endswith("*")
    word = _clean_word(raw)
    if not word:
        if prefix_field:
            messages.append(
                f"“{prefix_field}:” must be followed by a word or a phrase, e.g. "
                f"{prefix_field}:{'budget' if prefix_field != 'person' else 'putin'} or "
                f'{prefix_field}:"two words"; it was left out.'
            )
        elif negated:
            messages.append(
                "A minus sign excludes the word right after it, e.g. -budget; "
                "the lone “-” was left out."
            )
        elif "*" in raw:
            messages.append(
                "A * goes at the end of the beginning of a word, e.g. presid*; "
                "the lone “*” was left out."
            )
        return None
    if prefix and len(word) < MIN_PREFIX_LENGTH:
        messages.append(
            f"A prefix search needs at least {MIN_PREFIX_LENGTH} letters before the *; "
            f"“{raw}” was searched for as a word."
        )
        prefix = False
    return Clause(word, prefix_field, prefix=prefix, negated=negated)


def _group(items, messages):
    """Join clauses around ``OR`` markers into groups; a misplaced ``OR`` is left out."""
    groups = []
    pending_or = False
    misplaced = False
    for item in items:
        if item is _OR:
            if not groups or pending_or:
                misplaced = True
            pending_or = True
            continue
        if pending_or and groups:
            groups[-1] = (*groups[-1], item)
        else:
            groups.append((item,))
        pending_or = False
    if pending_or or misplaced:
        messages.append(
            "OR goes between two words or phrases, e.g. tax OR budget; a misplaced OR was left out."
        )
    return groups


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
    sort: str = ""
    page: int = 1
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
        sort = data.get("sort", "")
        if sort and sort not in SORTS:
            params.errors.append(
                f"“{_shown(sort)}” is not a sort order; use relevance, newest or oldest."
            )
        params.sort = sort if sort in SORTS and (params.q or sort != "relevance") else ""
        page = data.get("page", "1")
        if page.isascii() and page.isdigit() and int(page) > 0:
            params.page = int(page) if len(page) < 10 else 10**9
        else:
            params.errors.append(f"“{_shown(page)}” is not a page number; showing page 1.")
        return params

    def _slugs(self, data, name, noun):
        values = []
        for value in data.getlist(name):
            value = value.strip()
            if not value or len(value) > SLUG_MAX_LENGTH or not _is_slug(value):
                self.errors.append(f"“{_shown(value)}” is not a valid {noun}; it was left out.")
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
            return date.fromisoformat(value)
        except ValueError:
            self.errors.append(
                f"“{_shown(value)}” is not a date; give the {noun} date as YYYY-MM-DD, "
                "e.g. 2017-07-07."
            )
            return None

    @property
    def effective_sort(self):
        """The sort in use: the one asked for, else relevance with a query and oldest without."""
        return self.sort or ("relevance" if self.q else "oldest")

    @property
    def has_filters(self):
        return bool(self.people or self.tags or self.date_from or self.date_to)

    def url_params(self, **changes):
        """The parameters as pairs for a link, with ``changes`` applied; page resets to 1."""
        values = {
            "q": self.q,
            "person": self.people,
            "tag": self.tags,
            "from": self.date_from,
            "to": self.date_to,
            "sort": self.sort,
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


def _shown(value, limit=40):
    """A user-supplied value cut short for a message."""
    value = strip_control_characters(value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


# Running a search ----------------------------------------------------------------------------

FACET_LIMIT = 12
FACET_FIELDS = ("people", "tags", "year", "month")
MAX_NAME_WORDS = 6
MAX_NAME_CANDIDATES = 50
MAX_LISTED_YEARS = 30
#: Results a person's articles are ranked first within (deeper pages are by relevance only:
#: ranking reads every result above the page).
MAX_RANKED_RESULTS = 1000
SUGGEST_BELOW = 3
MAX_OFFERED_PEOPLE = 3
_MARK_RE = re.compile(r"(</?mark>)")


@dataclass(frozen=True)
class Link:
    """Something the reader can click to change the search: a facet, a chip, a sort..."""

    label: str
    url: str
    count: int | None = None
    slug: str = ""
    selected: bool = False


@dataclass(frozen=True)
class Card:
    """One result as the page and the API show it, built from the index's stored fields."""

    title: str
    permalink: str
    url: str
    pub_date: date | None
    people: list[Link]
    tags: list[Link]
    snippet: str  # safe HTML: escaped text with <mark> around the matched terms

    @property
    def pub_datetime(self):
        """The date as an aware datetime (midnight), for feeds; ``None`` when undated."""
        if self.pub_date is None:
            return None
        return datetime.combine(self.pub_date, time.min, tzinfo=timezone.get_default_timezone())

    def as_json(self, absolute):
        return {
            "title": self.title,
            "url": self.url,
            "permalink": absolute(self.permalink),
            "pub_date": self.pub_date.isoformat() if self.pub_date else None,
            "people": [link.label for link in self.people],
            "tags": [link.label for link in self.tags],
            "snippet": str(self.snippet),
        }


@dataclass
class SearchOutcome:
    """Everything the page, the API and the feed show of one search."""

    params: SearchParams
    query: ParsedQuery
    messages: list[str]
    errors: list[str]
    count: int = 0
    page: int = 1
    num_pages: int = 1
    results: list[Card] = field(default_factory=list)
    facets: dict[str, list[Link]] = field(default_factory=dict)
    month_counts: dict[date, int] = field(default_factory=dict)
    chips: list[Link] = field(default_factory=list)
    offered_people: list[Link] = field(default_factory=list)
    suggestion: Link | None = None

    @property
    def sort_options(self):
        """(value, label, selected) for the sort menu.

        The default's value is empty, so that the form sends no sort unless the reader chose
        one (and a query typed on a page without one gets relevance).
        """
        q = self.params.q
        default, label = ("relevance", "Best match") if q else ("oldest", "Oldest first")
        options = [("", label), ("newest", "Newest first")]
        if q:
            options.append(("oldest", "Oldest first"))
        chosen = "" if self.params.effective_sort == default else self.params.effective_sort
        return [(value, label, value == chosen) for value, label in options]

    @property
    def timeline_url(self):
        """``url_for_range`` for ``articles.timeline.build_timeline``: a bar narrows the dates."""
        return lambda first, last: _url(self.params, **{"from": first, "to": last})

    @property
    def description(self):
        """The search in words, e.g. for a feed's title."""
        parts = [f"“{self.query}”"] if self.query else ["all articles"]
        parts += [chip.label for chip in self.chips]
        return "search for " + ", ".join(parts) if self.query else ", ".join(parts)

    def as_json(self, absolute):
        """The API's answer; ``absolute`` turns a path into a full URL."""
        return {
            "query": str(self.query),
            "count": self.count,
            "page": self.page,
            "num_pages": self.num_pages,
            "results": [card.as_json(absolute) for card in self.results],
            "facets": {
                name: [{"name": ln.label, "slug": ln.slug, "count": ln.count} for ln in links]
                for name, links in self.facets.items()
            },
            "suggestion": self.suggestion.label if self.suggestion else None,
            "people_named": [{"name": ln.label, "slug": ln.slug} for ln in self.offered_people],
            "messages": self.messages,
        }


def run_search(params, per_page=settings.ARTICLES_PER_PAGE, strict=False):
    """Run the search ``params`` describe: one page of cards, facets, suggestions, messages.

    Unknown person or tag slugs are errors: left out of the search, or with ``strict`` the
    search is not run.  The database is asked a constant number of questions (the names of
    the people and tags in the filters and facets, and the people the query names); the cards
    come from the index.
    """
    query = parse_query(params.q)
    outcome = SearchOutcome(params, query, [*params.errors, *query.messages], [*params.errors])
    if params.refused:
        return outcome
    people = _known(Person, params.people, "person", outcome.errors)
    tags = _known(Tag, params.tags, "tag", outcome.errors)
    outcome.messages += outcome.errors[len(params.errors) :]
    params.people, params.tags = list(people), list(tags)
    if strict and outcome.errors:
        return outcome
    named = people_named(query.positive_words) if query else []
    named = [person for person in named if person.slug not in people]
    first_slug = named[0].slug if named and params.effective_sort == "relevance" else None

    page, cards, count, facets, suggested = _search_page(
        query, params, first_slug, per_page, outcome.messages
    )
    outcome.count, outcome.page = count, page
    outcome.num_pages = max(1, -(-count // per_page))
    person_url, tag_url = _slug_url("articles:person_detail"), _slug_url("articles:tag_detail")
    outcome.results = [_card(result, person_url, tag_url) for result in cards]

    facet_names = {
        "people": people | _names(Person, _facet_values(facets, "people"), people),
        "tags": tags | _names(Tag, _facet_values(facets, "tags"), tags),
    }
    outcome.facets = _facet_links(params, facets, facet_names)
    outcome.month_counts = _month_counts(facets)
    outcome.chips = _chips(params, facet_names)
    outcome.offered_people = [
        Link(
            person.name,
            _url(params, person=[*params.people, person.slug]),
            slug=person.slug,
            count=person.article_count,
        )
        for person in named[:MAX_OFFERED_PEOPLE]
    ]
    if count < SUGGEST_BELOW and suggested:
        outcome.suggestion = _suggestion(params, query, suggested)
    return outcome


def _search_page(query, params, first_slug, per_page, messages):
    """(page number, results, count, facets, suggestion) for the page asked for, or the last.

    With ``first_slug``, the articles about that person come first (within the first
    ``MAX_RANKED_RESULTS``).
    """
    sqs = search_queryset(query, params)
    unfaceted = search_queryset(query, params, facets=False)

    def fetch(page):
        start = (page - 1) * per_page
        if first_slug and start + per_page <= MAX_RANKED_RESULTS:
            return _fetch_person_first(sqs, unfaceted, first_slug, start, per_page)
        return _fetch(sqs, start, per_page)

    page = params.page
    results, count, facets, suggested = fetch(page)
    last = max(1, -(-count // per_page))
    if page > last:
        messages.append(
            f"There {'is' if last == 1 else 'are'} only {last} page{'' if last == 1 else 's'} "
            "of results; this is the last one."
        )
        page = last
        results, count, facets, suggested = fetch(page)
    return page, results, count, facets, suggested


def people_named(words):
    """People the ``words`` name (by surname, e.g. "Putin"), best match first, with counts.

    Among people sharing a surname, those with more of their given names among the words come
    first, then those with more articles.  One database query.
    """
    folded = {fold(word).strip(".") for word in words}
    folded = {word for word in folded if len(word) >= 2}
    if not folded or len(folded) > MAX_NAME_WORDS:
        return []
    starts = Q()
    for word in folded:
        starts |= Q(sort_name__istartswith=word)
    candidates = (
        Person.objects.filter(starts)
        .with_article_counts()
        .filter(article_count__gt=0)
        .order_by("-article_count")[:MAX_NAME_CANDIDATES]
    )
    ranked = []
    for person in candidates:
        surname, _, given = person.sort_name.partition(",")
        surname_words = set(fold(surname).split())
        if surname_words <= folded:
            given_words = {w.strip(".") for w in fold(given).split()}
            ranked.append((-len(given_words & folded), -person.article_count, person))
    return [person for *_, person in sorted(ranked, key=lambda item: item[:2])]


def search_queryset(query, params, facets=True):
    """The haystack ``SearchQuerySet`` for the query and filters, with highlights (and facets)."""
    sqs = SearchQuerySet().highlight()
    if query:
        sqs = sqs.filter(query.to_sq())
        sqs = sqs.set_spelling_query(" ".join(_spellable_words(query)))
    for slug in params.people:
        sqs = sqs.filter(people__in=[slug])
    for slug in params.tags:
        sqs = sqs.filter(tags__in=[slug])
    if params.date_from or params.date_to:
        sqs = sqs.filter(date_range_sq(params.date_from, params.date_to))
    for facet in FACET_FIELDS if facets else ():
        sqs = sqs.facet(facet)
    order = {"newest": "-pub_date", "oldest": "pub_date"}.get(params.effective_sort)
    return sqs.order_by(order) if order else sqs


def date_range_sq(first, last):
    """``first <= pub_date <= last`` (either may be ``None``) as an ``SQ`` of few index terms.

    Whole years become ``year`` values (a range when there are many), whole months ``month``
    values, and only the odd days at either end a ``pub_date`` range: a range over many dates
    is slow in Whoosh, and the timeline and the year facet always ask for whole months and
    years.
    """
    first, last = first or date.min, last or date.max
    parts, months = [], []
    day = first
    while day <= last:
        month_end = day.replace(day=calendar.monthrange(day.year, day.month)[1])
        if day.month == day.day == 1 and date(day.year, 12, 31) <= last:
            last_year = last.year if (last.month, last.day) == (12, 31) else last.year - 1
            years = range(day.year, last_year + 1)
            parts.append(
                SQ(year__in=list(years))
                if len(years) <= MAX_LISTED_YEARS
                else SQ(year__gte=day.year) & SQ(year__lte=last_year)
            )
            end = date(last_year, 12, 31)
        elif day.day == 1 and month_end <= last:
            months.append(f"{day:%Y-%m}")
            end = month_end
        else:
            end = min(month_end, last)
            parts.append(SQ(pub_date__gte=day) & SQ(pub_date__lte=end))
        if end == date.max:
            break
        day = end + timedelta(days=1)
    if months:
        parts.append(SQ(month__in=months))
    return reduce(operator.or_, parts)


def _fetch(sqs, start, size):
    """(results, total, facet counts, spelling suggestion) for one page of ``sqs``: one search."""
    results = list(sqs[start : start + size])
    return results, sqs.count(), sqs.facet_counts().get("fields", {}), sqs.spelling_suggestion()


def _fetch_person_first(sqs, unfaceted, slug, start, size):
    """Like ``_fetch``, with the articles about the person ``slug`` first.

    Those come from ``unfaceted`` (the same search without facets) narrowed to the person; the
    others keep their relevance order, read from the top ``start + size`` results of ``sqs``,
    which also gives the count and the facets: two searches.
    """
    about = unfaceted.filter(people__in=[slug])
    head = list(about[start : start + size])
    n_about, need = about.count(), size - len(head)
    ranked = list(sqs[0 : start + size if need else 1])
    others = [result for result in ranked if slug not in (result.people or [])]
    rest_start = max(0, start - n_about)
    results = head + others[rest_start : rest_start + need]
    return results, sqs.count(), sqs.facet_counts().get("fields", {}), sqs.spelling_suggestion()


def _known(model, slugs, noun, messages):
    """``{slug: name}`` for the ``slugs`` that exist (in their order); a message for the rest."""
    found = _names(model, slugs)
    for slug in slugs:
        if slug not in found:
            messages.append(f"There is no {noun} “{_shown(slug)}” in the archive; left out.")
    return {slug: found[slug] for slug in slugs if slug in found}


def _names(model, slugs, known=()):
    """``{slug: name}`` of the ``model`` rows with these slugs, not asking about ``known`` ones."""
    wanted = [slug for slug in slugs if slug not in known]
    if not wanted:
        return {}
    return dict(model.objects.filter(slug__in=wanted).values_list("slug", "name"))


def _facet_values(facets, name):
    return [value for value, _ in _top(facets.get(name, []))]


def _top(values):
    """The ``FACET_LIMIT`` most frequent (value, count) pairs with a count."""
    return sorted((item for item in values if item[1]), key=lambda item: (-item[1], item[0]))[
        :FACET_LIMIT
    ]


def _url(params, **changes):
    query_string = params.query_string(**changes)
    return reverse("search") + (f"?{query_string}" if query_string else "")


def _toggle(values, value):
    return [v for v in values if v != value] if value in values else [*values, value]


def _facet_links(params, facets, names):
    """People, tags and years to narrow by (or, when selected, to remove), with counts."""
    links = {}
    for facet, param, selected in (
        ("people", "person", params.people),
        ("tags", "tag", params.tags),
    ):
        links[facet] = [
            Link(
                names[facet][slug],
                _url(params, **{param: _toggle(selected, slug)}),
                count=count,
                slug=slug,
                selected=slug in selected,
            )
            for slug, count in _top(facets.get(facet, []))
            if slug in names[facet]
        ]
    years = sorted((int(year), count) for year, count in facets.get("year", []) if count)
    links["years"] = []
    for year, count in years:
        first, last = date(year, 1, 1), date(year, 12, 31)
        selected = (params.date_from, params.date_to) == (first, last)
        links["years"].append(
            Link(
                str(year),
                _url(
                    params,
                    **({"from": None, "to": None} if selected else {"from": first, "to": last}),
                ),
                count=count,
                slug=str(year),
                selected=selected,
            )
        )
    return links


def _month_counts(facets):
    """``{first day of the month: count}`` from the month facet ("YYYY-MM" values)."""
    counts = {}
    for value, count in facets.get("month", []):
        year, _, month = str(value).partition("-")
        if count and year.isdigit() and month.isdigit():
            counts[date(int(year), int(month), 1)] = count
    return counts


def _chips(params, names):
    """The active filters, each a link that removes it."""
    chips = [
        Link(f"Person: {names['people'][slug]}", _url(params, person=_toggle(params.people, slug)))
        for slug in params.people
    ]
    chips += [
        Link(f"Tag: {names['tags'][slug]}", _url(params, tag=_toggle(params.tags, slug)))
        for slug in params.tags
    ]
    if params.date_from:
        chips.append(Link(f"From {params.date_from:%B %-d, %Y}", _url(params, **{"from": None})))
    if params.date_to:
        chips.append(Link(f"To {params.date_to:%B %-d, %Y}", _url(params, to=None)))
    return chips


def _card(result, person_url, tag_url):
    """A ``Card`` from a haystack ``SearchResult``'s stored fields (no database query)."""
    people = zip(result.people or [], result.person_names or [], strict=False)
    tags = zip(result.tags or [], result.tag_names or [], strict=False)
    highlighted = result.highlighted
    if isinstance(highlighted, dict):
        highlighted = highlighted.get("text")
    snippet = safe_snippet(highlighted[0]) if highlighted else ""
    return Card(
        title=result.title,
        permalink=result.permalink,
        url=result.url,
        pub_date=result.pub_date,
        people=[Link(name, person_url(slug), slug=slug) for slug, name in people],
        tags=[Link(name, tag_url(slug), slug=slug) for slug, name in tags],
        snippet=snippet,
    )


def _slug_url(name):
    """``reverse(name, args=[slug])`` for many slugs at the cost of one ``reverse``."""
    placeholder = "slug-placeholder"
    path = reverse(name, args=[placeholder])
    return lambda slug: path.replace(placeholder, quote(slug))


def safe_snippet(highlighted):
    """The backend's highlighted text as safe HTML: only ``<mark>`` is kept, the rest escaped."""
    parts = _MARK_RE.split(highlighted)
    return mark_safe(
        "".join(part if part in {"<mark>", "</mark>"} else escape(unescape(part)) for part in parts)
    )


def _spellable_words(query):
    """The plain words of the query (not phrases, prefixes, fields or excluded words)."""
    return [
        clause.value
        for clause in query.clauses
        if not (clause.phrase or clause.prefix or clause.negated or clause.field)
    ]


def _suggestion(params, query, suggested):
    """A "did you mean" link from the backend's suggestion for the plain words, else ``None``."""
    words = _spellable_words(query)
    better = suggested.split()
    if len(better) != len(words):
        return None
    replacements = {w: b for w, b in zip(words, better, strict=True) if fold(w) != fold(b)}
    if not replacements:
        return None
    text = query.with_words_replaced(replacements)
    return Link(text, _url(params, q=text))


AUTOCOMPLETE_MIN_CHARS = 2
AUTOCOMPLETE_MAX_CHARS = 100
AUTOCOMPLETE_EACH = 4


def autocomplete(text):
    """Suggestions for what is being typed in the box: people, tags, then article titles.

    Each is ``{"label", "kind", "url"}``; people and tags narrow a search, titles open the
    article.  Two database queries and one search.
    """
    text = " ".join(strip_control_characters(text).split())[:AUTOCOMPLETE_MAX_CHARS]
    if len(text) < AUTOCOMPLETE_MIN_CHARS:
        return []
    named = Q(name__istartswith=text) | Q(name__icontains=f" {text}")
    suggestions = []
    for model, kind, param in ((Person, "person", "person"), (Tag, "tag", "tag")):
        rows = (
            model.objects.filter(named)
            .with_article_counts()
            .filter(article_count__gt=0)
            .order_by("-article_count", "name")
            .values_list("name", "slug", "article_count")[:AUTOCOMPLETE_EACH]
        )
        suggestions += [
            {
                "label": name,
                "kind": kind,
                "url": f"{reverse('search')}?{urlencode({param: slug})}",
                "count": count,
            }
            for name, slug, count in rows
        ]
    titles = SearchQuerySet().autocomplete(autocomplete=text)
    suggestions += [
        {"label": result.title, "kind": "article", "url": result.permalink}
        for result in titles[:AUTOCOMPLETE_EACH]
    ]
    return suggestions
