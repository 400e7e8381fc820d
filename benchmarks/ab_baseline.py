"""This checkout against an earlier revision, in one run: ingest, the search page and browsing.

    .venv/bin/python benchmarks/ab_baseline.py --baseline 39752b6 [--against REVISION]
        [--articles 20000] [--rounds 4] [--requests 50] [--work DIR]

1. Checks the baseline revision out in ``WORK/baseline`` (and ``--against``, compared
   instead of this checkout, in ``WORK/against``; git worktrees; the same
   virtualenv runs both) and writes the search benchmark's seed files once: the 2,000
   Reuters articles plus generated ones (``bench_search_http.build_archive``).
2. Ingests them with each revision's own ``manage.py ingest`` into its own data folder, one
   after the other (wall time: the database and the index).
3. Serves both at once with gunicorn (2 workers each, DEBUG off) and, one request at a time,
   alternates between them round by round (A B, then B A...): the search benchmark's 57
   searches (``bench_search_http``) and the browsing benchmark's pages (``bench_pages``).

Prints p50 and p95 per revision and kind, and the ratio this checkout / baseline. Pages that
one revision does not have are skipped for both. ``uptime`` before and after.
"""

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pages import browsing_pages, get, serve, uptime
from bench_search_http import build_archive, percentile, searches

REPO = Path(__file__).resolve().parent.parent


def checkout(revision, folder):
    if not folder.exists():
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(folder), revision], cwd=REPO, check=True
        )
    return folder


def timed_get(base, path):
    started = time.perf_counter()
    get(base + path)
    return (time.perf_counter() - started) * 1000


def pages_both_have(bases, kinds, rng, most=100):
    """Up to ``most`` paths of each kind that every server answers."""
    shared = {}
    for kind, paths in kinds.items():
        kept = []
        for path in rng.sample(paths, min(most, len(paths))):
            try:
                for base in bases:
                    get(base + path)
            except Exception:  # a page one revision lacks
                continue
            kept.append(path)
        if kept:
            shared[kind] = kept
    return shared


def alternate(servers, requests_by_kind, rounds):
    """``{name: {kind: [ms, ...]}}``: every request of each round on each server, the servers'
    order swapped each round."""
    timings = {name: {} for name in servers}
    names = list(servers)
    for round_number in range(rounds):
        order = names if round_number % 2 == 0 else names[::-1]
        for name in order:
            for kind, path in requests_by_kind:
                timings[name].setdefault(kind, []).append(timed_get(servers[name], path))
    return timings


def report(title, timings, baseline, current):
    print(f"\n### {title}\n")
    print("| kind | requests each | baseline p50 / p95 ms | this checkout | ratio p50 / p95 |")
    print("| --- | ---: | ---: | ---: | ---: |")
    rows = [*timings[current], "all"]
    for kind in rows:
        if kind == "all":
            a = [t for times in timings[baseline].values() for t in times]
            b = [t for times in timings[current].values() for t in times]
        else:
            a, b = timings[baseline][kind], timings[current][kind]
        a50, a95 = statistics.median(a), percentile(a, 0.95)
        b50, b95 = statistics.median(b), percentile(b, 0.95)
        print(
            f"| {kind} | {len(b)} | {a50:.1f} / {a95:.1f} | {b50:.1f} / {b95:.1f} | "
            f"{b50 / a50:.2f} / {b95 / a95:.2f} |"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", required=True, help="a git revision")
    parser.add_argument("--against", help="a git revision to compare instead of this checkout")
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--requests", type=int, default=50, help="pages of each kind per round")
    parser.add_argument("--work", type=Path, help="keep (or reuse) the archives here")
    args = parser.parse_args()
    work = (args.work or Path(tempfile.mkdtemp(prefix="bench-ab-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    current = checkout(args.against, work / "against") if args.against else REPO
    trees = {"baseline": checkout(args.baseline, work / "baseline"), "current": current}
    print(f"baseline {args.baseline}, compared: {args.against or REPO}; {uptime()}")

    envs = {}
    for name, tree in trees.items():
        started = time.perf_counter()
        data = work / f"data-{args.against if name == 'current' and args.against else name}"
        envs[name] = build_archive(data, args.articles, tree, work / "seeds")
        print(f"{name}: build {time.perf_counter() - started:.0f} s; {uptime()}")

    servers, bases = {}, {}
    try:
        for name, tree in trees.items():
            servers[name], bases[name] = serve(envs[name], tree)
        kinds = searches(bases["current"])
        rng = random.Random(7)
        search_requests = [(kind, f"/search/?{query}") for query, kind in kinds.items()]
        for base in bases.values():  # warm up every worker
            for _, path in search_requests * 2:
                get(base + path)
        pages = pages_both_have(list(bases.values()), browsing_pages(bases["current"]), rng)
        page_requests = [
            (kind, rng.choice(paths)) for kind, paths in pages.items() for _ in range(args.requests)
        ]
        rng.shuffle(search_requests)
        rng.shuffle(page_requests)
        print(f"measuring; {uptime()}")
        search_timings = alternate(bases, search_requests, args.rounds)
        page_timings = alternate(bases, page_requests, args.rounds)
        print(f"done; {uptime()}")
    finally:
        for server in servers.values():
            server.terminate()
            server.wait()
    report(
        f"Search page, {len(kinds)} searches × {args.rounds}", search_timings, "baseline", "current"
    )
    report(
        f"Browsing pages, {args.requests} × {args.rounds} of each kind",
        page_timings,
        "baseline",
        "current",
    )


if __name__ == "__main__":
    main()
