"""What each process keeps until the archive changes (``archive_cache.kept_in_process``)."""

import itertools

import pytest
from django.core.cache import cache

from articles.archive_cache import kept_in_process, move_version

pytestmark = pytest.mark.django_db


def test_kept_until_the_archive_changes():
    computed = itertools.count()
    assert kept_in_process("test-figure", lambda: next(computed)) == 0
    assert kept_in_process("test-figure", lambda: next(computed)) == 0
    move_version()
    assert kept_in_process("test-figure", lambda: next(computed)) == 1


def test_nothing_is_kept_when_the_cache_keeps_no_version(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert cache.get("anything") is None  # (a cache that keeps nothing, as on a full disk)
    computed = itertools.count()
    assert [kept_in_process("test-figure", lambda: next(computed)) for _ in range(3)] == [0, 1, 2]
