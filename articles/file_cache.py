"""The default cache (files in ``ARCHIVE_DATA_DIR``): Django's file cache, made to degrade on a
full disk and to write in constant time.

- Django's ``FileBasedCache`` raises when it cannot write an entry; a cache is an
  optimisation, so here a failed write is logged and the value simply not kept: pages go on
  being served, computed afresh, when the disk is full.
- Before every write, Django's lists the whole cache folder to see whether it is over
  ``MAX_ENTRIES`` (5.7 ms a write at 4,900 entries, on every search through the rate limit
  and every cached figure; ``docs/benchmarks.md``). This one looks once every
  ``MAX_ENTRIES // 100`` writes of a cache object (one per thread), and culls as Django
  does, so the folder can go over the limit by that many entries per thread, no more.
"""

import itertools
import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache

log = logging.getLogger(__name__)


class TolerantFileBasedCache(FileBasedCache):
    def __init__(self, dir, params):
        super().__init__(dir, params)
        self._check_every = max(1, self._max_entries // 100)
        self._writes = itertools.count()

    def _cull(self):
        if next(self._writes) % self._check_every == 0:
            super()._cull()

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
