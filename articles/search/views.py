"""The search page, its help, its JSON API, OpenSearch and autocomplete: thin views.

Validate the parameters (``SearchParams``), run the search (``run_search``), show it.
The Atom feed of a search is ``articles.search.feeds.SearchFeed``.
"""

import logging
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from articles.index.engines import SearchUnavailable
from articles.search.autocomplete import autocomplete
from articles.search.limits import limited
from articles.search.params import SearchParams
from articles.search.running import run_search
from articles.timeline import build_timeline

log = logging.getLogger(__name__)

#: Seconds a client is asked to wait before searching again when search is unavailable.
RETRY_AFTER = 30
UNAVAILABLE = (
    "Search is unavailable at the moment; please try again in a minute. Every article can "
    "still be reached by date, tag and person."
)


def degrades_to(respond):
    """A view decorator: when the search engine cannot answer (``SearchUnavailable``), answer
    ``respond(request)`` with status 503 and ``Retry-After``, instead of failing."""

    def decorator(view):
        @wraps(view)
        def degrading_view(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except SearchUnavailable as exc:
                log.warning("Search unavailable: %s", exc)
                response = respond(request)
                response.status_code = 503
                response["Retry-After"] = str(RETRY_AFTER)
                return response

        return degrading_view

    return decorator


def unavailable_page(request):
    return render(request, "search/unavailable.html", {"message": UNAVAILABLE})


def unavailable_json(request):
    return JsonResponse({"errors": [UNAVAILABLE]})


def unavailable_text(request):
    return HttpResponse(UNAVAILABLE, content_type="text/plain; charset=utf-8")


@require_safe
@limited("search")
@degrades_to(unavailable_page)
def search_page(request):
    outcome = run_search(SearchParams.from_querydict(request.GET))
    params = outcome.params
    timeline = build_timeline(
        outcome.month_counts,
        outcome.timeline_url,
        label="Matching articles",
        undated=outcome.undated_count,
        undated_url=outcome.undated_url,
    )
    page_obj = Paginator(range(outcome.count), settings.ARTICLES_PER_PAGE).get_page(outcome.page)
    context = {
        "outcome": outcome,
        "params": params,
        "timeline": timeline,
        "page_obj": page_obj,
        "query_string": params.query_string(),
        "article_params": article_params(outcome, page_obj.number),
        "feed_url": f"{reverse('search:feed')}?{params.query_string(sort='newest')}",
        "api_url": f"{reverse('search:api')}?{params.query_string()}",
    }
    status = 400 if params.refused else 200
    return render(request, "search/search.html", context, status=status)


def article_params(outcome, page):
    """What a result's link carries to the article page: the words to mark (``highlight``:
    those searched for, corrected if they were) and this search, to come back to
    (``results``); ``""`` for a search of nothing."""
    results = outcome.params.query_string(page=page)
    if not results:
        return ""
    words = outcome.searched_text
    return urlencode({**({"highlight": words} if words else {}), "results": results})


@require_safe
@limited("search")
@degrades_to(unavailable_json)
def search_api(request):
    outcome = run_search(SearchParams.from_querydict(request.GET), strict=True)
    if outcome.errors:
        return JsonResponse({"errors": outcome.errors}, status=400)
    return JsonResponse(outcome.as_json(request.build_absolute_uri))


@require_safe
def search_help(request):
    return render(request, "search/help.html")


@require_safe
def opensearch(request):
    return render(
        request,
        "search/opensearch.xml",
        content_type="application/opensearchdescription+xml; charset=utf-8",
    )


@require_safe
@limited("autocomplete")
@degrades_to(unavailable_json)
def autocomplete_api(request):
    """Suggestions for the search box: people, tags and titles that start with the words typed.

    ``format=opensearch`` answers in the OpenSearch suggestions format browsers read.
    """
    text = request.GET.get("q", "")
    suggestions = autocomplete(text)
    if request.GET.get("format") == "opensearch":
        return JsonResponse([text, [s["label"] for s in suggestions]], safe=False)
    return JsonResponse({"query": text, "suggestions": suggestions})
