"""Limits on searching, so that no client and no burst starves the others.

- **Per client**: at most ``settings.SEARCH_RATE`` searches (``(count, seconds)``) per
  window, counted in the shared cache under the client's address (the same address the
  admin lockout uses: ``ARCHIVE_PROXY_COUNT`` says how many proxies to look behind). Over it:
  429 with ``Retry-After``. A fixed-window counter (``cache.add`` then ``cache.incr``);
  atomic on Redis, nearly so on the file cache, which is enough to stop a scraper.
  (django-ratelimit does the same, but its system checks refuse the file cache the
  embedded default uses.)
- **Per worker**: at most ``settings.SEARCH_CONCURRENCY`` searches at once in one process;
  one more waits up to ``SLOT_WAIT`` seconds for a slot, then gets 503 with ``Retry-After``,
  so that browse pages keep threads to run on.
"""

import threading
import time
from functools import wraps

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

#: Seconds a search waits for one of its worker's slots before it is turned away.
SLOT_WAIT = 2.0
BUSY_RETRY_AFTER = 5

_slots = None
_slots_lock = threading.Lock()


def _search_slots():
    """This process's semaphore of ``SEARCH_CONCURRENCY`` slots (made on first use)."""
    global _slots
    with _slots_lock:
        if _slots is None:
            _slots = threading.BoundedSemaphore(settings.SEARCH_CONCURRENCY)
        return _slots


def over_rate(request, group):
    """Whether this request's client is over ``SEARCH_RATE`` for ``group``; then the seconds
    until its window ends, else 0."""
    if not settings.SEARCH_RATE:
        return 0
    count, seconds = settings.SEARCH_RATE
    now = time.time()
    window = int(now // seconds)
    key = f"search-rate:{group}:{get_client_ip_address(request)}:{window}"
    cache.add(key, 0, seconds + 1)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        used = 1
        cache.set(key, used, seconds + 1)
    return int((window + 1) * seconds - now) + 1 if used > count else 0


def limited(group):
    """A view decorator applying both limits to the searches of ``group``."""

    def decorator(view):
        @wraps(view)
        def limited_view(request, *args, **kwargs):
            if wait := over_rate(request, group):
                return _refused(
                    429,
                    wait,
                    f"Too many searches from your address; please wait {wait} seconds.",
                )
            slots = _search_slots()
            if not slots.acquire(timeout=SLOT_WAIT):
                return _refused(
                    503,
                    BUSY_RETRY_AFTER,
                    "The archive is answering many searches right now; please try again in a "
                    "few seconds.",
                )
            try:
                return view(request, *args, **kwargs)
            finally:
                slots.release()

        return limited_view

    return decorator


def _refused(status, retry_after, message):
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    return response
