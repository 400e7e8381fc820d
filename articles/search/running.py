"""Running a search: the query and filters to haystack, one pass for a page, its total and facets.

``run_search`` validates what needs the database (do the people and tags exist?), ranks the
articles about a person the query names first, and returns a ``SearchOutcome`` ready to show.
"""

import dataclasses
import logging
import operator
from contextlib import contextmanager
from datetime import date, timedelta
from functools import reduce
from typing import NamedTuple

from django.conf import settings
from django.db.models import Q
from haystack.query import SQ, SearchQuerySet

from articles import versions
from articles.archive_cache import kept_in_process
from articles.dates import EARLIEST_PUB_DATE, LATEST_PUB_DATE, month_end
from articles.index.engines import SearchUnavailable
from articles.models import Person, Tag
from articles.search.aliases import resolve_aliases
from articles.search.params import shown
from articles.search.presenting import (
    Link,
    Name,
    SearchOutcome,
    cards,
    chips,
    facet_links,
    facet_values,
    month_counts,
    search_url,
    suggestion_link,
)
from articles.search.query import parse_query
from articles.text import fold, sort_key

FACET_FIELDS = ("people", "tags", "year", "month")
MAX_NAME_WORDS = 6
#: Above every character a name can hold: ``key < word + LAST_CHARACTER`` for "starts with".
LAST_CHARACTER = "\U0010ffff"
MAX_LISTED_YEARS = 30
#: Results a person's articles are ranked first within (deeper pages are by relevance only:
#: ranking reads every result above the page).
MAX_RANKED_RESULTS = 1000
MAX_OFFERED_PEOPLE = 3
#: Searches with a word or a filter less tried for a search that finds nothing.
MAX_RELAXATIONS = 6

log = logging.getLogger(__name__)


