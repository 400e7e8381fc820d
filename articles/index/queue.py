"""The queue of pending index updates, and draining it into the search engine.

Every change that alters what the index holds for an article queues the article's id in
``PendingIndexUpdate`` in the transaction that makes the change (``articles.index.receivers``),
so a committed change is in the queue whatever crashes afterwards. (A bare ``save()`` outside
a transaction is two commits, the row and its queue entry; ``check_index --fix`` covers a
crash between them.)

After the commit, the process's index thread drains the queue (``drain``): in a database
transaction it claims a batch of rows (``SELECT ... FOR UPDATE SKIP LOCKED`` where the
database has it, PostgreSQL; SQLite's write lock otherwise), locks those articles' rows
(so that two drainers never write one article's document in the wrong order), writes the
documents through the engine (``articles.index.engines``), deletes exactly the rows it
claimed, and commits. Several processes, on several machines, can drain one queue: none
writes an update another has claimed, and a crash leaves the rows queued. An engine that
allows one writer (Whoosh) is also held under its write lock meanwhile.

The saving caller waits for its change at most ``SAVE_WAIT``, so no save stalls behind
another process's index work. A large bulk change inside a transaction (an ingest's
batches) is fed to the engine while the transaction runs and committed right after it
(``_Stream``). A failed index write leaves its rows queued, is logged, and is raised to
the caller waiting for it; ``check_index`` reports rows still queued and
``drain_index_queue`` retries them.
"""

import logging
import os
import threading

from django import db
from django.db import transaction

from articles.checkpoints import checkpoint
from articles.index.engines import BULK_THRESHOLD, get_engine
from articles.models import Article, PendingIndexUpdate

log = logging.getLogger(__name__)

#: Queue rows claimed per transaction of a drain.
DRAIN_BATCH = 5000
#: Articles in one bulk change inside a transaction from which they are indexed as it runs.
STREAM_THRESHOLD = 200
#: Seconds a save waits for its change to be indexed (then the index thread carries on).
SAVE_WAIT = 0.5


def enqueue(article_ids, stream=False):
    """Queue these articles for re-indexing, and have them indexed once the transaction commits.

    With ``stream`` (bulk changes inside a transaction: an ingest's batches), they are fed to
    the engine while the transaction runs and committed right after it (see ``_Stream``).
    """
    ids = sorted({int(pk) for pk in article_ids if pk is not None})
    rows = PendingIndexUpdate.objects.bulk_create(
        [PendingIndexUpdate(article_id=pk) for pk in ids], batch_size=2000
    )
    connection = transaction.get_connection()
    current = _current_stream(connection)
    if current is None and stream and len(ids) >= STREAM_THRESHOLD:
        try:
            current = _streams.current = _Stream(connection)
        except Exception:
            log.warning("Cannot index as the ingest goes; left to the queue", exc_info=True)
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

    A change of a few articles waits at most ``SAVE_WAIT`` (then the thread carries on alone,
    and no writer waits on another's index work); a bulk change (an ingest's stream, thousands
    of articles) waits until its articles are indexed. An index error in the awaited pass is
    not raised: the change is committed and stays queued. It is kept for ``pop_index_error``,
    so that the admin and the ingest command can say so.
    """
    count, _queued.count = getattr(_queued, "count", 0), 0
    bulk = count >= BULK_THRESHOLD
    try:
        current = getattr(_streams, "current", None)
        if current is not None:
            bulk, _streams.current = True, None
            current.commit()
        ticket = _drainer.request()
        _drainer.wait(ticket, None if bulk else SAVE_WAIT)
    except Exception as exc:
        _queued.error = exc


def pop_index_error():
    """The index error this thread's changes met since the last call, if any."""
    error, _queued.error = getattr(_queued, "error", None), None
    return error


