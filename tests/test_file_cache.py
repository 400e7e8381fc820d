"""The default cache (files in the data folder): bounded, and cheap to write to however full."""

import multiprocessing
import time

import pytest

from articles.file_cache import TolerantFileBasedCache


def file_cache(folder, **options):
    timeout = options.pop("TIMEOUT", 300)
    return TolerantFileBasedCache(str(folder), {"TIMEOUT": timeout, "OPTIONS": options})


def entries(folder):
    return len(list(folder.glob("*.djcache")))


def test_the_cache_stays_within_its_limit_give_or_take_one_check(tmp_path):
    cache = file_cache(tmp_path, MAX_ENTRIES=300)
    for number in range(2000):
        cache.set(f"key-{number}", number)
    assert 100 < entries(tmp_path) <= 300 + 3  # culled as Django does, checked every 3 writes


def test_a_write_does_not_list_the_whole_folder(tmp_path, monkeypatch):
    cache = file_cache(tmp_path, MAX_ENTRIES=5000)
    listings = []
    list_files = cache._list_cache_files
    monkeypatch.setattr(cache, "_list_cache_files", lambda: listings.append(1) or list_files())
    for number in range(500):
        cache.set(f"key-{number}", number)
    assert len(listings) == 10  # once every 50 writes, not 500 times
    assert cache.get("key-499") == 499


def test_entries_written_without_a_timeout_expire_after_the_default_one(tmp_path):
    cache = file_cache(tmp_path, TIMEOUT=1)
    cache.set("set", 1)
    cache.add("added", 1)
    cache.set("counter", 1)
    cache.incr("counter")  # as the search rate limit counts
    assert cache.get_many(["set", "added", "counter"]) == {"set": 1, "added": 1, "counter": 2}
    time.sleep(1.2)
    assert cache.get_many(["set", "added", "counter"]) == {}


def count_in_a_process(folder, times):
    cache = file_cache(folder)
    for _ in range(times):
        cache.incr("searches")


def test_counts_from_several_processes_at_once_are_all_kept(tmp_path):
    """Gunicorn's workers count one client's searches in the same entry."""
    file_cache(tmp_path).set("searches", 0)
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=count_in_a_process, args=(tmp_path, 150)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [worker.exitcode for worker in workers] == [0, 0, 0, 0]
    assert file_cache(tmp_path).get("searches") == 600


def test_counting_keeps_the_entrys_expiry_and_needs_an_entry(tmp_path):
    cache = file_cache(tmp_path, TIMEOUT=300)
    cache.set("window", 0, timeout=1)
    assert cache.incr("window", 5) == 5
    assert cache.incr("window") == 6
    time.sleep(1.2)
    with pytest.raises(ValueError):
        cache.incr("window")  # expired with the window it was set for, not 300 s later
    with pytest.raises(ValueError):
        cache.incr("never-set")
    assert cache.get("window") is None and cache.get("never-set") is None
