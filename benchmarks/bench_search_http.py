"""The search page through gunicorn over HTTP, against bare Whoosh on the same index.

    .venv/bin/python benchmarks/bench_search_http.py [--articles 20000] [--rounds 5]

1. Builds an archive of ``--articles`` articles in a fresh ``ARCHIVE_DATA_DIR``: the 2,000
   real Reuters-21578 articles from ``../shared/corpus/`` (real vocabulary: rare and common
   words, phrases) plus generated ones (``bench_pages.write_seeds``: people, tags, 2010-2017),
   through the real ``migrate``, ``collectstatic`` and ``ingest`` (which fills the index).
2. Serves it with gunicorn (2 workers, DEBUG off) and requests the search page for 57 varied
   searches (single words rare and common, phrases, OR, exclusions, prefixes, fields, person
   and tag filters, date ranges, sorting, deep pages, misspellings, filters without a query),
   ``--rounds`` times each, sequentially.  Every page has facets, highlighted snippets and
   the timeline (checked on each response).
3. In the same run, times bare Whoosh for the same searches: the index's searcher already
   open, the same Whoosh query (haystack's query string for the search, parsed by the
   backend's parser), top 20 with Whoosh's own highlights of the stored body.

Prints Markdown tables (milliseconds; page times are client-side wall time per request).
"""

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from bench_pages import archive_env, cpu_seconds, get, manage, serve, worker_pids, write_seeds

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
REUTERS = REPO.parent / "shared" / "corpus" / "reuters21578"

QUERIES = {
    # Reuters vocabulary, rare to common; then words of most generated articles.
    "words": [
        "zinc", "cocoa", "bundesbank", "yen", "opec", "wheat", "gold", "strike", "dlrs", "said",
        "government", "election", "budget tax", "oil prices", "police investigation",
        "coffee brazil", "takeover bid", "interest rates",
    ],
    "exact phrases": [
        '"crude oil"', '"interest rates"', '"trade deficit"', '"united states"', '"trade deal"',
    ],
    "OR, exclusions": ["coffee OR cocoa", "gold OR silver OR platinum", "oil -opec",
                       "election -campaign"],
    "prefixes": ["presid*", "elect*", "bank*"],
    "fields": ["title:budget", "title:oil", "tag:economy", "tag:russia", "person:tanaka"],
    "people's names": ["putin", "vladimir putin", "merkel", "angela merkel", "garcia"],
    "misspellings": ["goverment", "electoin", "petrolium"],
}  # fmt: skip


def searches(base):
    """``{query string: kind}`` of the benchmark's searches; filters use the most common
    people and tags."""
    data = json.loads(get(f"{base}/api/search/?q=election"))
    people = [f["slug"] for f in data["facets"]["people"][:3]]
    tags = [f["slug"] for f in data["facets"]["tags"][:3]]
    found = [(kind, {"q": q}) for kind, queries in QUERIES.items() for q in queries]
    found += [
        ("filters, dates", {"q": "election", "person": people[0]}),
        ("filters, dates", {"q": "budget", "tag": tags[0]}),
        ("filters, dates", {"q": "oil", "tag": tags[1], "from": "2015-01-01", "to": "2016-12-31"}),
        ("filters, dates", {"q": "government", "from": "2017-03-01", "to": "2017-03-31"}),
        ("sorted, deep pages", {"q": "election", "sort": "newest"}),
        ("sorted, deep pages", {"q": "police", "sort": "oldest", "page": "3"}),
        ("sorted, deep pages", {"q": "market", "page": "40"}),
        ("no query: filters only", {"person": people[1]}),
        ("no query: filters only", {"tag": tags[2]}),
        ("no query: filters only", {"tag": tags[0], "person": people[0]}),
        ("no query: filters only", {"from": "2016-06-01", "to": "2016-06-30"}),
        ("no query: filters only", {"tag": tags[1], "sort": "newest", "page": "2"}),
        ("no query: filters only", {"person": people[2], "from": "2012-01-01"}),
        ("no query: filters only", {}),
    ]
    return {urlencode(params): kind for kind, params in found}


def by_kind(timings, kinds):
    """``{kind: [ms, ...]}`` from ``{query string: [ms, ...]}`` and ``{query string: kind}``."""
    grouped = {}
    for query_string, times in timings.items():
        grouped.setdefault(kinds[query_string], []).extend(times)
    return grouped


def measure_pages(base, query_strings, rounds, server):
    """``({query_string: [ms, ...]}, {query_string: server CPU ms})`` for the search page, one
    request at a time; checks what each page shows. The CPU is the gunicorn workers' (clock
    ticks: exact summed over many requests, not for one)."""
    for query_string in query_strings:  # warm up both workers
        get(f"{base}/search/?{query_string}")
        get(f"{base}/search/?{query_string}")
    timings = {query_string: [] for query_string in query_strings}
    cpu = dict.fromkeys(query_strings, 0.0)
    workers = worker_pids(server)
    order = list(query_strings) * rounds
    random.Random(4).shuffle(order)
    for query_string in order:
        cpu_before = cpu_seconds(workers)
        started = time.perf_counter()
        html = get(f"{base}/search/?{query_string}")
        timings[query_string].append((time.perf_counter() - started) * 1000)
        cpu[query_string] += (cpu_seconds(workers) - cpu_before) * 1000 / rounds
        if "<strong>0</strong> articles" not in html:
            assert 'class="facets"' in html and "<svg" in html, query_string
        if "q=" in query_string and "<strong>0</strong>" not in html:
            assert 'class="snippet"' in html, query_string
    return timings, cpu


