"""The default cache's write and count times as it fills: Django's ``FileBasedCache`` against
the archive's (``articles.file_cache``), in the same run.

    .venv/bin/python benchmarks/bench_cache.py [--writes 500]

Each cache gets a fresh folder filled to 0, 1,000 and 4,900 entries (its ``MAX_ENTRIES`` is
5,000, as in ``archive/settings.py``), then ``--writes`` more writes are timed (median of
blocks of 50), and as many increments of one counter. A search counts once (the rate limit),
a first view of an article or a person writes its cached figures. Prints a Markdown table.
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


def write(cache, block, number):
    cache.set(f"timed-{block}-{number}", number)


def count(cache, block, number):
    cache.incr("counter")


def operation_ms(cache_class, filled, times, operation):
    """Median ms of one ``operation``, in blocks of 50, on a cache of ``filled`` entries."""
    with tempfile.TemporaryDirectory() as folder:
        cache = cache_class(folder, {"OPTIONS": {"MAX_ENTRIES": 5000}})
        for number in range(filled):
            cache.set(f"filled-{number}", number)
        cache.set("counter", 0)
        blocks = []
        for block in range(times // 50):
            started = time.perf_counter()
            for number in range(50):
                operation(cache, block, number)
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

    print("| operation | entries | Django's FileBasedCache ms | the archive's ms | ratio |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for operation in (write, count):
        for filled in (0, 1000, 4900):
            django_ms = operation_ms(FileBasedCache, filled, args.writes, operation)
            ours_ms = operation_ms(TolerantFileBasedCache, filled, args.writes, operation)
            print(
                f"| {operation.__name__} | {filled:,} | {django_ms:.2f} | {ours_ms:.2f} "
                f"| {ours_ms / django_ms:.2f} |"
            )


if __name__ == "__main__":
    main()
