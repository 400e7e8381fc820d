"""Locks between processes that the kernel releases when their holder dies: Whoosh allows one
writer per index, and one compaction runs at a time."""

import fcntl
import os
import threading
from contextlib import contextmanager


class _LockDepth(threading.local):
    def __init__(self):
        self.depth = {}


_LOCKS = _LockDepth()


@contextmanager
def file_lock(path, blocking=True):
    """Hold an exclusive lock on ``path``; yields False instead if busy and not ``blocking``.

    Re-entrant within a thread. It is an ``flock``, so the kernel releases it when the
    process dies, even by ``kill -9``.
    """
    path = str(path)
    held = _LOCKS.depth.get(path, 0)
    if held:
        _LOCKS.depth[path] = held + 1
        try:
            yield True
        finally:
            _LOCKS.depth[path] -= 1
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        _LOCKS.depth[path] = 1
        try:
            yield True
        finally:
            _LOCKS.depth[path] = 0
    finally:
        os.close(fd)  # releases the flock


def write_lock_path(path):
    """The lock file of the index in ``path``: held by whoever writes it (one writer)."""
    return f"{path}.lock"


def compaction_lock_path(path):
    """The lock file held by the compaction of the index in ``path`` (one at a time)."""
    return f"{path}.compact.lock"
