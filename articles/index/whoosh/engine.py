"""Our Whoosh index behind the seam of ``articles.index.engines``.

Whoosh allows one writer per index: every write holds the index's write lock (an ``flock``
beside it, ``articles.index.whoosh.locks``). After a drain, a compaction starts in the
background if the writes left segments worth rewriting (``articles.index.whoosh.compaction``).
"""

from whoosh.index import exists_in

from articles.index.engines import IndexEngine, IndexMissing
from articles.index.whoosh import compaction, verify
from articles.index.whoosh.locks import file_lock, write_lock_path
from articles.index.whoosh.writer import IndexBatch


class WhooshEngine(IndexEngine):
    @property
    def path(self):
        return self.backend.path

    def batch(self, *, clear=False, bulk=False):
        return IndexBatch(self.backend, self.index, clear=clear, bulk=bulk)

    def write_lock(self, blocking=True):
        return self.backend.write_lock(blocking=blocking)

    def indexed_fingerprints(self):
        return self.backend.stored_values("fingerprint")

    def problems(self, deep=False):
        if not self.backend.setup_complete:
            self.backend.setup()
        return verify.problems(self.path, self.backend.schema, deep=deep)

    def after_write(self):
        compaction.start_if_due(self.path)

    def document_count(self):
        """The live documents of the index, from its table of contents (never creates one)."""
        if not exists_in(self.path):
            raise IndexMissing(f"no search index in {self.path}")
        return self.backend.searcher().doc_count()

    def writing(self):
        """Whether another process or thread holds the write lock (a drain, an ingest)."""
        with file_lock(write_lock_path(self.path), blocking=False) as acquired:
            return not acquired

    def warm(self, step=lambda: None):
        """Build what the first searches would build (see ``ArchiveWhooshBackend.warm``)."""
        self.backend.warm(step)
