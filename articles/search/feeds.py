"""The Atom feed of any search, newest first unless the link asks otherwise."""

import dataclasses

from django.contrib.syndication.views import Feed
from django.http import HttpResponseBadRequest
from django.urls import reverse

from articles.feeds import ArchiveAtomFeed
from articles.search.params import SearchParams
from articles.search.running import run_search


class InvalidSearch(Exception):
    """The feed's parameters are invalid; the message says why."""


class SearchFeed(Feed):
    """``/search/feed/?q=...``: the first page of a search as Atom (invalid parameters: 400)."""

    feed_type = ArchiveAtomFeed
    language = "en"

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except InvalidSearch as exc:
            return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")

    def get_object(self, request, *args, **kwargs):
        params = SearchParams.from_querydict(request.GET)
        outcome = run_search(dataclasses.replace(params, sort=params.sort or "newest"), strict=True)
        if outcome.errors:
            raise InvalidSearch("\n".join(outcome.errors))
        return outcome

    def title(self, outcome):
        return f"The Archive: {outcome.description}"

    def subtitle(self, outcome):
        return self.title(outcome)

    def link(self, outcome):
        return f"{reverse('search:page')}?{outcome.params.query_string()}"

    def items(self, outcome):
        return outcome.results

    def item_title(self, card):
        return card.title

    def item_link(self, card):
        return card.permalink

    def item_guid(self, card):
        return card.url

    item_guid_is_permalink = False

    def item_description(self, card):
        return card.snippet

    def item_pubdate(self, card):
        return card.pub_datetime

    def item_categories(self, card):
        return [link.label for link in card.people + card.tags]
