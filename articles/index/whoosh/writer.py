"""Writing our Whoosh index: one writer under the write lock, one commit per batch.

``IndexBatch`` is the Whoosh side of the seam's ``Batch`` (``articles.index.engines``): it
adds and removes documents and commits them at once, never merging segments (compaction
does that in the background, ``articles.index.whoosh.compaction``). Bulk batches use
Whoosh's multi-process writer. Both write Whoosh's segments with two of a large ingest's
costs cut (``FasterWriting``). Every writer keeps the files of the segments a commit drops
for a while (``KeepRetired``), for the searches of other processes still reading them.
"""

import ctypes
import logging
import os
import pickle
import signal
import time
from contextlib import suppress
from itertools import islice

from haystack.constants import ID
from haystack.exceptions import SkipDocument
from haystack.utils import get_identifier, get_model_ct
from whoosh import multiproc, writing
from whoosh import query as wq
from whoosh.index import TOC
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.writing import PostingPool, SegmentWriter

from articles.index.engines import READ_CHUNK, Batch, read_articles

BULK_WRITER = {"procs": 2, "limitmb": 256, "multisegment": True, "compound": False}
#: Seconds a writer waits for Whoosh's own lock (ours is held already: it never waits).
WRITE_LOCK_TIMEOUT = 300
#: Seconds the files of a segment dropped from the index stay on disk (see ``KeepRetired``).
RETIRED_GRACE = 120
PR_SET_PDEATHSIG = 1  # prctl(2)
#: Postings pickled together in a run of a writer's pool (see ``BatchedPostingPool``).
RUN_BATCH = 10_000

log = logging.getLogger(__name__)


class IndexBatch(Batch):
    """One Whoosh writer under the write lock: documents added and removed, then one commit.

    ``bulk`` uses several processes (for thousands of documents). ``clear`` drops every
    other document in the same commit: a rebuild that readers never see half done and that
    a crash leaves undone. Errors are raised; ``cancel()`` (or an exception inside ``with``)
    leaves the index as it was.
    """

    def __init__(self, backend, index=None, *, clear=False, bulk=False):
        self.backend, self.index, self.clear, self.bulk = backend, index, clear, bulk
        self._lock = backend.write_lock()
        self._lock.__enter__()
        try:
            ix = backend.open_for_writing()
            if bulk:
                self.writer = _BulkWriter(ix, timeout=WRITE_LOCK_TIMEOUT, **BULK_WRITER)
            else:
                self.writer = ArchiveSegmentWriter(ix, timeout=WRITE_LOCK_TIMEOUT, compound=False)
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise

    def update(self, ids):
        """(Re)write the documents of the articles ``ids``; those gone are removed."""
        missing = set(ids)

        def found():
            for article in read_articles(self.index, ids):
                missing.discard(article.pk)
                yield article

        self.add(found())
        self.remove(sorted(missing))

    def remove(self, pks):
        """Remove the documents of the ``index``'s objects with these primary keys."""
        ct = get_model_ct(self.index.get_model())
        self.delete_identifiers([f"{ct}.{pk}" for pk in pks])

    def add(self, objects):
        """Add (or replace) the documents of ``objects``."""
        objects = iter(objects)
        while chunk := list(islice(objects, READ_CHUNK)):
            if not self.clear:
                # One query per chunk: update_document would open a reader per document.
                self.delete_identifiers([get_identifier(obj) for obj in chunk])
            for obj in chunk:
                try:
                    prepared = self.index.full_prepare(obj)
                except SkipDocument:
                    continue
                self.writer.add_document(**self.backend.whoosh_document(prepared))

    def delete_identifiers(self, identifiers):
        if identifiers:
            self.writer.delete_by_query(wq.Or([wq.Term(ID, i) for i in identifiers]))

    def commit(self):
        try:
            self.writer.commit(mergetype=writing.CLEAR if self.clear else writing.NO_MERGE)
        except BaseException:
            _abandon(self.writer)
            raise
        finally:
            self._lock.__exit__(None, None, None)

    def cancel(self):
        try:
            _abandon(self.writer)
        finally:
            self._lock.__exit__(None, None, None)


def _abandon(writer):
    """Cancel ``writer``, releasing Whoosh's own lock even when the writer is past cancelling
    (a commit that failed half-way, e.g. on a full disk, never releases it: every later
    writer of this process would then wait for it in vain)."""
    try:
        writer.cancel()
    except Exception:
        log.warning("Cancelling an index writer failed; releasing its lock", exc_info=True)
        lock = getattr(writer, "writelock", None)
        if lock is not None:
            lock.release()


