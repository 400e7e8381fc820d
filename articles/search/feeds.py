"""The Atom feed of any search, newest first unless the link asks otherwise."""

import dataclasses
from datetime import datetime

from django.contrib.syndication.views import Feed
from django.http import HttpResponseBadRequest
from django.urls import reverse

from articles.feeds import UNDATED_NOTE, ArchiveAtomFeed, undated_lede
from articles.models import Article
from articles.search.params import SearchParams
from articles.search.presenting import Card
from articles.search.running import run_search


@dataclasses.dataclass(frozen=True)
class Entry:
    """A result and when its article entered the archive and last changed (from the database:
    the index does not store them; one query for the page)."""

    card: Card
    entered: datetime | None
    changed: datetime | None


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
        return f"{self.title(outcome)}. {UNDATED_NOTE}"

    def link(self, outcome):
        return f"{reverse('search:page')}?{outcome.params.query_string()}"

    def items(self, outcome):
        stamps = {
            pk: (created, updated)
            for pk, created, updated in Article.objects.filter(
                pk__in=[card.pk for card in outcome.results]
            ).values_list("pk", "created", "updated")
        }
        return [Entry(card, *stamps.get(card.pk, (None, None))) for card in outcome.results]

    def item_title(self, entry):
        return entry.card.title

    def item_link(self, entry):
        return entry.card.permalink

    def item_guid(self, entry):
        return entry.card.url

    item_guid_is_permalink = False

    def item_description(self, entry):
        card = entry.card
        if card.pub_date is None and entry.entered:
            return undated_lede(entry.entered, card.snippet)
        return card.snippet

    def item_pubdate(self, entry):
        """The date of publication, or for an undated article the day it entered the archive
        (stated in its summary)."""
        return entry.card.pub_datetime or entry.entered

    def item_updateddate(self, entry):
        """Atom requires ``<updated>``: the last change, else the date of publication."""
        return entry.changed or self.item_pubdate(entry)

    def item_categories(self, entry):
        return [link.label for link in entry.card.people + entry.card.tags]
