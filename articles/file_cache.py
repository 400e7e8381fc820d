"""The default cache (files in ``ARCHIVE_DATA_DIR``), made to degrade on a full disk.

Django's ``FileBasedCache`` raises when it cannot write an entry; a cache is an optimisation,
so here a failed write is logged and the value simply not kept: pages go on being served,
computed afresh, when the disk is full.
"""

import logging

from django.core.cache.backends.filebased import FileBasedCache

log = logging.getLogger(__name__)


class TolerantFileBasedCache(FileBasedCache):
    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except OSError as exc:
            log.warning("Cache entry not kept (%s)", exc)
            return False

    def set(self, key, value, timeout=None, version=None):
        try:
            super().set(key, value, timeout, version)
        except OSError as exc:
            log.warning("Cache entry not kept (%s)", exc)

    def touch(self, key, timeout=None, version=None):
        try:
            return super().touch(key, timeout, version)
        except OSError as exc:
            log.warning("Cache entry not touched (%s)", exc)
            return False
