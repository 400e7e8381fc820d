"""The search page, its help, its JSON API, its Atom feed, OpenSearch and autocomplete.

Thin views over ``articles.search``: validate the parameters, run the search, present it.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_safe

from articles.search import SearchParams, autocomplete, run_search
from articles.timeline import build_timeline


@require_safe
def search(request):
    params = SearchParams.from_querydict(request.GET)
    outcome = run_search(params)
    timeline = build_timeline(outcome.month_counts, outcome.timeline_url, label="Matching articles")
    page_obj = Paginator(range(outcome.count), settings.ARTICLES_PER_PAGE).get_page(outcome.page)
    context = {
        "outcome": outcome,
        "params": params,
        "timeline": timeline,
        "page_obj": page_obj,
        "query_string": params.query_string(),
        "feed_url": f"{reverse('search_feed')}?{params.query_string(sort='newest')}",
        "api_url": f"{reverse('search_api')}?{params.query_string()}",
    }
    status = 400 if params.refused else 200
    return render(request, "search/search.html", context, status=status)


@require_safe
def search_api(request):
    params = SearchParams.from_querydict(request.GET)
    outcome = run_search(params, strict=True)
    if outcome.errors:
        return JsonResponse({"errors": outcome.errors}, status=400)
    return JsonResponse(outcome.as_json(request.build_absolute_uri))


@require_safe
def search_feed(request):
    """An Atom feed of any search, newest first unless the link asks otherwise."""
    params = SearchParams.from_querydict(request.GET)
    params.sort = params.sort or "newest"
    outcome = run_search(params, strict=True)
    if outcome.errors:
        return HttpResponse("\n".join(outcome.errors), status=400, content_type="text/plain")
    title = f"The Archive: {outcome.description}"
    feed = Atom1Feed(
        title=title,
        link=request.build_absolute_uri(f"{reverse('search')}?{params.query_string()}"),
        description=title,
        feed_url=request.build_absolute_uri(),
        language="en",
    )
    for card in outcome.results:
        feed.add_item(
            title=card.title,
            link=request.build_absolute_uri(card.permalink),
            unique_id=card.url,
            description=card.snippet,
            pubdate=card.pub_datetime,
            categories=[link.label for link in card.people + card.tags],
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    feed.write(response, "utf-8")
    return response


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
def autocomplete_api(request):
    """Suggestions for the search box: people, tags and titles that start with the words typed.

    ``format=opensearch`` answers in the OpenSearch suggestions format browsers read.
    """
    text = request.GET.get("q", "")
    suggestions = autocomplete(text)
    if request.GET.get("format") == "opensearch":
        return JsonResponse([text, [s["label"] for s in suggestions]], safe=False)
    return JsonResponse({"query": text, "suggestions": suggestions})
