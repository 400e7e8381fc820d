"""Figures computed over many articles, cached until the archive changes.

Every save or delete of an article, person or tag, every change of an article's
people or tags, and every bulk change (``articles_changed``) moves the archive's
*version*; cached figures are keyed by it.  The cache is shared by every
gunicorn worker (files in ``ARCHIVE_DATA_DIR``, or Redis with ``CACHE_URL``), so
a change made in one worker, the admin or an ingest is seen at once by all.
"""

import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

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


@receiver(articles_changed)
@receiver(post_save, sender=Article)
@receiver(post_delete, sender=Article)
@receiver(post_save, sender=Person)
@receiver(post_delete, sender=Person)
@receiver(post_save, sender=Tag)
@receiver(post_delete, sender=Tag)
@receiver(m2m_changed, sender=Article.people.through)
@receiver(m2m_changed, sender=Article.tags.through)
def archive_changed(**kwargs):
    cache.set(VERSION_KEY, time.time_ns(), None)
