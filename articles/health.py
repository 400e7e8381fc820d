"""Is this archive fit to serve? The database, the search index and the index queue.

``/healthz`` answers with ``report()``: cheap enough to poll every few seconds, it counts the
articles, asks the index how many documents it holds (no comparison of documents: that is
``manage.py check_index``) and reads the queue's depth and its oldest row. The counts agree
when they differ by no more than the updates still queued (an ingest's articles are
queued in the transaction that adds them, and leave the queue when the index has them).
"""

import time
from dataclasses import asdict, dataclass

from django.db import DatabaseError
from django.db.models import Count, Min
from django.utils import timezone

from articles.index.engines import IndexMissing, get_engine
from articles.models import Article, PendingIndexUpdate

#: A queue whose oldest update waited longer than this while no writer is at work is stuck
#: (index writes fail). An ingest's rows are as old as the ingest when they commit, and the
#: ingest holds the index's write lock until it has indexed them.
QUEUE_STUCK_SECONDS = 15 * 60
#: Pause before counting again when the counts disagree (an index commit may land between
#: the reads).
RECOUNT_PAUSE = 0.5


@dataclass
class Check:
    """One check's outcome: the figures it read, and what is wrong (and the fix) if it failed."""

    ok: bool
    error: str = ""
    articles: int | None = None
    documents: int | None = None
    depth: int | None = None
    oldest_seconds: float | None = None

    def as_json(self):
        return {key: value for key, value in asdict(self).items() if value not in (None, "")}


def report():
    """``{"ok": bool, "failed": [names], "checks": {name: {...}}}`` for ``/healthz``."""
    checks = _checks()
    if not checks["search_index"].ok and checks["search_index"].documents is not None:
        time.sleep(RECOUNT_PAUSE)
        checks = _checks()
    failed = [name for name, check in checks.items() if not check.ok]
    return {
        "ok": not failed,
        "failed": failed,
        "checks": {name: check.as_json() for name, check in checks.items()},
    }


def _checks():
    queue_before = queue()
    database = articles()
    index = search_index(database.articles)
    queue_after = queue()
    if index.ok and database.ok and queue_before.ok and queue_after.ok:
        allowed = max(queue_before.depth, queue_after.depth)
        if abs(index.documents - database.articles) > allowed:
            index.ok = False
            index.error = (
                f"the index holds {index.documents} documents for {database.articles} articles "
                f"({allowed} updates queued): run manage.py check_index --fix"
            )
    return {"database": database, "search_index": index, "index_queue": queue_after}


def articles():
    """The database answers: how many articles it holds."""
    try:
        return Check(ok=True, articles=Article.objects.count())
    except DatabaseError as exc:
        return Check(ok=False, error=f"database unreachable or not migrated: {exc}")


def search_index(expected):
    """The index can be read: how many documents it holds."""
    try:
        return Check(ok=True, documents=get_engine().document_count())
    except IndexMissing as exc:
        fix = "manage.py reindex" if expected else "manage.py ingest (or reindex)"
        return Check(ok=False, error=f"{exc}: run {fix}")
    except Exception as exc:
        return Check(ok=False, error=f"search index unreadable: {type(exc).__name__}: {exc}")


def queue():
    """The index queue's depth, and whether its oldest update has waited too long."""
    try:
        figures = PendingIndexUpdate.objects.aggregate(depth=Count("pk"), oldest=Min("queued"))
    except DatabaseError as exc:
        return Check(ok=False, error=f"index queue unreadable: {exc}")
    if figures["oldest"] is None:
        return Check(ok=True, depth=0)
    waited = round((timezone.now() - figures["oldest"]).total_seconds(), 1)
    stuck = waited > QUEUE_STUCK_SECONDS and not get_engine().writing()
    check = Check(ok=not stuck, depth=figures["depth"], oldest_seconds=waited)
    if not check.ok:
        check.error = (
            f"{figures['depth']} index updates queued, the oldest {waited:.0f} s ago, and no "
            "index writer at work: index writes are failing (see the log); "
            "manage.py drain_index_queue retries them"
        )
    return check
