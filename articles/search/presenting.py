"""Presenting a search: links that change it, result cards, facets, chips and suggestions.

Everything here is built from the validated ``SearchParams`` and what the index returned;
nothing asks the database.
"""

import dataclasses
import heapq
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from html import unescape
from urllib.parse import urlencode

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from articles.links import reverse_kept, reverser
from articles.search.params import SearchParams
from articles.search.query import ParsedQuery
from articles.titles import display_title, highlighted_title

#: Facet values shown at once, and listed in all: the rest behind a "more" disclosure (30, as
#: Datasette's facets: every value listed is named, linked and rendered on each search page).
FACET_LIMIT = 12
FACET_MORE_LIMIT = 30
_MARK_RE = re.compile(r"(</?mark>)")


class Name(str):
    """A person's or tag's name that also carries its ``description`` (for facets and the API)."""

    description = ""

    def __new__(cls, name, description=""):
        named = super().__new__(cls, name)
        named.description = description or ""
        return named


@dataclass(frozen=True)
class Link:
    """Something the reader can click to change the search: a facet, a chip, a sort..."""

    label: str
    url: str
    count: int | None = None
    slug: str = ""
    selected: bool = False
    description: str = ""  # what the person or tag is, from the editors (plain text)


@dataclass(frozen=True)
class Version:
    """Another version of a result's story (``articles.versions``)."""

    title: str
    url: str  # the source URL (line 1 of its file)
    permalink: str

    @property
    def display_title(self):
        return display_title(self.title)

    def as_json(self, absolute):
        return {"title": self.title, "url": self.url, "permalink": absolute(self.permalink)}


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
    versions: list[Version] = field(default_factory=list)  # the story's other versions
    pk: int | None = None  # the article's id
    title_html: str = ""  # safe HTML: the display title, the matched words in <mark>
    publication: str = ""

    @property
    def display_title(self):
        return display_title(self.title)

    @property
    def pub_datetime(self):
        """The date as an aware datetime (midnight), for feeds; ``None`` when undated."""
        if self.pub_date is None:
            return None
        return datetime.combine(self.pub_date, time.min, tzinfo=timezone.get_default_timezone())

    def as_json(self, absolute):
        return {
            "title": self.title,
            "publication": self.publication,
            "url": self.url,
            "permalink": absolute(self.permalink),
            "pub_date": self.pub_date.isoformat() if self.pub_date else None,
            "people": [link.label for link in self.people],
            "tags": [link.label for link in self.tags],
            "snippet": str(self.snippet),
            "duplicates": [version.as_json(absolute) for version in self.versions],
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
    undated_count: int = 0  # matches without a date (listed after the dated ones)
    chips: list[Link] = field(default_factory=list)
    offered_people: list[Link] = field(default_factory=list)
    suggestion: Link | None = None  # "did you mean", for a search that found little
    corrected_link: Link | None = None  # what was searched for instead of a query that found
    original_link: Link | None = None  # nothing, and the link to search as typed after all
    relaxations: list[Link] = field(default_factory=list)  # for a search that finds nothing

    @property
    def searched_text(self):
        """What was searched for: the query as typed, or as corrected."""
        return self.corrected_link.label if self.corrected_link else self.params.q

    @property
    def has_versions(self):
        return any(card.versions for card in self.results)

    @property
    def facet_lists(self):
        """``(id, heading, shown, more)`` for each facet with values: its links (up to
        ``FACET_MORE_LIMIT``, the most frequent first), the first ``FACET_LIMIT`` in view and
        the others in a "more" disclosure."""
        return [
            (f"facet-{name}", heading, links[:FACET_LIMIT], links[FACET_LIMIT:])
            for name, heading in (("people", "People"), ("tags", "Tags"), ("years", "Years"))
            if (links := self.facets.get(name))
        ]

    @property
    def active_filter_count(self):
        return len(self.chips)

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
        return lambda first, last: search_url(
            self.params, **{"from": first, "to": last, "undated": None}
        )

    @property
    def undated_url(self):
        """Only the undated matches (the "Undated" bar and facet value)."""
        return search_url(self.params, **{"from": None, "to": None, "undated": 1})

    @property
    def undated_placement(self):
        """Where the undated matches are in this order, for the page to say; or ``""``."""
        if not self.undated_count or self.params.undated or self.count == self.undated_count:
            return ""
        if self.params.effective_sort not in {"newest", "oldest"}:
            return ""  # by relevance, the undated are where their relevance puts them
        n = self.undated_count
        return (
            f"the {n:,} undated article{'' if n == 1 else 's'} "
            f"{'comes' if n == 1 else 'come'} after the dated ones"
        )

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
                name: [
                    {
                        "name": ln.label,
                        "slug": ln.slug,
                        "count": ln.count,
                        "description": ln.description,
                    }
                    for ln in links
                ]
                for name, links in self.facets.items()
            },
            "suggestion": self.suggestion.label if self.suggestion else None,
            "corrected_query": self.corrected_link.label if self.corrected_link else None,
            "original_query": self.original_link.label if self.original_link else None,
            "try_instead": [
                {"label": ln.label, "url": absolute(ln.url), "count": ln.count}
                for ln in self.relaxations
            ],
            "people_named": [{"name": ln.label, "slug": ln.slug} for ln in self.offered_people],
            "messages": self.messages,
        }


