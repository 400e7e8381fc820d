"""Merge several people, or several tags, into one survivor.

In one transaction, with a fixed number of bulk queries whatever the number of
articles: the articles of the merged-away rows are re-pointed to the survivor,
their ``updated`` stamp is bumped, and each merged-away row leaves an alias
(``PersonAlias``/``TagAlias``) holding its key and slug, so that its old page
redirects to the survivor (``articles.views.SubjectDetailView``) and a
re-ingested file naming it lands on the survivor (``articles.ingest``).  Aliases
of the merged-away rows move to the survivor, so merges chain.  Within the same
transaction, ``articles_changed`` queues the changed articles for the search index.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from articles.models import Article, Person, PersonAlias, Tag, TagAlias
from articles.signals import articles_changed


@dataclass(frozen=True)
class Kind:
    through: type
    column: str
    alias: type
    alias_field: str


KINDS = {
    Person: Kind(Article.people.through, "person_id", PersonAlias, "person"),
    Tag: Kind(Article.tags.through, "tag_id", TagAlias, "tag"),
}


@dataclass
class MergeResult:
    survivor: Person | Tag
    merged: list[str]
    article_ids: list[int]


def merge(survivor, others) -> MergeResult:
    """Merge ``others`` (people or tags, like ``survivor``) into ``survivor``."""
    kind = KINDS[type(survivor)]
    others = [o for o in others if o.pk != survivor.pk]
    other_ids = [o.pk for o in others]
    with transaction.atomic():
        links = kind.through.objects.filter(**{f"{kind.column}__in": other_ids})
        article_ids = sorted(set(links.values_list("article_id", flat=True)))
        Article.objects.filter(pk__in=links.values("article_id")).update(updated=timezone.now())
        kind.through.objects.bulk_create(
            [kind.through(article_id=pk, **{kind.column: survivor.pk}) for pk in article_ids],
            ignore_conflicts=True,  # articles that already had the survivor
            batch_size=1000,
        )
        links.delete()
        kind.alias.objects.filter(**{f"{kind.alias_field}__in": other_ids}).update(
            **{kind.alias_field: survivor}
        )
        kind.alias.objects.bulk_create(
            kind.alias(key=o.key, slug=o.slug, name=o.name, **{kind.alias_field: survivor})
            for o in others
        )
        type(survivor).objects.filter(pk__in=other_ids).delete()
        if article_ids:
            # Inside the transaction: the index queue commits with the merge.
            articles_changed.send(sender=Article, article_ids=article_ids)
    return MergeResult(survivor, [o.name for o in others], article_ids)