class KeepRetired:
    """Writer mixin: a commit that drops segments (a compaction's swap, a rebuild) leaves
    their files on disk for ``RETIRED_GRACE`` seconds.

    Whoosh deletes them at once, but a searcher opens some of a segment's files only when a
    search first needs them, so a search running in another process as the segment is
    dropped would find its files gone (an error, or a length read as 0). Each dropped
    segment gets a marker file; files of segments in no table of contents are deleted once
    their marker is older than the grace period, or at once without one (leftovers of a
    crashed writer, which no searcher ever opened).
    """

    def _commit_toc(self, segments):
        kept = {segment.segment_id() for segment in segments}
        for segment in self.segments:  # the index's segments when this writer was opened
            if segment.segment_id() not in kept:
                self.storage.create_file(f".retired-{segment.segment_id()}").close()
        TOC(self.schema, segments, self.generation).write(self.storage, self.indexname)
        remove_unused_files(self.storage, self.indexname, self.generation, kept)


class BatchedPostingPool(PostingPool):
    """Whoosh's pool of a writer's postings, whose sorted runs on disk are pickled
    ``RUN_BATCH`` postings at a time. Whoosh pickles each posting alone, and reads each back
    with small unbuffered reads: ~5 µs a posting, and an ingest of 100,000 articles writes
    and reads some 60 million."""

    def _write_run(self, f, items):
        items = iter(items)
        while batch := list(islice(items, RUN_BATCH)):
            pickle.dump(batch, f, pickle.HIGHEST_PROTOCOL)
        f.close()

    def _read_run(self, path):
        f = self._open_run(path)
        try:
            while True:
                try:
                    batch = pickle.load(f)
                except EOFError:
                    return
                yield from batch
        finally:
            f.close()
            self._remove_run(path)


class _LengthsRead:
    """A new segment's per-document reader whose field lengths are each read once, for the
    postings writer: Whoosh's asks the length of the document of every posting it writes
    (a seek and a read each)."""

    def __init__(self, reader):
        self._reader, self._lengths = reader, {}

    def doc_field_length(self, docnum, fieldname, default=0):
        lengths = self._lengths.get((fieldname, default))
        if lengths is None:
            read = self._reader.doc_field_length
            count = self._reader.doc_count_all()
            lengths = [read(d, fieldname, default) for d in range(count)]
            self._lengths[(fieldname, default)] = lengths
        return lengths[docnum]

    def __getattr__(self, name):
        return getattr(self._reader, name)


class FasterWriting:
    """Writer mixin: Whoosh's segments, the same files, written with two of a large ingest's
    costs cut: the pool's runs (``BatchedPostingPool``) and the lengths (``_LengthsRead``)."""

    def __init__(self, ix, **kwargs):
        super().__init__(ix, **kwargs)
        limitmb = kwargs.get("limitmb", 128)
        self.pool = BatchedPostingPool(self._tempstorage, self.newsegment, limitmb=limitmb)

    def per_document_reader(self):
        return _LengthsRead(super().per_document_reader())


class ArchiveSegmentWriter(KeepRetired, FasterWriting, SegmentWriter):
    """Whoosh's segment writer, faster, keeping dropped segments' files for a while."""


class _SubSegmentWriter(FasterWriting, SegmentWriter):
    """The segment writer of each process of a bulk writer."""


def remove_unused_files(storage, indexname, generation, segment_ids):
    """Whoosh's ``clean_files``, sparing the files of segments retired less than
    ``RETIRED_GRACE`` seconds ago (and their markers)."""
    names = storage.list()
    now = time.time()
    recently_retired = {
        name.removeprefix(".retired-")
        for name in names
        if name.startswith(".retired-") and now - storage.file_modified(name) <= RETIRED_GRACE
    }
    toc_file, segment_file = TOC._pattern(indexname), TOC._segment_pattern(indexname)
    for name in names:
        toc, segment = toc_file.match(name), segment_file.match(name)
        if name.startswith(".retired-"):
            unused = name.removeprefix(".retired-") not in recently_retired
        elif toc:
            unused = int(toc.group(1)) != generation
        elif segment:
            unused = segment.group(1) not in segment_ids | recently_retired
        else:
            unused = False
        if unused:
            with suppress(FileNotFoundError):
                storage.delete_file(name)


class _DyingSubWriterTask(SubWriterTask):
    """A bulk sub-writer that dies with its parent: after a ``kill -9`` of the parent it
    would otherwise wait forever, holding inherited copies of the index locks."""

    def run(self):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != self.parent_pid:
            os._exit(1)
        # Whoosh's ``run`` makes a plain ``SegmentWriter``: in this process of its own, ours.
        multiproc.SegmentWriter = _SubSegmentWriter
        super().run()


class _BulkWriter(KeepRetired, FasterWriting, MpWriter):
    def cancel(self):
        for task in self.tasks:
            task.terminate()  # Whoosh's cancel() leaves them waiting for work forever
            task.join()
        self.tasks = []
        super().cancel()

    def _new_task(self):
        task = _DyingSubWriterTask(
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
        )
        task.parent_pid = os.getpid()
        self.tasks.append(task)
        task.start()
        return task
