"""Compacting the Whoosh index in the background: replaced documents reclaimed, segments few.

Whoosh never rewrites a document in place: replacing one marks the old copy deleted in its
segment, and every commit adds a segment. Whoosh reclaims that space by merging segments
inside a commit, which holds the write lock for as long as the merge takes (106 s for a
10,000-article segment; even five one-document segments take ~0.2 s), so every other save
waits that long to become searchable. Here commits never merge (``writing.NO_MERGE``), and
compaction does all the merging:

1. ``plan`` picks the segments worth rewriting: any of ``SMALL_SEGMENT_DOCS`` or more with
   more than ``MAX_DELETED`` of its documents deleted; else, when there are more than
   ``MAX_SEGMENTS``, the newest small ones (a save adds a one-document segment);
2. their live documents are copied into one new segment in a folder of its own, with no
   lock held (per-document data as Whoosh copies it; the postings, already in order in each
   segment, streamed straight into the new segment instead of re-sorted through Whoosh's
   posting pool: about three times faster);
3. under the write lock, for a moment: documents deleted from the old segments meanwhile are
   deleted in the new one, its files move into the index and one commit swaps it for them.

Commits only add segments, so the swap only fails if a rebuild replaced the index
meanwhile; it is then abandoned. One
compaction runs at a time (an ``flock``), and it plans again until nothing is due, so what
writers made due while it ran is not left undone. A crash leaves the index as it was, and a
folder the next compaction removes. ``start_if_due`` runs it in a low-priority child
process, so that neither the GIL nor the write lock of the process that wrote is held.
"""

import heapq
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from itertools import takewhile
from operator import itemgetter
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader

from articles.checkpoints import checkpoint
from articles.index.whoosh.locks import compaction_lock_path, file_lock, write_lock_path
from articles.index.whoosh.writer import ArchiveSegmentWriter

#: Smaller segments are rewritten for their deletions only as part of a merge (below), and
#: the newest of them are merged first.
SMALL_SEGMENT_DOCS = 100
#: A larger segment with more than this share of its documents deleted is rewritten.
MAX_DELETED = 0.05
#: Beyond this many segments, the newest small ones are merged (see ``plan``).
MAX_SEGMENTS = 20
#: Priority of the compaction process (``nice``): searches and saves come first.
NICENESS = 10