def facet_values(facets, name):
    """The values of the facet ``name`` that are shown (the most frequent)."""
    return [value for value, _ in _top(facets.get(name, []))]


def _top(values):
    """The ``FACET_MORE_LIMIT`` most frequent (value, count) pairs with a count."""
    return heapq.nsmallest(
        FACET_MORE_LIMIT, (item for item in values if item[1]), key=lambda item: (-item[1], item[0])
    )


def search_url(params, **changes):
    """The search page for ``params`` with ``changes`` (see ``SearchParams.url_params``)."""
    return _search_page(params.query_string(**changes))


def _search_page(query_string, page=None):
    """The search page's URL (``page``, if already made) with ``query_string``."""
    return (page or reverse_kept("search:page")) + (f"?{query_string}" if query_string else "")


def _toggle(values, value):
    return [v for v in values if v != value] if value in values else [*values, value]


def toggle_urls(params, param, selected, values):
    """``search_url(params, **{param: _toggle(selected, value)})`` for each of ``values``: the
    unchanged parameters are encoded once (a facet lists up to ``FACET_MORE_LIMIT`` values)."""
    placeholder = object()
    pairs = params.url_params(**{param: [placeholder]})
    at = next(i for i, (key, value) in enumerate(pairs) if value is placeholder)
    before, after = urlencode(pairs[:at]), urlencode(pairs[at + 1 :])
    page = reverse_kept("search:page")
    for value in values:
        toggled = urlencode([(param, v) for v in _toggle(selected, value)])
        yield _search_page("&".join(part for part in (before, toggled, after) if part), page)


def facet_links(params, facets, names, undated=0):
    """People, tags and years to narrow by (or, when selected, to remove), with counts; the
    years end with "Undated" (slug ``undated``) when ``undated`` matches have no date."""
    links = {}
    for facet, param, selected in (
        ("people", "person", params.people),
        ("tags", "tag", params.tags),
    ):
        shown = [
            (slug, count) for slug, count in _top(facets.get(facet, [])) if slug in names[facet]
        ]
        urls = toggle_urls(params, param, selected, [slug for slug, _ in shown])
        links[facet] = [
            Link(
                names[facet][slug],
                url,
                count=count,
                slug=slug,
                selected=slug in selected,
                description=getattr(names[facet][slug], "description", ""),
            )
            for (slug, count), url in zip(shown, urls, strict=True)
        ]
    years = sorted((int(year), count) for year, count in facets.get("year", []) if count)
    links["years"] = []
    for year, count in years:
        first, last = date(year, 1, 1), date(year, 12, 31)
        selected = (params.date_from, params.date_to) == (first, last)
        links["years"].append(
            Link(
                str(year),
                search_url(
                    params,
                    **(
                        {"from": None, "to": None}
                        if selected
                        else {"from": first, "to": last, "undated": None}
                    ),
                ),
                count=count,
                slug=str(year),
                selected=selected,
            )
        )
    if undated:
        links["years"].append(
            Link(
                "Undated",
                search_url(
                    params,
                    **(
                        {"undated": None}
                        if params.undated
                        else {"undated": 1, "from": None, "to": None}
                    ),
                ),
                count=undated,
                slug="undated",
                selected=params.undated,
            )
        )
    return links