class _Stream:
    """The index batch of one large transaction, fed while it runs, committed after it.

    An ingest changes articles batch by batch in one transaction: their documents go to the
    engine's bulk batch as each batch is written (Whoosh's writer processes index them
    meanwhile), and the engine commits once the database has. The queue rows commit with the
    articles, so a crash or a rollback loses nothing; the stream deletes its rows after its
    engine commit, in a transaction that claims them as a drain would. Indexing is not what
    the transaction is for: if the engine fails (a full disk), the stream stops and the ingest
    goes on, its changes left to the queue's drain.
    """

    def __init__(self, connection):
        self.block = connection.atomic_blocks[0]
        self.batch = get_engine().batch(bulk=True)
        self.fed, self.rows = set(), []
        self.failed = False

    def add(self, ids, rows):
        """Feed the articles not fed yet; returns the others (left to the queue's drain)."""
        if self.failed:
            return ids
        fresh = [pk for pk in ids if pk not in self.fed]
        self.fed.update(fresh)
        fresh_rows = set(fresh)
        self.rows += [row.pk for row in rows if row.article_id in fresh_rows]
        try:
            self.batch.update(fresh)
        except Exception:
            log.warning("Indexing as the ingest goes failed; left to the queue", exc_info=True)
            self.failed = True
            self.batch.cancel()
        return [pk for pk in ids if pk not in fresh_rows]

    def commit(self):
        if self.failed:
            return
        checkpoint("stream:before-index-commit")  # the database has committed
        with transaction.atomic():
            claimed = []
            for start in range(0, len(self.rows), DRAIN_BATCH):
                chunk = PendingIndexUpdate.objects.filter(
                    pk__in=self.rows[start : start + DRAIN_BATCH]
                )
                claimed += [pk for pk, _ in _claim(chunk, DRAIN_BATCH)]
            try:
                self.batch.commit()
            except Exception:
                log.error("Search index write failed; %d changes stay queued", len(self.rows))
                raise
            PendingIndexUpdate.objects.delete_rows(claimed)

    def cancel(self):
        self.batch.cancel()


def cancel_stream():
    """Drop this thread's stream, if any: its transaction rolled back (Django has no hook for
    that, so the bulk writer that changed the transaction calls this)."""
    current, _streams.current = getattr(_streams, "current", None), None
    if current is not None:
        current.cancel()


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


def _claim(rows, limit):
    """Lock up to ``limit`` queue ``rows`` that no other drainer holds, in the running
    transaction; their ``(pk, article_id)`` pairs.

    ``SKIP LOCKED`` on PostgreSQL; SQLite has no row locks, and its write lock (taken by
    the transaction) already makes drainers take turns.
    """
    locked = rows.select_for_update(skip_locked=True).order_by("pk")
    return list(locked.values_list("pk", "article_id")[:limit])


def drain(engine=None, batch_size=DRAIN_BATCH):
    """Index what is queued, taking turns with other drainers; returns the article ids written.

    Each transaction claims up to ``batch_size`` rows. Errors are raised; their rows stay
    queued.
    """
    engine = engine or get_engine()
    written = []
    if not PendingIndexUpdate.objects.exists():
        return written
    with engine.write_lock():
        while True:
            with transaction.atomic():
                claimed = _claim(PendingIndexUpdate.objects.all(), batch_size)
                if not claimed:
                    break
                ids = sorted({article_id for _, article_id in claimed})
                _write(engine, ids)
                PendingIndexUpdate.objects.delete_rows(pk for pk, _ in claimed)
            written += ids
    return written


def _write(engine, ids):
    """Write the documents of the articles ``ids`` (removing those gone) in one engine commit.

    The articles' rows are locked first: a drainer claiming a later change of one of them
    waits until this one has written, so the engine gets the newer document last.
    """
    present = list(
        Article.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    try:
        with engine.batch(bulk=len(present) >= BULK_THRESHOLD) as batch:
            batch.update(present)
            batch.remove(sorted(set(ids) - set(present)))
    except Exception:
        log.error("Search index write failed; %d changes stay queued", len(ids))
        raise


class _Drainer:
    """This process's index thread: on request, drains the queue, waiting for the lock.

    Every process that queued something runs one, so no row waits for another process's
    goodwill; the database lock makes them take turns. Not a daemon: a process finishes its
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
                    engine = get_engine()
                    drain(engine)
                except Exception as exc:
                    log.exception("Search index update failed; the changes stay queued")
                    error = exc
                with self.condition:
                    self.finished = serving
                    self.outcomes = [*self.outcomes[-20:], (serving, error)]
                    self.condition.notify_all()
                if error is None:
                    _after_write(engine)
                with self.condition:
                    if self.requested == serving:
                        self.thread = None
                        return
        finally:
            db.connections.close_all()


def _after_write(engine):
    try:
        engine.after_write()
    except Exception:
        log.exception("Housekeeping after an index write failed")


_drainer = _Drainer()
# A forked child (gunicorn --preload, Whoosh's sub-writers) has no copy of the thread.
os.register_at_fork(after_in_child=_drainer.__init__)
