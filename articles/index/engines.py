"""The seam between keeping the index in step (``articles.index``) and a search engine.

Keeping the index in step needs these things of an engine, and nothing else:

- ``batch(clear=False, bulk=False)``: a ``Batch`` to ``update`` and ``remove`` articles (by
  id) and then ``commit`` (or ``cancel``) at once; ``clear`` drops every other document;
- ``write_lock()``: held around writes by one process at a time, for an engine that allows
  a single writer (a no-op for engines that take concurrent writes);
- ``indexed_fingerprints()``: ``{article id: stored fingerprint}`` of every document, for
  ``check_index``;
- ``problems(deep=False)``: what is damaged in the index, read through (``check_index``);
- ``after_write()``: housekeeping once a drain has written (e.g. compaction);
- ``document_count()``: how many documents the index holds, cheaply (``/healthz`` and the
  start-up checks compare it with the articles); ``IndexMissing`` if there is no index;
- ``writing()``: whether a writer is at work on the index now (``/healthz``: a queue being
  drained is not stuck).

``HaystackEngine`` implements it with haystack's own backend API (``update``, ``remove``,
``clear`` and a ``SearchQuerySet``), so it works with any backend haystack supports
(Elasticsearch, Solr, haystack's stock Whoosh). ``articles.index.whoosh.engine`` implements
it for our Whoosh backend. Which one a connection uses is its ``INDEX_ENGINE`` option (a
dotted path, see ``archive/settings.py``), ``HaystackEngine`` by default.
"""

from contextlib import nullcontext

from django.utils.module_loading import import_string
from haystack import connections
from haystack.query import SearchQuerySet
from haystack.utils import get_model_ct

from articles.models import Article


class SearchUnavailable(Exception):
    """The search engine cannot answer now: its index is missing, damaged or being replaced,
    or its server is down. Search pages answer 503; the rest of the site serves on."""


#: Documents in one write at or above which an engine's bulk mode is used.
BULK_THRESHOLD = 2000
#: Articles read from the database at a time while writing.
READ_CHUNK = 500
#: Documents read from a search engine per request when listing them all.
FINGERPRINT_PAGE = 1000


class IndexMissing(Exception):
    """There is no index to read (the message says where it was looked for)."""


def read_articles(index, ids):
    """The articles ``ids`` that exist, with what the ``index`` needs, a chunk at a time."""
    ids = sorted(ids)
    queryset = index.index_queryset()
    for start in range(0, len(ids), READ_CHUNK):
        yield from queryset.filter(pk__in=ids[start : start + READ_CHUNK])


class Batch:
    """Changes to one engine, applied together by ``commit`` (see the engine's docstring)."""

    def update(self, ids):
        """(Re)write the documents of the articles ``ids``; those gone are removed."""
        raise NotImplementedError

    def remove(self, ids):
        """Remove the documents of the articles ``ids``."""
        raise NotImplementedError

    def commit(self):
        raise NotImplementedError

    def cancel(self):
        raise NotImplementedError

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is None:
            self.commit()
        else:
            self.cancel()


class IndexEngine:
    """One haystack connection as the index queue sees it (see the module docstring)."""

    def __init__(self, using="default"):
        self.using = using
        self.backend = connections[using].get_backend()
        self.index = connections[using].get_unified_index().get_index(Article)

    def batch(self, *, clear=False, bulk=False) -> Batch:
        raise NotImplementedError

    def write_lock(self, blocking=True):
        """No lock: the engine takes concurrent writers. Yields True, as a lock acquired."""
        return nullcontext(True)

    def indexed_fingerprints(self):
        raise NotImplementedError

    def problems(self, deep=False):
        """What is damaged in the index: reading every document must work."""
        try:
            self.indexed_fingerprints()
        except Exception as exc:
            return [f"the index cannot be read through ({type(exc).__name__}: {exc})"]
        return []

    def after_write(self):
        """Nothing to do after a write."""

    def document_count(self):
        """The documents in the index: a match-all search's total."""
        return SearchQuerySet(using=self.using).models(Article).all().count()

    def writing(self):
        """Without a write lock, nobody can tell: False."""
        return False

    def warm(self, step=lambda: None):
        """Nothing to build before the first search: a search server warms its own."""


class HaystackBatch(Batch):
    """Remembers what changes; on ``commit`` reads the articles and sends them to haystack.

    Reading at commit time means a batch filled inside a transaction (an ingest's) sends what
    was committed, and nothing at all if it rolled back (``cancel``).
    """

    def __init__(self, engine, clear):
        self.engine, self.clear = engine, clear
        self.updated, self.removed = set(), set()

    def update(self, ids):
        self.updated.update(ids)
        self.removed.difference_update(ids)

    def remove(self, ids):
        self.removed.update(ids)
        self.updated.difference_update(ids)

    def commit(self):
        backend, index = self.engine.backend, self.engine.index
        if self.clear:
            backend.clear(models=[Article])
        missing = set(self.updated)
        chunk = []
        for article in read_articles(index, self.updated):
            missing.discard(article.pk)
            chunk.append(article)
            if len(chunk) == READ_CHUNK:
                backend.update(index, chunk)
                chunk = []
        if chunk:
            backend.update(index, chunk)
        if not self.clear:
            for pk in sorted(self.removed | missing):
                backend.remove(f"{get_model_ct(Article)}.{pk}")
        self.updated, self.removed = set(), set()

    def cancel(self):
        self.updated, self.removed = set(), set()


class HaystackEngine(IndexEngine):
    """Any haystack backend, through haystack's own API (Elasticsearch, Solr, stock Whoosh).

    Several processes and machines may write at once: the queue's database lock keeps them
    from writing one change twice (``articles.index.queue``).
    """

    def batch(self, *, clear=False, bulk=False):
        return HaystackBatch(self, clear)

    def indexed_fingerprints(self):
        results = SearchQuerySet(using=self.using).models(Article).all()
        fingerprints, start = {}, 0
        while page := list(results[start : start + FINGERPRINT_PAGE]):
            fingerprints.update((int(r.pk), getattr(r, "fingerprint", None)) for r in page)
            start += len(page)
        return fingerprints


def get_engine(using="default") -> IndexEngine:
    """The ``IndexEngine`` of the haystack connection ``using`` (its ``INDEX_ENGINE`` option)."""
    options = connections.connections_info[using]
    engine_class = import_string(options.get("INDEX_ENGINE", f"{__name__}.HaystackEngine"))
    return engine_class(using)
