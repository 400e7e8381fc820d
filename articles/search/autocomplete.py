"""Suggestions for the search box as the reader types: people, tags, then article titles."""

from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from haystack.query import SearchQuerySet

from articles.models import Person, Tag
from articles.search.running import engine_errors
from articles.text import strip_control_characters

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
                "url": f"{reverse('search:page')}?{urlencode({param: slug})}",
                "count": count,
            }
            for name, slug, count in rows
        ]
    with engine_errors():
        titles = SearchQuerySet().autocomplete(autocomplete=text)[:AUTOCOMPLETE_EACH]
    suggestions += [
        {"label": result.title, "kind": "article", "url": result.permalink} for result in titles
    ]
    return suggestions
