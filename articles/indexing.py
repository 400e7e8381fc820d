"""Keeping the search index in step with the database, with several writers at once.

Every change that alters what the index holds for an article — a save or delete through the
ORM, a change of its people or tags, a rename or deletion of a person or tag, and the bulk
changes announced by ``articles.signals.articles_changed`` (ingest, merges) — adds the
article's id to ``PendingIndexUpdate`` in the transaction that makes the change. So a
committed change is in the queue whatever crashes afterwards. (A bare ``save()`` outside a
transaction is two commits, the row and its queue entry; ``check_index --fix`` covers a crash
between them.)

After the commit, the process's index thread drains the queue: under the index's write lock
(an ``flock``: one writer across all processes) it reads a batch of queue rows, reads those
articles, rewrites or removes their documents in one index commit, deletes exactly the rows
it read, and repeats until the queue is empty. The saving caller waits for that at most
``SAVE_WAIT`` — usually its change is searchable when ``save()`` returns — so no save stalls
behind another process's index work. A large bulk change inside a transaction (an ingest's
batches) is indexed while the transaction runs and committed right after it (``_Stream``).

A failed index write leaves its rows queued, is logged, and is raised to the caller waiting
for it; ``check_index`` reports rows still queued and ``drain_index_queue`` retries them.
After a pass that leaves the index due for compaction, the thread starts one in the
background (``articles.compaction``).
"""

import logging
import os
import threading
from dataclasses import dataclass, field
from itertools import islice

from django import db
from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from haystack import connections
from haystack.signals import BaseSignalProcessor

from articles import compaction
from articles.locks import file_lock
from articles.models import Article, PendingIndexUpdate, Person, Tag
from articles.search_backend import BULK_THRESHOLD, ArchiveWhooshBackend, IndexBatch
from articles.search_indexes import document_fingerprint
from articles.signals import articles_changed

log = logging.getLogger(__name__)

#: Queue rows drained per index commit; a whole ingest fits, so it is one commit.
DRAIN_BATCH = 50_000
#: Articles in one bulk change inside a transaction from which they are indexed as it runs.
STREAM_THRESHOLD = 200
#: Seconds a save waits for its change to be indexed (then the index thread carries on).
SAVE_WAIT = 0.5
#: Articles read from the database at a time while writing one batch.
READ_CHUNK = 500


def search_backend(using="default"):
    return connections[using].get_backend()


def article_index(using="default"):
    return connections[using].get_unified_index().get_index(Article)


def enqueue(article_ids, stream=False):
    """Queue these articles for re-indexing, and have them indexed once the transaction commits.

    With ``stream`` (bulk changes inside a transaction: an ingest's batches), they are indexed
    while the transaction runs and the index commits right after it (see ``_Stream``).
    """
    ids = sorted({int(pk) for pk in article_ids if pk is not None})
    rows = PendingIndexUpdate.objects.bulk_create(
        [PendingIndexUpdate(article_id=pk) for pk in ids], batch_size=2000
    )
    connection = transaction.get_connection()
    current = _current_stream(connection)
    if current is None and stream and len(ids) >= STREAM_THRESHOLD and _can_stream():
        current = _streams.current = _Stream(connection)
    if current is not None and stream:
        ids = current.add(ids, rows)
    _queued.count = getattr(_queued, "count", 0) + len(ids)
    if not connection.in_atomic_block:
        index_queued()
    elif not any(func is index_queued for _, func, _ in connection.run_on_commit):
        transaction.on_commit(index_queued)


_queued = threading.local()  # rows this thread queued since its last commit
_streams = threading.local()  # this thread's _Stream, if its transaction has one


def index_queued():
    """After a commit: have this process's index thread drain the queue, and wait for it.

    A save waits at most ``SAVE_WAIT`` (then the thread carries on alone); a bulk change
    (an ingest) waits until its articles are indexed. An index error in the awaited pass is
    raised here, to the caller.
    """
    current = getattr(_streams, "current", None)
    if current is not None:
        _streams.current = None
        current.commit()
    count, _queued.count = getattr(_queued, "count", 0), 0
    ticket = _drainer.request()
    _drainer.wait(ticket, None if count >= BULK_THRESHOLD else SAVE_WAIT)


