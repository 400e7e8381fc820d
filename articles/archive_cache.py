"""Figures computed over many articles, cached until the archive changes.

Every save or delete of an article, person or tag, every change of an article's
people or tags, and every bulk change (``articles_changed``) moves the archive's
*version*, and moves it again when its transaction commits (what was computed in
between read the data before the commit); cached figures, and the pages' HTTP
validators (``articles.http_cache``), are keyed by it.  The cache is shared by every
gunicorn worker (files in ``ARCHIVE_DATA_DIR``, or Redis with ``CACHE_URL``), so
a change made in one worker, the admin or an ingest is seen at once by all. A few small
things are kept in each process's memory instead, under the same version
(``kept_in_process``).
"""

import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from articles.models import Article, Person, Tag
from articles.signals import articles_changed

T = TypeVar("T")

VERSION_KEY = "articles:version"
CACHE_SECONDS = 300


def archive_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), None)
        version = cache.get(VERSION_KEY)
    return version


def cached(name: str, compute: Callable[[], T]) -> T:
    """``compute()``, cached under ``name`` until the archive changes."""
    key = f"articles:{name}:{archive_version()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


_in_process = {}  # name -> (archive version, value)


def kept_in_process(name: str, compute: Callable[[], T]) -> T:
    """``compute()``, kept in this process's memory until the archive changes: for small
    things nearly every request needs, where even the shared cache's read would cost more.
    Without a version (a cache that keeps nothing, as on a full disk), nothing is kept."""
    version = archive_version()
    kept = _in_process.get(name)
    if version is None or kept is None or kept[0] != version:
        kept = (version, compute())
        if version is not None:
            _in_process[name] = kept
    return kept[1]


def archive_changed(**kwargs):
    move_version()
    transaction.on_commit(move_version)


def move_version():
    cache.set(VERSION_KEY, time.time_ns(), None)


RECEIVERS = [
    (articles_changed, archive_changed, None),
    *(
        (signal, archive_changed, model)
        for model in (Article, Person, Tag)
        for signal in (post_save, post_delete)
    ),
    (m2m_changed, archive_changed, Article.people.through),
    (m2m_changed, archive_changed, Article.tags.through),
]