def month_counts(facets):
    """``{first day of the month: count}`` from the month facet ("YYYY-MM" values)."""
    counts = {}
    for value, count in facets.get("month", []):
        year, _, month = str(value).partition("-")
        if count and year.isdigit() and month.isdigit():
            counts[date(int(year), int(month), 1)] = count
    return counts


def chips(params, names):
    """The active filters, each a link that removes it."""
    links = [
        Link(
            f"Person: {names['people'][slug]}",
            search_url(params, person=_toggle(params.people, slug)),
        )
        for slug in params.people
    ]
    links += [
        Link(f"Tag: {names['tags'][slug]}", search_url(params, tag=_toggle(params.tags, slug)))
        for slug in params.tags
    ]
    if params.date_from:
        links.append(
            Link(f"From {params.date_from:%B %-d, %Y}", search_url(params, **{"from": None}))
        )
    if params.date_to:
        links.append(Link(f"To {params.date_to:%B %-d, %Y}", search_url(params, to=None)))
    if params.undated:
        links.append(Link("Undated only", search_url(params, undated=None)))
    return links


def cards(results, other_versions):
    """``Card``s of haystack ``SearchResult``s, from their stored fields, one per story: a
    result whose story an earlier card of the page shows is left out (it is among that card's
    ``versions``). ``other_versions``: ``{article id: [its other versions]}``."""
    shown, found = set(), []
    person_url, tag_url = reverser("articles:person_detail"), reverser("articles:tag_detail")
    for result in results:
        pk = int(result.pk)
        if pk in shown:
            continue
        versions = other_versions.get(pk, [])
        shown.update(version.pk for version in versions)
        card = _card(result, person_url, tag_url)
        found.append(
            dataclasses.replace(
                card,
                versions=[Version(v.title, v.url, v.get_absolute_url()) for v in versions],
            )
        )
    return found


def _card(result, person_url, tag_url):
    """A ``Card`` from a haystack ``SearchResult``'s stored fields (no database query);
    ``person_url`` and ``tag_url`` make the chips' links (``links.reverser``)."""
    people = zip(result.people or [], result.person_names or [], strict=False)
    tags = zip(result.tags or [], result.tag_names or [], strict=False)
    highlighted = result.highlighted
    titles = None
    if isinstance(highlighted, dict):
        highlighted, titles = highlighted.get("text"), highlighted.get("title")
    snippet = safe_snippet(highlighted[0]) if highlighted else ""
    return Card(
        title=result.title,
        permalink=result.permalink,
        url=result.url,
        pub_date=result.pub_date,
        people=[Link(name, person_url(slug=slug), slug=slug) for slug, name in people],
        tags=[Link(name, tag_url(slug=slug), slug=slug) for slug, name in tags],
        snippet=snippet,
        pk=int(result.pk),
        title_html=highlighted_title(result.title, titles[0] if titles else None),
        publication=getattr(result, "publication", "") or "",
    )


def safe_snippet(highlighted):
    """The backend's highlighted text as safe HTML: only ``<mark>`` is kept, the rest escaped."""
    parts = _MARK_RE.split(highlighted)
    return mark_safe(
        "".join(part if part in {"<mark>", "</mark>"} else escape(unescape(part)) for part in parts)
    )


def suggestion_link(params, corrected):
    """A "did you mean" link to the ``corrected`` query, or None without one."""
    if corrected is None:
        return None
    return Link(str(corrected), search_url(params, q=str(corrected)))