def run_search(params, per_page=settings.ARTICLES_PER_PAGE, strict=False):
    """Run the search ``params`` describe: one page of cards, facets, suggestions, messages.

    Unknown person or tag slugs are errors: left out of the search (``outcome.params`` is
    ``params`` without them), or with ``strict`` the search is not run.  The database is
    asked a constant number of questions (the names of the people and tags in the filters
    and facets, and the people the query names); the cards come from the index.
    """
    query = parse_query(params.q)
    query.messages += resolve_aliases(query)
    errors = list(params.errors)
    if params.refused:
        return SearchOutcome(params, query, [*errors, *query.messages], errors)
    people = known_slugs(Person, params.people, "person", errors)
    tags = known_slugs(Tag, params.tags, "tag", errors)
    params = dataclasses.replace(params, people=list(people), tags=list(tags))
    outcome = SearchOutcome(
        params, query, [*params.errors, *query.messages, *errors[len(params.errors) :]], errors
    )
    if strict and outcome.errors:
        return outcome

    searched = query
    with engine_errors():
        named = _named_people(query, params)
        found = _search_page(query, params, named, per_page, outcome.messages)
        if not found.count and query and not params.exact:
            for alternative in _alternatives(query, found.suggestion):
                if unranked(search_queryset(alternative, params, count_only=True)).count():
                    searched, named = alternative, _named_people(alternative, params)
                    found = _search_page(searched, params, named, per_page, [])
                    break
        if not found.count and query:
            outcome.relaxations = _relaxations(query, params, people | tags)
    page, results, count, facets = found.page, found.results, found.count, found.facets
    if searched is not query:
        outcome.corrected_link = Link(str(searched), search_url(params, q=str(searched)))
        outcome.original_link = Link(params.q, search_url(params, exact="1"))
    outcome.count, outcome.page = count, page
    outcome.num_pages = max(1, -(-count // per_page))
    outcome.results = cards(results, versions.other_versions([int(r.pk) for r in results]))
    facet_names = {
        "people": people | _names(Person, facet_values(facets, "people"), people),
        "tags": tags | _names(Tag, facet_values(facets, "tags"), tags),
    }
    outcome.undated_count = undated_count(count, facets)
    outcome.facets = facet_links(params, facets, facet_names, outcome.undated_count)
    outcome.month_counts = month_counts(facets)
    outcome.chips = chips(params, facet_names)
    outcome.offered_people = [
        Link(
            person.name,
            search_url(params, person=[*params.people, person.slug]),
            slug=person.slug,
            count=person.article_count,
        )
        for person in named[:MAX_OFFERED_PEOPLE]
    ]
    if 0 < count < settings.SEARCH_SUGGEST_BELOW and searched is query:
        outcome.suggestion = suggestion_link(params, query.corrected(found.suggestion))
    return outcome


def _named_people(query, params):
    """People the query names (not already filters), to rank their articles first."""
    named = people_named(query.positive_words) if query else []
    return [person for person in named if person.slug not in params.people]


def _alternatives(query, suggestion):
    """What a query that found nothing may have meant, in the order to try: its last word as
    the beginning of words (typed in part), its misspelt words corrected, both."""
    completed = query.with_last_word_completed()
    corrected = query.corrected(suggestion)
    both = corrected.with_last_word_completed() if corrected is not None else None
    return [q for q in (completed, corrected, both) if q is not None]


def _relaxations(query, params, names):
    """For a search that finds nothing: the searches with one word or one filter less that
    would find something, each with its count (at most ``MAX_RELAXATIONS`` tried)."""
    tries = []  # (label, query, changed parameters, the same as URL parameters)
    if len(query.groups) > 1:
        for index, group in enumerate(query.groups):
            without = query.without_group(index)
            label = f"without “{' OR '.join(map(str, group))}”"
            tries.append((label, without, {"q": str(without)}, {"q": str(without)}))
    for slug in params.people:
        others = [s for s in params.people if s != slug]
        label = f"without the person {names[slug]}"
        tries.append((label, query, {"people": others}, {"person": others}))
    for slug in params.tags:
        others = [s for s in params.tags if s != slug]
        tries.append((f"without the tag {names[slug]}", query, {"tags": others}, {"tag": others}))
    if params.date_from or params.date_to:
        undated = {"date_from": None, "date_to": None}
        tries.append(("at any date", query, undated, {"from": None, "to": None}))
    links = []
    for label, tried_query, changes, url_changes in tries[:MAX_RELAXATIONS]:
        tried = dataclasses.replace(params, **changes)
        count = unranked(search_queryset(tried_query, tried, count_only=True)).count()
        if count:
            links.append(Link(label, search_url(params, **url_changes), count=count))
    return sorted(links, key=lambda link: -link.count)


@contextmanager
def engine_errors():
    """Errors of the search engine as ``SearchUnavailable`` (logged): the page says search is
    unavailable (503) instead of failing, whatever the engine and whatever went wrong."""
    try:
        yield
    except SearchUnavailable:
        raise
    except Exception as exc:
        log.exception("The search engine failed")
        raise SearchUnavailable(f"the search engine failed ({type(exc).__name__}: {exc})") from exc


class Found(NamedTuple):
    """One page of a search, as the engine found it."""

    page: int
    results: list
    count: int
    facets: dict
    suggestion: str | None  # the engine's corrected plain words, when it found little


def _search_page(query, params, named, per_page, messages):
    """The page asked for (or the last), as ``Found``.

    With people ``named`` by the query (and relevance order), the articles about the first
    come first (within the first ``MAX_RANKED_RESULTS``).
    """
    first_slug = named[0].slug if named and params.effective_sort == "relevance" else None
    sqs = search_queryset(query, params)
    unfaceted = search_queryset(query, params, facets=False)

    def fetch(page):
        start = (page - 1) * per_page
        if first_slug and start + per_page <= MAX_RANKED_RESULTS:
            return _fetch_person_first(sqs, unfaceted, first_slug, start, per_page)
        return _fetch(sqs, start, per_page)

    page = params.page
    results, count, facets, suggestion = fetch(page)
    last = max(1, -(-count // per_page))
    if page > last:
        messages.append(
            f"There {'is' if last == 1 else 'are'} only {last} page{'' if last == 1 else 's'} "
            "of results; this is the last one."
        )
        page = last
        results, count, facets, suggestion = fetch(page)
    return Found(page, results, count, facets, suggestion)


def people_named(words):
    """People the ``words`` name (by surname, e.g. "Putin"), best match first, with counts.

    Among people sharing a surname, those with more of their given names among the words come
    first, then those with more articles.  The people whose sort key starts with one of the
    words come from the key's index; only those a word names are counted (a second query,
    skipped when the words name no one, as most searches do).
    """
    folded = {fold(word).strip(".") for word in words}
    folded = {word for word in folded if len(word) >= 2}
    if not folded or len(folded) > MAX_NAME_WORDS:
        return []
    starts = Q()
    for key in map(sort_key, folded):
        starts |= Q(sort_key__gte=key, sort_key__lt=key + LAST_CHARACTER)
    given_names_named = {}
    for pk, sort_name in Person.objects.filter(starts).values_list("pk", "sort_name"):
        surname, _, given = sort_name.partition(",")
        if set(fold(surname).split()) <= folded:
            given_names_named[pk] = len({w.strip(".") for w in fold(given).split()} & folded)
    if not given_names_named:
        return []
    named = (
        Person.objects.filter(pk__in=given_names_named)
        .with_article_counts()
        .filter(article_count__gt=0)
    )
    return sorted(named, key=lambda p: (-given_names_named[p.pk], -p.article_count, p.sort_key))


def unranked(sqs):
    """``sqs`` run for its total and facets only: a search for no result, which the engine
    answers without scoring or ranking the matches (about twice as fast)."""
    sqs[:0]
    return sqs


def search_queryset(query, params, facets=True, count_only=False):
    """The haystack ``SearchQuerySet`` for the query and filters, with highlights, spelling
    and facets (or, ``count_only``, none of them)."""
    sqs = SearchQuerySet() if count_only else SearchQuerySet().highlight()
    if query:
        sqs = sqs.filter(query.to_sq())
        if not count_only:
            sqs = sqs.set_spelling_query(" ".join(query.spellable_words))
    for slug in params.people:
        sqs = sqs.filter(people__in=[slug])
    for slug in params.tags:
        sqs = sqs.filter(tags__in=[slug])
    if params.date_from or params.date_to:
        sqs = sqs.filter(date_range_sq(params.date_from, params.date_to))
    if params.undated:
        sqs = sqs.filter(undated_sq())
    for facet in FACET_FIELDS if facets and not count_only else ():
        sqs = sqs.facet(facet)
    order = {"newest": "-pub_date", "oldest": "pub_date"}.get(params.effective_sort)
    return sqs.order_by(order) if order else sqs


def date_range_sq(first, last):
    """``first <= pub_date <= last`` (either may be ``None``: open) as an ``SQ`` of few terms.

    Whole years become ``year`` values (a range when there are many), whole months ``month``
    values, and only the odd days at either end a ``pub_date`` range: a range over many dates
    is slow in Whoosh, and the timeline and the year facet always ask for whole months and
    years.
    """
    first, last = (
        max(first or EARLIEST_PUB_DATE, EARLIEST_PUB_DATE),
        min(last or LATEST_PUB_DATE, LATEST_PUB_DATE),
    )
    parts, months = [], []
    day = first
    while day <= last:
        last_of_month = month_end(day)
        if day.month == day.day == 1 and date(day.year, 12, 31) <= last:
            last_year = last.year if (last.month, last.day) == (12, 31) else last.year - 1
            years = range(day.year, last_year + 1)
            parts.append(
                SQ(year__in=list(years))
                if len(years) <= MAX_LISTED_YEARS
                else SQ(year__gte=day.year) & SQ(year__lte=last_year)
            )
            end = date(last_year, 12, 31)
        elif day.day == 1 and last_of_month <= last:
            months.append(f"{day:%Y-%m}")
            end = last_of_month
        else:
            end = min(last_of_month, last)
            parts.append(SQ(pub_date__gte=day) & SQ(pub_date__lte=end))
        day = end + timedelta(days=1)
    if months:
        parts.append(SQ(month__in=months))
    return reduce(operator.or_, parts)


def undated_sq():
    """The articles without a date: those with no year in the index (every dated one has one),
    so that the index needs no field of its own for them."""
    return ~SQ(year__gte=EARLIEST_PUB_DATE.year)


def undated_count(count, facets):
    """How many of the ``count`` matches have no date: those the exact year facet leaves out."""
    return max(0, count - sum(n for _, n in facets.get("year", [])))


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


def known_slugs(model, slugs, noun, messages):
    """``{slug: name}`` for the ``slugs`` that exist (in their order); a message for the rest."""
    found = _names(model, slugs)
    for slug in slugs:
        if slug not in found:
            messages.append(f"There is no {noun} “{shown(slug)}” in the archive; left out.")
    return {slug: found[slug] for slug in slugs if slug in found}


def _names(model, slugs, known=()):
    """``{slug: Name}`` (the name, with its description) of the ``model`` rows with these slugs,
    not asking about ``known`` ones. Names once read are kept in the process until the archive
    changes: most pages of results list the same people and tags in their facets."""
    wanted = [slug for slug in slugs if slug not in known]
    if not wanted:
        return {}
    kept = kept_in_process(f"names:{model._meta.label_lower}", dict)
    if missing := [slug for slug in wanted if slug not in kept]:
        rows = model.objects.filter(slug__in=missing).values_list("slug", "name", "description")
        kept.update((slug, Name(name, description)) for slug, name, description in rows)
    return {slug: kept[slug] for slug in wanted if slug in kept}
