"""The default cache's write time as it fills: Django's ``FileBasedCache`` against the
archive's (``articles.file_cache``), in the same run.

    .venv/bin/python benchmarks/bench_cache.py [--writes 500]

Each cache gets a fresh folder filled to 0, 1,000 and 4,900 entries (its ``MAX_ENTRIES`` is
5,000, as in ``archive/settings.py``), then ``--writes`` more writes are timed (median of
blocks of 50). A search writes once (the rate limit's counter), a first view of an article or a
person writes its cached figures. Prints a Markdown table.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")


def write_ms(cache_class, filled, writes):
    """Median ms of one write, in blocks of 50, into a cache of ``filled`` entries."""
    with tempfile.TemporaryDirectory() as folder:
        cache = cache_class(folder, {"OPTIONS": {"MAX_ENTRIES": 5000}})
        for number in range(filled):
            cache.set(f"filled-{number}", number)
        blocks = []
        for block in range(writes // 50):
            started = time.perf_counter()
            for number in range(50):
                cache.set(f"timed-{block}-{number}", number)
            blocks.append((time.perf_counter() - started) * 1000 / 50)
        return statistics.median(blocks)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--writes", type=int, default=500)
    args = parser.parse_args()
    import django

    django.setup()
    from django.core.cache.backends.filebased import FileBasedCache

    from articles.file_cache import TolerantFileBasedCache

    print("| entries | Django's FileBasedCache ms/write | the archive's | ratio |")
    print("| ---: | ---: | ---: | ---: |")
    for filled in (0, 1000, 4900):
        django_ms = write_ms(FileBasedCache, filled, args.writes)
        ours_ms = write_ms(TolerantFileBasedCache, filled, args.writes)
        print(f"| {filled:,} | {django_ms:.2f} | {ours_ms:.2f} | {ours_ms / django_ms:.2f} |")


if __name__ == "__main__":
    main()