class _Stream:
    """The index batch of one large transaction, fed while it runs, committed after it.

    An ingest changes articles batch by batch in one transaction: their documents go to the
    bulk writer's processes as each batch is written, so that indexing overlaps the ingest
    instead of following it; the index commits once the database has. Until then the index
    does not change (the write lock is held), and the queue rows commit with the articles, so
    a crash or a rollback loses nothing.
    """

    def __init__(self, connection):
        self.block = connection.atomic_blocks[0]
        self.index = article_index()
        self.batch = IndexBatch(search_backend(), self.index, bulk=True)
        self.fed, self.rows = set(), []

    def add(self, ids, rows):
        """Feed the articles not fed yet; returns the others (left to the queue's drain)."""
        fresh = [pk for pk in ids if pk not in self.fed]
        self.fed.update(fresh)
        fresh_rows = set(fresh)
        self.rows += [row.pk for row in rows if row.article_id in fresh_rows]
        self.batch.add(iter_articles(self.index, fresh))
        return [pk for pk in ids if pk not in fresh]

    def commit(self):
        try:
            self.batch.commit()
        except Exception:
            log.error("Search index write failed; %d changes stay queued", len(self.rows))
            raise
        for start in range(0, len(self.rows), 5000):
            PendingIndexUpdate.objects.filter(pk__in=self.rows[start : start + 5000]).delete()

    def cancel(self):
        self.batch.cancel()


def _can_stream():
    return isinstance(search_backend(), ArchiveWhooshBackend)


def _current_stream(connection):
    """This thread's stream if it belongs to the running transaction; a stale one (its
    transaction rolled back) is cancelled."""
    current = getattr(_streams, "current", None)
    if current is not None and not (
        connection.in_atomic_block and connection.atomic_blocks[0] is current.block
    ):
        _streams.current = None
        current.cancel()
        current = None
    return current


def drain():
    """Index what is queued, taking turns with other processes; returns articles written.

    Errors are raised; their rows stay queued.
    """
    backend, index = search_backend(), article_index()
    written = 0
    if PendingIndexUpdate.objects.exists():
        with write_lock(backend):
            while batch := list(
                PendingIndexUpdate.objects.order_by("pk").values_list("pk", "article_id")[
                    :DRAIN_BATCH
                ]
            ):
                written += write_batch(backend, index, batch)
    return written


class _Drainer:
    """This process's index thread: on request, drains the queue, waiting for the lock.

    Every process that queued something runs one, so no row waits for another process's
    goodwill; the write lock makes them take turns. Not a daemon: a process finishes its
    queue before it exits. Errors are logged here and raised to a caller that waits.
    """

    def __init__(self):
        self.condition = threading.Condition()
        self.requested = self.finished = 0
        self.outcomes = []  # (last request served, exception or None) of recent passes
        self.thread = None

    def request(self):
        with self.condition:
            self.requested += 1
            if self.thread is None:
                self.thread = threading.Thread(target=self.run, name="search-index")
                self.thread.start()
            return self.requested

    def wait(self, ticket, timeout):
        with self.condition:
            if not self.condition.wait_for(lambda: self.finished >= ticket, timeout):
                return
            error = next(exc for served, exc in self.outcomes if served >= ticket)
        if error is not None:
            raise error

    def run(self):
        try:
            while True:
                with self.condition:
                    serving = self.requested
                error = None
                try:
                    drain()
                except Exception as exc:
                    log.exception("Search index update failed; the changes stay queued")
                    error = exc
                with self.condition:
                    self.finished = serving
                    self.outcomes = [*self.outcomes[-20:], (serving, error)]
                    self.condition.notify_all()
                if error is None:
                    compact_if_due()
                with self.condition:
                    if self.requested == serving:
                        self.thread = None
                        return
        finally:
            db.connections.close_all()


def compact_if_due():
    """Start a background compaction of our Whoosh index if its writes left it due."""
    backend = search_backend()
    if isinstance(backend, ArchiveWhooshBackend):
        try:
            compaction.start_if_due(backend.path)
        except Exception:
            log.exception("Could not start a compaction of the search index")


_drainer = _Drainer()
# A forked child (gunicorn --preload, Whoosh's sub-writers) has no copy of the thread.
os.register_at_fork(after_in_child=_drainer.__init__)


def write_batch(backend, index, batch):
    """Rewrite or remove the documents of one batch of queue rows, then delete the rows."""
    ids = sorted({article_id for _, article_id in batch})
    present = set(Article.objects.filter(pk__in=ids).values_list("pk", flat=True))
    removed = [pk for pk in ids if pk not in present]
    try:
        bulk = len(present) >= BULK_THRESHOLD
        write(backend, index, iter_articles(index, sorted(present)), removed, bulk=bulk)
    except Exception:
        log.error("Search index write failed; %d changes stay queued", len(batch))
        raise
    rows = [pk for pk, _ in batch]
    for start in range(0, len(rows), 5000):
        PendingIndexUpdate.objects.filter(pk__in=rows[start : start + 5000]).delete()
    return len(ids)


