"""Checking the index against the database, repairing it, and rebuilding it whole."""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Prefetch

from articles.checkpoints import checkpoint
from articles.index.documents import document_fingerprint
from articles.index.engines import get_engine
from articles.index.queue import drain, enqueue
from articles.models import Article, PendingIndexUpdate, Person, Tag


def rebuild(using="default"):
    """Replace the whole index by the database's articles, in one engine commit.

    Holds the engine's write lock throughout; with our Whoosh engine, readers see the old
    index until the commit and a crash leaves it whole (the queue keeps what changed
    meanwhile). Returns the number of articles indexed.
    """
    engine = get_engine(using)
    with engine.write_lock():
        seen = list(PendingIndexUpdate.objects.values_list("pk", flat=True))
        ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
        with engine.batch(clear=True, bulk=True) as batch:
            batch.update(ids)
            checkpoint("rebuild:before-commit")  # every document sent to the bulk writer
        PendingIndexUpdate.objects.delete_rows(seen)
    drain(engine)
    return len(ids)


@dataclass
class Comparison:
    """How the index differs from the database (article ids)."""

    articles: int
    missing: list[int] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)
    orphaned: list[int] = field(default_factory=list)
    queued: list[int] = field(default_factory=list)

    def differences(self):
        kinds = ("missing", "stale", "orphaned", "queued")
        return [(kind, getattr(self, kind)) for kind in kinds if getattr(self, kind)]

    @property
    def agrees(self):
        return not self.differences()


def compare(using="default"):
    """Compare every article's fingerprint with its document's."""
    indexed = get_engine(using).indexed_fingerprints()
    current = {
        article.pk: document_fingerprint(article)
        for article in Article.objects.only("url", "title", "pub_date", "slug", "body", "updated")
        .prefetch_related(
            Prefetch("people", Person.objects.only("slug", "name")),
            Prefetch("tags", Tag.objects.only("slug", "name")),
        )
        .iterator(chunk_size=2000)
    }
    return Comparison(
        articles=len(current),
        missing=sorted(current.keys() - indexed.keys()),
        stale=sorted(pk for pk in current.keys() & indexed.keys() if current[pk] != indexed[pk]),
        orphaned=sorted(indexed.keys() - current.keys()),
        queued=sorted(set(PendingIndexUpdate.objects.values_list("article_id", flat=True))),
    )


def repair(comparison):
    """Queue every article that differs and index them; returns how many there were."""
    ids = sorted({*comparison.missing, *comparison.stale, *comparison.orphaned})
    with transaction.atomic():
        enqueue(ids)
    drain()  # what the index thread has not done yet
    return len(ids)