def plan(segments):
    """The segments compaction should rewrite into one (none if nothing is worth it).

    First the larger segments over ``MAX_DELETED`` deleted. Else, beyond ``MAX_SEGMENTS``,
    the newest small segments (saves add one each): neighbours, so merging them keeps every
    document's place in the index's order, the order ties in a ranking are listed in, page
    after page. Without two such, the smallest segments, down to half as many.
    """
    chosen = [
        s
        for s in segments
        if s.doc_count_all() >= SMALL_SEGMENT_DOCS
        and s.deleted_count() > MAX_DELETED * s.doc_count_all()
    ]
    if not chosen and len(segments) > MAX_SEGMENTS:
        chosen = list(takewhile(_is_small, reversed(segments)))[::-1]
        if len(chosen) < 2:
            by_size = sorted(segments, key=lambda s: s.doc_count_all())
            smallest = by_size[: len(segments) - MAX_SEGMENTS // 2 + 1]
            chosen = [s for s in segments if s in smallest]
    if len(chosen) == 1 and not chosen[0].deleted_count():
        return []
    return chosen


def _is_small(segment):
    return segment.doc_count_all() < SMALL_SEGMENT_DOCS


@dataclass
class Compaction:
    """What one compaction did."""

    segments: int  # rewritten into one
    documents: int  # live documents copied
    reclaimed: int  # deleted documents dropped
    seconds: float
    locked_seconds: float  # the write lock held for the swap
    bytes_before: int
    bytes_after: int

    def __str__(self):
        rewritten = (
            "1 segment rewritten" if self.segments == 1 else f"{self.segments} segments merged"
        )
        return (
            f"{rewritten}: {self.documents:,} documents kept, "
            f"{self.reclaimed:,} replaced or deleted ones dropped, "
            f"{self.bytes_before / 2**20:.1f} -> {self.bytes_after / 2**20:.1f} MiB "
            f"in {self.seconds:.1f} s (write lock held {self.locked_seconds * 1000:.0f} ms)"
        )


class Abandoned(Exception):
    """The index changed under the compaction in a way it cannot follow (a rebuild)."""


def compact(path, blocking=False, report=None):
    """Compact the Whoosh index in ``path`` until nothing is due; returns the ``Compaction``s.

    Returns None when another compaction holds the lock and ``blocking`` is false: that one
    looks again once it has released the lock, so what a writer made due meanwhile is not
    left undone. ``report`` is called with each ``Compaction`` as it is done. Raises
    ``Abandoned`` if a rebuild replaced the segments during a compaction.
    """
    path = Path(path)
    done = []
    while True:
        with file_lock(compaction_lock_path(path), blocking=blocking) as acquired:
            if not acquired:
                return done or None
            result = compact_once(path)
        if result is not None:
            done.append(result)
            if report is not None:
                report(result)
        elif not is_due(path):
            return done


def compact_once(path):
    """Rewrite what ``plan`` chooses, if anything (the caller holds the compaction lock)."""
    started = time.perf_counter()
    storage = FileStorage(str(path))
    index = storage.open_index()
    chosen = plan(index._segments())
    if not chosen:
        return None
    folder = path.with_name(f"{path.name}.compacting")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    try:
        before = index_bytes(path)
        new_segment, docmaps = copy_live_documents(storage, index.schema, chosen, folder)
        checkpoint("compaction:before-swap")  # copied into the folder, the index untouched
        locked_seconds = swap(path, chosen, new_segment, docmaps, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return Compaction(
        segments=len(chosen),
        documents=new_segment.doc_count_all(),
        reclaimed=sum(s.doc_count_all() for s in chosen) - new_segment.doc_count_all(),
        seconds=time.perf_counter() - started,
        locked_seconds=locked_seconds,
        bytes_before=before,
        bytes_after=index_bytes(path),
    )


def compaction_running(path):
    with file_lock(compaction_lock_path(path), blocking=False) as acquired:
        return not acquired


def copy_live_documents(storage, schema, segments, folder):
    """A new segment in ``folder`` with the live documents of ``segments``, in order.

    Returns it and, per segment, ``{old document number: new one}``. Whoosh's
    ``SegmentWriter.add_reader`` does the same but pushes every posting through its external
    sort; each segment's postings are already sorted and keep their order when renumbered,
    so a merge of the segments' streams is all the new segment needs.
    """
    writer = FileStorage(str(folder)).create_index(schema).writer(compound=False)
    try:
        fieldnames = set(schema.names())
        docmaps, streams = [], []
        for segment in segments:
            reader = SegmentReader(storage, schema, segment)
            live = list(reader.all_doc_ids())  # in order, deleted ones left out
            docmap = {old: writer.docnum + new for new, old in enumerate(live)}
            writer.write_per_doc(fieldnames, reader)
            docmaps.append(docmap)
            streams.append(_renumbered(reader.iter_postings(), docmap))
        writer.perdocwriter.close()
        lengths = _FieldLengths(writer.per_document_reader(), schema, writer.docnum)
        postings = heapq.merge(*streams, key=itemgetter(0, 1))  # stable: segments in order
        writer.fieldwriter.add_postings(schema, lengths, postings)
        writer.fieldwriter.close()
        return writer.get_segment(), docmaps
    finally:
        writer.pool.cleanup()
        writer._finish()  # releases the folder's lock and temporary files


def _renumbered(postings, docmap):
    for field, text, docnum, weight, value in postings:
        yield field, text, docmap[docnum], weight, value


class _FieldLengths:
    """Each document's field lengths, read once (the posting writer asks per posting)."""

    def __init__(self, per_document_reader, schema, doc_count):
        self.lengths = {
            name: [per_document_reader.doc_field_length(d, name) for d in range(doc_count)]
            for name, field in schema.items()
            if field.scorable
        }
        per_document_reader.close()

    def doc_field_length(self, docnum, fieldname, default=0):
        lengths = self.lengths.get(fieldname)
        return lengths[docnum] if lengths is not None else default


def swap(path, chosen, new_segment, docmaps, folder):
    """Replace the ``chosen`` segments by ``new_segment`` in one commit, under the write lock.

    Returns how long the lock was held (seconds).
    """
    chosen_ids = [s.segment_id() for s in chosen]

    def replace(writer, segments):
        current = {s.segment_id(): s for s in segments}
        if any(segment_id not in current for segment_id in chosen_ids):
            raise Abandoned("the index was rebuilt during the compaction")
        for old, docmap in zip(chosen, docmaps, strict=True):
            for docnum in set(current[old.segment_id()].deleted_docs()) - set(old.deleted_docs()):
                new_segment.delete_document(docmap[docnum])
        for name in os.listdir(folder):
            if name.startswith(f"{new_segment.segment_id()}."):
                os.replace(folder / name, path / name)
        first = next(n for n, s in enumerate(segments) if s.segment_id() in chosen_ids)
        kept = [s for s in segments if s.segment_id() not in chosen_ids]
        return kept[:first] + ([new_segment] if new_segment.doc_count_all() else []) + kept[first:]

    with file_lock(write_lock_path(path)):
        locked = time.perf_counter()
        writer = ArchiveSegmentWriter(FileStorage(str(path)).open_index(), timeout=300)
        try:
            writer.commit(mergetype=replace)
        except BaseException:
            writer.cancel()
            raise
        return time.perf_counter() - locked


def index_bytes(path):
    """Bytes of the index's files: its table of contents and its segments' (not the files of
    segments dropped moments ago, deleted after ``RETIRED_GRACE``)."""
    index = FileStorage(str(path)).open_index()
    toc = f"_{index.indexname}_{index.latest_generation()}"
    names = {s.segment_id() for s in index._segments()} | {toc}
    return sum(
        entry.stat().st_size for entry in Path(path).iterdir() if entry.name.split(".")[0] in names
    )


def is_due(path):
    """Whether the Whoosh index in ``path`` has segments ``plan`` would rewrite."""
    return bool(plan(FileStorage(str(path)).open_index()._segments()))


class _Starter:
    """Starts compaction processes from this process, one at a time per index."""

    def __init__(self):
        self.lock = threading.Lock()
        self.processes = {}  # index path: the last compaction process started for it

    def start_if_due(self, path):
        """Start ``manage.py compact_index`` on the index in ``path`` if it is due.

        The process runs detached and at low priority, its output appended to
        ``<path>.compaction.log``; this one neither waits for it nor holds anything it needs.
        None is started while one is running: the running one, or this process once its own
        has finished, looks again.
        """
        with self.lock:
            running = self.processes.get(str(path))
            if running is not None and running.poll() is None:
                return False
            if not is_due(path) or compaction_running(path):
                return False
            command = ["compact_index", "--no-wait", "--index-path", str(path)]
            with open(f"{path}.compaction.log", "ab") as log_file:
                process = self.processes[str(path)] = subprocess.Popen(
                    [sys.executable, "manage.py", *command],
                    cwd=Path(__file__).resolve().parents[3],  # the project, where manage.py is
                    stdin=subprocess.DEVNULL,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    preexec_fn=lambda: os.nice(NICENESS),
                )
            threading.Thread(target=self._reap, args=(process, path), daemon=True).start()
            return True

    def _reap(self, process, path):
        """Wait for ``process``; then start another if writes made the index due meanwhile
        (not after a failure: the next write tries again)."""
        if process.wait() == 0:
            self.start_if_due(path)


_starter = _Starter()
os.register_at_fork(after_in_child=_starter.__init__)
start_if_due = _starter.start_if_due
