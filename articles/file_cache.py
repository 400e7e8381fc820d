"""The default cache (files in ``ARCHIVE_DATA_DIR``): Django's file cache, made to degrade on a
full disk and to write in constant time.

- Django's ``FileBasedCache`` raises when it cannot write an entry; a cache is an
  optimisation, so here a failed write is logged and the value simply not kept: pages go on
  being served, computed afresh, when the disk is full.
- Before every write, Django's lists the whole cache folder to see whether it is over
  ``MAX_ENTRIES`` (5.7 ms a write at 4,900 entries, on every search through the rate limit
  and every cached figure; ``docs/benchmarks.md``). This one looks once every
  ``MAX_ENTRIES // 100`` writes of a cache object (one per thread), and culls as Django
  does, so the folder can go over the limit by that many entries per thread, no more. The
  folder is listed with one ``scandir`` rather than Django's ``glob`` (4 ms, not 10, at 4,600).
- Django's ``incr`` is a ``get`` then a ``set``: two processes counting at once lose counts,
  and the ``set`` writes a new file renamed over the old one, which ext4 flushes (0.4 ms, on
  every search through its rate limit). This one rewrites the number in place under a lock, as
  Django's ``touch`` rewrites an expiry: no count lost, the expiry kept (as Redis keeps it).
"""

import itertools
import logging
import os
import pickle
import zlib

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.files import locks

log = logging.getLogger(__name__)


class TolerantFileBasedCache(FileBasedCache):
    def __init__(self, dir, params):
        super().__init__(dir, params)
        self._check_every = max(1, self._max_entries // 100)
        self._writes = itertools.count()

    def _cull(self):
        if next(self._writes) % self._check_every == 0:
            super()._cull()

    def _list_cache_files(self):
        try:
            with os.scandir(self._dir) as found:
                return [entry.path for entry in found if entry.name.endswith(self.cache_suffix)]
        except FileNotFoundError:
            return []

    def incr(self, key, delta=1, version=None):
        try:
            with open(self._key_to_file(key, version), "r+b") as f:
                locks.lock(f, locks.LOCK_EX)  # released when the file is closed
                if self._is_expired(f):  # (which deletes and closes it)
                    raise FileNotFoundError
                number_at = f.tell()  # after the expiry, which is kept
                number = pickle.loads(zlib.decompress(f.read())) + delta
                f.seek(number_at)
                f.write(zlib.compress(pickle.dumps(number, self.pickle_protocol)))
                f.truncate()
                return number
        except FileNotFoundError:
            raise ValueError(f"Key '{key}' not found") from None
        except OSError as exc:  # as for a write that failed: the count is not kept
            log.warning("Cache entry not counted (%s)", exc)
            raise ValueError(f"Key '{key}' not counted") from exc

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except OSError as exc:
            log.warning("Cache entry not kept (%s)", exc)
            return False

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except OSError as exc:
            log.warning("Cache entry not kept (%s)", exc)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except OSError as exc:
            log.warning("Cache entry not touched (%s)", exc)
            return False