def iter_articles(index, ids):
    """The articles ``ids`` with what the index needs, read a chunk at a time."""
    queryset = index.index_queryset()
    for start in range(0, len(ids), READ_CHUNK):
        yield from queryset.filter(pk__in=ids[start : start + READ_CHUNK])


def write(backend, index, objects, removed_ids, *, clear=False, bulk=False):
    """One index commit, through our Whoosh backend or haystack's API for other engines."""
    if hasattr(backend, "write"):
        backend.write(index, objects, removed_ids, clear=clear, bulk=bulk)
        return
    if clear:
        backend.clear(models=[Article])
    objects = iter(objects)
    while chunk := list(islice(objects, READ_CHUNK)):
        backend.update(index, chunk)
    for pk in removed_ids:
        backend.remove(f"articles.article.{pk}")


def write_lock(backend, blocking=True):
    if hasattr(backend, "write_lock"):
        return backend.write_lock(blocking=blocking)
    return file_lock(settings.DATA_DIR / "search-index.lock", blocking=blocking)


def rebuild(using="default"):
    """Replace the whole index by the database's articles, in one commit.

    Holds the write lock throughout; until the commit, readers see the old index, and a
    crash leaves the old index whole (the queue keeps what changed meanwhile).
    """
    backend, index = search_backend(using), article_index(using)
    with write_lock(backend):
        seen = list(PendingIndexUpdate.objects.values_list("pk", flat=True))
        ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
        write(backend, index, iter_articles(index, ids), (), clear=True, bulk=True)
        for start in range(0, len(seen), 5000):
            PendingIndexUpdate.objects.filter(pk__in=seen[start : start + 5000]).delete()
    drain()
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
    """Compare every article's fingerprint with its document's (our Whoosh engine only)."""
    backend = search_backend(using)
    if not hasattr(backend, "stored_values"):
        raise NotImplementedError("check_index compares our Whoosh index only")
    indexed = backend.stored_values("fingerprint")
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
    """Queue every article that differs and index them; returns the number written."""
    with transaction.atomic():
        enqueue(comparison.missing + comparison.stale + comparison.orphaned)
    return drain()


# -- receivers -----------------------------------------------------------------------


def article_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        enqueue([instance.pk])


def article_deleted(sender, instance, **kwargs):
    enqueue([instance.pk])


def relations_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """An article's people or tags changed (from either side of the relation)."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:
        enqueue([instance.pk])
    elif action == "pre_clear":
        enqueue(instance.articles.values_list("pk", flat=True))
    else:
        enqueue(pk_set)


def name_about_to_change(sender, instance, raw=False, **kwargs):
    """Remember a person's or tag's indexed values, to compare after the save."""
    if instance.pk and not raw:
        instance._indexed_values = (
            sender.objects.filter(pk=instance.pk).values_list("name", "slug").first()
        )


def name_saved(sender, instance, created, raw=False, **kwargs):
    """A renamed (or re-slugged) person or tag changes all its articles' documents."""
    before = getattr(instance, "_indexed_values", None)
    if not created and not raw and before != (instance.name, instance.slug):
        enqueue(instance.articles.values_list("pk", flat=True))


def name_deleted(sender, instance, **kwargs):
    enqueue(instance.articles.values_list("pk", flat=True))


def bulk_changed(sender, article_ids=(), **kwargs):
    enqueue(article_ids, stream=True)


RECEIVERS = [
    (post_save, article_saved, Article),
    (post_delete, article_deleted, Article),
    (m2m_changed, relations_changed, Article.people.through),
    (m2m_changed, relations_changed, Article.tags.through),
    (articles_changed, bulk_changed, None),
    *((pre_save, name_about_to_change, model) for model in (Person, Tag)),
    *((post_save, name_saved, model) for model in (Person, Tag)),
    *((pre_delete, name_deleted, model) for model in (Person, Tag)),
]


def _uid(receiver, sender):
    return f"search-index:{receiver.__name__}:{sender and sender._meta.label}"


class QueuedSignalProcessor(BaseSignalProcessor):
    """Haystack's signal processor slot (``HAYSTACK_SIGNAL_PROCESSOR``): connects the above."""

    def setup(self):
        for signal, receiver, sender in RECEIVERS:
            signal.connect(receiver, sender=sender, dispatch_uid=_uid(receiver, sender))

    def teardown(self):
        for signal, receiver, sender in RECEIVERS:
            signal.disconnect(receiver, sender=sender, dispatch_uid=_uid(receiver, sender))
