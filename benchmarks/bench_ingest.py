"""Ingest throughput, database part only (indexing is measured by the index benchmarks).

    .venv/bin/python benchmarks/bench_ingest.py [FOLDER]   # default ../shared/corpus/reuters21578

Runs in a fresh ARCHIVE_DATA_DIR (a temporary SQLite database), three times:
first ingest (everything created), a re-ingest of the same files (everything
unchanged), and a re-ingest after every file changed (everything updated).
"""

import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "reuters21578"


def main():
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CORPUS
    work = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    os.environ["ARCHIVE_DATA_DIR"] = str(work / "data")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    from articles.ingest import find_files, ingest_files
    from articles.signals import articles_changed

    call_command("migrate", verbosity=0)
    articles_changed.receivers.clear()  # database part only: no index updates
    files = find_files([corpus])

    def timed(label, paths):
        started = time.perf_counter()
        report = ingest_files(paths)
        seconds = time.perf_counter() - started
        print(
            f"{label:<28} {len(paths):>6} files {seconds:7.2f} s "
            f"{len(paths) / seconds:8.0f} files/s   ({report.summary()})"
        )

    timed("first ingest", files)
    timed("re-ingest, unchanged", files)
    changed = work / "changed"
    changed.mkdir()
    for path in files:
        (changed / path.name).write_bytes(path.read_bytes() + b" Updated.")
    timed("re-ingest, every file changed", find_files([changed]))


if __name__ == "__main__":
    main()