def bare_whoosh(env, query_strings, rounds):
    """Run ``--bare`` in a Django process on the same data: ``{query_string: [ms, ...]}``."""
    output = subprocess.run(
        [PYTHON, __file__, "--bare", str(rounds), *query_strings],
        env={**env, "DJANGO_SETTINGS_MODULE": "archive.settings", "PYTHONPATH": str(REPO)},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output)


def time_bare_whoosh(rounds, query_strings):
    """Bare Whoosh: open searcher, the search's own Whoosh query, top 20, highlights."""
    import django

    django.setup()
    from django.http import QueryDict
    from haystack import connections
    from whoosh.highlight import HtmlFormatter
    from whoosh.index import open_dir

    from articles.search.params import SearchParams
    from articles.search.query import parse_query
    from articles.search.running import search_queryset

    backend = connections["default"].get_backend()
    backend.setup()
    searcher = open_dir(backend.path).searcher()  # Whoosh's own, default scoring
    queries = {}
    for query_string in query_strings:
        params = SearchParams.from_querydict(QueryDict(query_string))
        sqs = search_queryset(parse_query(params.q), params)
        queries[query_string] = backend.parser.parse(sqs.query.build_query())
    timings = {query_string: [] for query_string in query_strings}
    for _ in range(rounds + 1):  # the first round warms up
        for query_string, query in queries.items():
            started = time.perf_counter()
            results = searcher.search(query, limit=20, terms=True)
            results.formatter = HtmlFormatter(tagname="mark")
            for hit in results:
                hit.highlights("text", text=hit["body"])
            timings[query_string].append((time.perf_counter() - started) * 1000)
    return {query_string: times[1:] for query_string, times in timings.items()}


def percentile(values, fraction):
    values = sorted(values)
    return values[max(0, round(len(values) * fraction) - 1)]


def report(pages, bare, kinds, cpu):
    every_page = [t for times in pages.values() for t in times]
    every_bare = [t for times in bare.values() for t in times]
    print("\n| measured | requests | p50 ms | p95 ms | max ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, times in (("search page over HTTP", every_page), ("bare Whoosh", every_bare)):
        print(
            f"| {name} | {len(times)} | {statistics.median(times):.1f} | "
            f"{percentile(times, 0.95):.1f} | {max(times):.1f} |"
        )
    ratio = statistics.median(every_page) / statistics.median(every_bare)
    print(f"\nratio of the p50s (page / bare Whoosh): {ratio:.2f}")
    print(f"server CPU per search, mean: {statistics.mean(cpu.values()):.1f} ms")
    print(
        "\n| kind of search | searches | page p50 ms | page p95 ms | max ms | "
        "server CPU ms, mean |\n| --- | ---: | ---: | ---: | ---: | ---: |"
    )
    for kind, times in by_kind(pages, kinds).items():
        mine = [query_string for query_string in pages if kinds[query_string] == kind]
        print(
            f"| {kind} | {len(mine)} | {statistics.median(times):.1f} | "
            f"{percentile(times, 0.95):.1f} | {max(times):.1f} | "
            f"{statistics.mean(cpu[query_string] for query_string in mine):.1f} |"
        )
    print(
        "\n| search | page p50 ms | bare Whoosh p50 ms | server CPU ms |\n"
        "| --- | ---: | ---: | ---: |"
    )
    for query_string, times in pages.items():
        print(
            f"| `{query_string or '(nothing)'}` | {statistics.median(times):.1f} | "
            f"{statistics.median(bare[query_string]):.1f} | {cpu[query_string]:.1f} |"
        )


def build_archive(data, articles, repo=REPO, seeds=None):
    """The Reuters sample plus generated articles, ``articles`` in all (written to ``seeds``,
    or a temporary folder), ingested by the code in ``repo`` into the ``ARCHIVE_DATA_DIR``
    ``data`` (reused if it holds an archive); returns its environment."""
    env = archive_env(data)
    if not (data / "archive.sqlite3").exists():
        seeds = seeds or Path(tempfile.mkdtemp(prefix="bench-search-seeds-")) / "seeds"
        if not seeds.exists():
            write_seeds(seeds, articles - len(list(REUTERS.glob("*.txt"))))
        manage(env, "migrate", "--noinput", "-v0", repo=repo)
        manage(env, "collectstatic", "--noinput", "-v0", repo=repo)
        started = time.perf_counter()
        manage(env, "ingest", str(REUTERS), str(seeds), repo=repo)
        print(f"ingested and indexed in {time.perf_counter() - started:.0f} s (data: {data})")
    return env


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--data", help="ARCHIVE_DATA_DIR to build in, or to reuse if built")
    parser.add_argument("--bare", type=int, help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.bare:
        print(json.dumps(time_bare_whoosh(args.bare, rest)))
        return

    data = Path(args.data or tempfile.mkdtemp(prefix="bench-search-")).resolve()
    env = build_archive(data, args.articles)
    server, base = serve(env)
    try:
        kinds = searches(base)
        pages, cpu = measure_pages(base, kinds, args.rounds, server)
    finally:
        server.terminate()
        server.wait()
    bare = bare_whoosh(env, list(kinds), args.rounds)
    print(f"\n### {args.articles:,} articles, {len(kinds)} searches × {args.rounds}")
    report(pages, bare, kinds, cpu)


if __name__ == "__main__":
    main()
