"""Where a request's time goes: cProfile over many requests of one kind, in one process.

    .venv/bin/python benchmarks/profile_requests.py --data DIR [--kind search] [--requests 200]

``DIR`` is an archive built by ``bench_search_http.py`` or ``load.py`` (``--data``). Requests
go through Django's whole stack (middleware, views, templates) with the test client, after a
warm-up round: ``search`` (the search benchmark's 57 searches, in turn), ``article`` (random
articles, first views: the related list computed), ``browse`` (the load benchmark's browsing
pages). Prints the functions with the most time of their own, and the most time below them.
"""

import argparse
import cProfile
import io
import os
import pstats
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def paths(kind, client):
    """The paths of one kind of request, as the load benchmark picks them."""
    from bench_pages import browsing_pages
    from bench_search_http import searches

    class Local:
        """``get(url)`` for the benchmarks' helpers, through the test client."""

        def __call__(self, url):
            return client.get(url.removeprefix("local")).content.decode()

    import bench_pages
    import bench_search_http

    bench_pages.get = bench_search_http.get = Local()
    if kind == "search":
        return [f"/search/?{query}" for query in searches("local")]
    if kind == "article":
        from articles.models import Article

        return [a.get_absolute_url() for a in Article.objects.order_by("?")[:1000]]
    pages = browsing_pages("local")
    return [p for k, ps in pages.items() if not k.startswith(("article", "Atom")) for p in ps]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, type=Path)
    parser.add_argument("--kind", choices=["search", "article", "browse"], default="search")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--dump", type=Path, help="also save the profile here (pstats)")
    args = parser.parse_args()
    os.environ.update(
        ARCHIVE_DATA_DIR=str(args.data.resolve()),
        DJANGO_SETTINGS_MODULE="archive.settings",
        DJANGO_DEBUG="0",
    )
    sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]
    import django

    django.setup()
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    rng = random.Random(3)
    chosen = paths(args.kind, client)
    for path in chosen[:60]:  # warm-up: searchers open, facet tables built, templates loaded
        assert client.get(path).status_code == 200, path
    picks = [rng.choice(chosen) for _ in range(args.requests)]
    profile = cProfile.Profile()
    profile.enable()
    for path in picks:
        client.get(path)
    profile.disable()
    if args.dump:
        profile.dump_stats(args.dump)
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out).strip_dirs().sort_stats(order)
        stats.print_stats(args.top)
        print(f"## {args.kind}: {args.requests} requests, by {order}\n{out.getvalue()}")


if __name__ == "__main__":
    main()
