"""Named points in long operations where a crash test can stop a process to kill it there.

A test starts a process with ``ARCHIVE_PAUSE_AT`` set to a checkpoint's name and
``ARCHIVE_PAUSE_FILE`` to a path: on reaching that checkpoint the process creates the file
and waits there for good, so that the test can ``kill -9`` it at a known point
(``tests/test_indexing_crash.py``). Without ``ARCHIVE_PAUSE_AT`` a checkpoint does nothing.
"""

import os
import time
from pathlib import Path


def checkpoint(name):
    """Pause here for good if ``ARCHIVE_PAUSE_AT`` names this checkpoint (see above)."""
    if os.environ.get("ARCHIVE_PAUSE_AT") == name:
        Path(os.environ["ARCHIVE_PAUSE_FILE"]).touch()
        while True:
            time.sleep(3600)
