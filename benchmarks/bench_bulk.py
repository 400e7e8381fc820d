"""Bulk scoring (``articles/index/whoosh/bulk.py``) against Whoosh's own matchers, one process.

    .venv/bin/python benchmarks/bench_bulk.py --data DIR [--rounds 5] [--articles 40]

``DIR`` is a built archive (``scale.py``'s, ``bench_search_http.py --data``'s). For each of
the search page's heaviest kinds of query, as the backend runs them (every match counted, the
top 20 scored): Whoosh's collector, the bulk scorer on its first run in the process (its
common words' postings decoded) and again (decoded postings kept); the median of ``--rounds``.
Each answer is checked to be the same (the top 20, their scores and the count). Then
more-like-this for ``--articles`` random articles: Whoosh's top N (skipping blocks) against
the bulk scorer (which counts every match), and how often each finds the true top 6 (every
match scored by Whoosh).
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

QUERIES = [
    "said",
    "market",
    "wheat",
    "bank*",
    "presid*",
    "interest rates",
    "oil prices",
    "oil AND NOT opec",
    "coffee OR cocoa",
    '"interest rates"',
    '"united states"',
    '"trade deficit"',
]


def timed(run):
    started = time.perf_counter()
    answer = run()
    return (time.perf_counter() - started) * 1000, answer


def same(ours, theirs):
    return ours.top_n == theirs.top_n and len(ours) == len(theirs)


def searches(backend, searcher, rounds):
    from articles.index.whoosh import backend as whoosh_backend
    from articles.index.whoosh import bulk

    def whoosh(query):
        collector = whoosh_backend._with_every_match(searcher.collector(limit=20))
        searcher.search_with_collector(query, collector)
        return collector.results()

    print("| query | matches | Whoosh ms | bulk, first run ms | bulk ms | ratio | same |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for text in QUERIES:
        query = backend.parser.parse(text).accept(whoosh_backend._our_nodes)
        first, ours = timed(lambda q=query: bulk.search(searcher, q, 20))
        theirs = whoosh(query)
        whoosh_ms = statistics.median(timed(lambda q=query: whoosh(q))[0] for _ in range(rounds))
        bulk_ms = statistics.median(
            timed(lambda q=query: bulk.search(searcher, q, 20))[0] for _ in range(rounds)
        )
        print(
            f"| `{text}` | {len(theirs):,} | {whoosh_ms:.1f} | {first:.1f} | {bulk_ms:.1f} | "
            f"{bulk_ms / whoosh_ms:.2f} | {same(ours, theirs)} |"
        )


def more_like_this(backend, searcher, articles):
    from haystack.utils import get_identifier

    from articles.index.whoosh import bulk
    from articles.models import Article

    ids = list(Article.objects.values_list("pk", flat=True))
    whoosh_ms, bulk_ms, whoosh_right, bulk_right = [], [], 0, 0
    for pk in random.Random(7).sample(ids, articles):
        docnum = searcher.document_number(id=get_identifier(Article.objects.get(pk=pk)))
        query = backend.more_like_this_query(searcher, docnum)
        truth = [hit.docnum for hit in searcher.search(query, limit=None)[:6]]
        took, theirs = timed(lambda q=query: searcher.search(q, limit=6))
        whoosh_ms.append(took)
        whoosh_right += [hit.docnum for hit in theirs[:6]] == truth
        took, ours = timed(lambda q=query: bulk.search(searcher, q, 6, keep_decoded=False))
        bulk_ms.append(took)
        bulk_right += [hit.docnum for hit in ours[:6]] == truth
    print("\n| more-like-this | p50 ms | mean ms | the true top 6 |")
    print("| --- | ---: | ---: | ---: |")
    for name, times, right in (
        ("Whoosh's top N", whoosh_ms, whoosh_right),
        ("bulk", bulk_ms, bulk_right),
    ):
        print(
            f"| {name} | {statistics.median(times):.1f} | {statistics.mean(times):.1f} | "
            f"{right} of {articles} |"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--articles", type=int, default=40)
    args = parser.parse_args()
    os.environ.update(
        ARCHIVE_DATA_DIR=str(args.data.resolve()),
        DJANGO_SETTINGS_MODULE="archive.settings",
        DJANGO_DEBUG="0",
    )
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from haystack import connections

    backend = connections["default"].get_backend()
    searcher = backend.searcher()
    print(
        f"{args.data}: {searcher.doc_count():,} documents in {len(searcher.leaf_searchers())} "
        f"segments; {os.popen('uptime').read().strip()}\n"
    )
    searches(backend, searcher, args.rounds)
    more_like_this(backend, searcher, args.articles)


if __name__ == "__main__":
    main()
