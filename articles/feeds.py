"""Atom feeds: the newest articles, and the newest of a tag or a person."""

from datetime import datetime, time

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.text import Truncator

from articles.models import Article, Person, Tag
from articles.text import strip_control_characters

FEED_LENGTH = settings.ARTICLES_PER_PAGE
#: What a feed says about the dates of undated articles (Atom requires a date on every entry).
UNDATED_NOTE = (
    "Articles without a date of publication are dated by the day they entered the archive, "
    "and say so."
)


def midnight(day):
    """A date as an aware datetime at midnight, for feeds."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def undated_lede(entered, lede):
    """The summary of an undated article: the fallback date stated, then its lede (HTML)."""
    note = f"Undated: the date given is when it entered the archive, {entered:%B %-d, %Y}."
    return f"<p><em>{escape(note)}</em></p>{lede}" if lede else escape(note)


def _xml_safe(value):
    """``value`` (text, or a list of texts) without the characters XML 1.0 cannot carry."""
    if isinstance(value, str):
        return strip_control_characters(value)
    if isinstance(value, list | tuple):
        return [_xml_safe(item) for item in value]
    return value


class ArchiveAtomFeed(Atom1Feed):
    """Atom that no stored text can break: control characters (which XML 1.0 forbids, and
    which old data or an editor may hold) become spaces instead of failing the feed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*map(_xml_safe, args), **{k: _xml_safe(v) for k, v in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*map(_xml_safe, args), **{k: _xml_safe(v) for k, v in kwargs.items()})


class LatestArticlesFeed(Feed):
    feed_type = ArchiveAtomFeed
    title = "The Archive: latest articles"
    subtitle = f"The newest articles in the archive. {UNDATED_NOTE}"

    def link(self):
        return reverse("articles:home")

    def articles(self, obj):
        return Article.objects.all()

    def items(self, obj=None):
        return self.articles(obj).newest_first().prefetch_related("people", "tags")[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        """The lede as HTML (Atom's ``type="html"``): the text escaped, so that markup in a
        story shows as text in a feed reader, never runs."""
        lede = escape(Truncator(item.paragraphs[0] if item.paragraphs else "").words(60))
        return lede if item.pub_date else undated_lede(item.created, lede)

    def item_pubdate(self, item):
        """The date of publication, or for an undated article the day it entered the archive
        (stated in its summary)."""
        return midnight(item.pub_date) if item.pub_date else item.created

    def item_updateddate(self, item):
        return item.updated

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()] + [person.name for person in item.people.all()]

    def item_author_name(self, item):
        return item.publication or None


class SubjectFeed(LatestArticlesFeed):
    """The newest articles of one tag or person."""

    model = None

    def get_object(self, request, slug):
        return get_object_or_404(self.model, slug=slug)

    def title(self, obj):
        return f"The Archive: {obj.name}"

    def subtitle(self, obj):
        return f"The newest articles about {obj.name}. {UNDATED_NOTE}"

    def link(self, obj):
        return obj.get_absolute_url()

    def articles(self, obj):
        return obj.articles.all()


class TagFeed(SubjectFeed):
    model = Tag


class PersonFeed(SubjectFeed):
    model = Person
