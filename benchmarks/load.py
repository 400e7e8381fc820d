"""Load: many readers at once against gunicorn as ``make run`` starts it (locust, headless).

    .venv/bin/python benchmarks/load.py [--data DIR] [--users 4,16,64] [--seconds 60]
                                        [--ingest 2000] [--gunicorn-args "--workers 3"]
                                        [--answers-kept 100]

1. Builds (or reuses, ``--data``) the archive of ``bench_search_http.py``: the 2,000 Reuters
   articles plus generated ones, ``--articles`` in all, then works on a copy of it, so that
   every run starts from the same archive and adds the same new articles.
2. Starts gunicorn with the repository's ``gunicorn.conf.py`` (plus ``--gunicorn-args``) on
   127.0.0.1, waits for ``/healthz``, and warms it up for 10 s. Each worker keeps
   ``--answers-kept`` answers of the index (``ARCHIVE_SEARCH_ANSWERS_KEPT``): none by default,
   as in the other benchmarks, so that every search is run; production keeps 100, and the
   readers' 57 searches then come from them once each worker has run each.
3. For each number of users, ``--seconds`` of readers with no pause between requests: 60%
   searches (the search benchmark's 57 varied searches), 25% article pages (random articles
   from the sitemap), 15% browsing pages (home, lists, tags, people, date archives). Then
   ``/robots.txt`` alone at 16 users, served the same way: the ratio's baseline.
4. 16 users while ``manage.py ingest`` adds ``--ingest`` new generated articles (measured
   while the ingest runs); then checks that every article arrived and ``check_index`` agrees.

Prints Markdown tables (client-side milliseconds; percentiles over every request of the step)
with ``uptime`` before and after each step, and the resident memory of each worker at the end.
"""

from gevent import monkey

monkey.patch_all()  # before anything else imports socket or ssl (locust requires it)

import argparse  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
from locust import FastHttpUser, constant, task  # noqa: E402
from locust.env import Environment  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pages import (  # noqa: E402
    browsing_pages,
    cpu_seconds,
    manage,
    run_manage,
    serve,
    sitemap_paths,
    uptime,
    worker_pids,
    worker_rss,
)
from bench_search_http import build_archive, searches  # noqa: E402
from generate_articles import generate  # noqa: E402

BASELINE_USERS = 16
WARM_UP_SECONDS = 10


class Reader(FastHttpUser):
    """A reader who never pauses: 60% searches, 25% article pages, 15% browsing pages."""

    wait_time = constant(0)
    paths = {}  # kind -> [path], filled in by main()

    def visit(self, kind):
        self.client.get(random.choice(self.paths[kind]), name=kind)

    @task(60)
    def search(self):
        self.visit("search")

    @task(25)
    def article(self):
        self.visit("article")

    @task(15)
    def browse(self):
        self.visit("browse")


class RobotReader(FastHttpUser):
    """The baseline: ``/robots.txt`` only, through the same server, middleware and client."""

    wait_time = constant(0)

    @task
    def robots(self):
        self.client.get("/robots.txt", name="robots")


def percentile(values, fraction):
    values = sorted(values)
    return values[max(0, round(len(values) * fraction) - 1)] if values else float("nan")


@dataclass
class Step:
    """What one step measured: wall seconds, response times by kind, errors, CPU seconds of
    the gunicorn workers and of this client process, and ``until``'s result."""

    elapsed: float
    times: dict
    errors: list
    server_cpu: float
    client_cpu: float
    outcome: object = None

    @property
    def every(self):
        return [t for values in self.times.values() for t in values]


def run_step(base, server, user_class, users, seconds=None, until=None):
    """``users`` of ``user_class`` for ``seconds``, or until ``until()`` returns."""
    times, errors = {}, []

    def on_request(name, response_time, exception, **kwargs):
        times.setdefault(name, []).append(response_time)
        if exception is not None:
            errors.append(f"{name}: {exception}")

    env = Environment(user_classes=[user_class], host=base)
    env.events.request.add_listener(on_request)
    runner = env.create_local_runner()
    workers = worker_pids(server)
    server_before, client_before = cpu_seconds(workers), sum(os.times()[:2])
    started = time.perf_counter()
    runner.start(users, spawn_rate=users)
    outcome = until() if until else gevent.sleep(seconds)
    runner.quit()
    elapsed = time.perf_counter() - started
    return Step(
        elapsed,
        times,
        errors,
        cpu_seconds(workers) - server_before,
        sum(os.times()[:2]) - client_before,
        outcome,
    )


def report_row(label, step, baseline=None):
    """A table row; returns the step's requests per second."""
    every = step.every
    rate = len(every) / step.elapsed
    ratio = f"{rate / baseline:.2f}" if baseline else ""
    print(
        f"| {label} | {len(every)} | {rate:.1f} | {percentile(every, 0.5):.0f} | "
        f"{percentile(every, 0.95):.0f} | {percentile(every, 0.99):.0f} | {max(every):.0f} | "
        f"{len(step.errors)} | {ratio} | {step.server_cpu * 1000 / len(every):.1f} | "
        f"{step.client_cpu * 1000 / len(every):.1f} |",
        flush=True,
    )
    for error in sorted(set(step.errors))[:5]:
        print(f"<!-- error: {error} -->")
    return rate


def kinds_row(label, times):
    cells = [
        f"{percentile(times.get(kind, []), 0.5):.0f} / {percentile(times.get(kind, []), 0.95):.0f}"
        for kind in ("search", "article", "browse")
    ]
    print(f"| {label} | {' | '.join(cells)} |")


def reading_paths(base):
    """The paths readers visit: searches, articles, browsing pages."""
    rng = random.Random(7)
    articles = sitemap_paths(base, "articles")
    browse = browsing_pages(base)
    browsing = [
        path
        for kind, paths in browse.items()
        if not kind.startswith(("article", "Atom"))
        for path in rng.sample(paths, min(len(paths), 200))
    ]
    return {
        "search": [f"/search/?{query}" for query in searches(base)],  # each kind of search
        "article": rng.sample(articles, min(len(articles), 5000)),
        "browse": browsing,
    }


def serve_as_make_run(env, extra_args):
    """gunicorn as ``make run`` starts it (``gunicorn.conf.py``), once ``/healthz`` answers."""
    args = ("--config", "gunicorn.conf.py", *extra_args.split())
    return serve(env, args=args, ready="/healthz")


def article_count(env):
    code = "from articles.models import Article; print(Article.objects.count())"
    return int(manage(env, "shell", "--no-imports", "-c", code))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", help="the archive (ARCHIVE_DATA_DIR) to build or reuse")
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--users", default="4,16,64")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--ingest", type=int, default=2000, help="new articles (0: no step)")
    parser.add_argument("--gunicorn-args", default="", help='e.g. "--workers 4 --threads 2"')
    parser.add_argument(
        "--answers-kept",
        type=int,
        default=0,
        help="ARCHIVE_SEARCH_ANSWERS_KEPT (0, as the other benchmarks; production's is 100)",
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))  # stop gunicorn too

    data = Path(args.data or tempfile.mkdtemp(prefix="bench-load-")).resolve()
    build_archive(data, args.articles)
    work = Path(tempfile.mkdtemp(prefix="bench-load-run-"))
    shutil.copytree(data, work / "data", ignore=shutil.ignore_patterns("cache"))
    env = build_archive(work / "data", args.articles)  # the copy: nothing to build
    env["ARCHIVE_SEARCH_ANSWERS_KEPT"] = str(args.answers_kept)
    server, base = serve_as_make_run(env, args.gunicorn_args)
    try:
        Reader.paths = reading_paths(base)
        run_step(base, server, Reader, 4, WARM_UP_SECONDS)
        print(
            f"\n### {args.articles:,} articles, gunicorn.conf.py {args.gunicorn_args}, "
            f"{args.answers_kept} answers kept, {time.strftime('%Y-%m-%d %H:%M')}\n"
        )
        print(
            "| users | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors | "
            "ratio to robots.txt | server CPU ms/request | client CPU ms/request |\n"
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
        )
        print(f"<!-- {uptime()} -->")
        robots = run_step(base, server, RobotReader, BASELINE_USERS, args.seconds)
        robots_rate = report_row(f"{BASELINE_USERS}, `/robots.txt` only", robots)
        print(f"<!-- {uptime()} -->")
        by_kind = {}
        for users in (int(n) for n in args.users.split(",")):
            step = run_step(base, server, Reader, users, args.seconds)
            report_row(str(users), step, robots_rate)
            print(f"<!-- {uptime()} -->")
            by_kind[str(users)] = step.times
        if args.ingest:
            by_kind["16 + ingest"] = ingest_step(env, base, server, args.ingest, robots_rate)
        print("\np50 / p95 ms by kind of request:\n")
        print("| users | search | article | browse |\n| --- | ---: | ---: | ---: |")
        for label, times in by_kind.items():
            kinds_row(label, times)
        rss = worker_rss(server)
        print(
            f"\nResident memory per worker after the run: "
            f"{', '.join(f'{size:.0f}' for size in rss)} MiB"
        )
    finally:
        server.terminate()
        server.wait()
    shutil.rmtree(work, ignore_errors=True)


def ingest_step(env, base, server, count, robots_rate):
    """16 users while ``manage.py ingest`` adds ``count`` new articles; checks nothing is lost."""
    seeds = Path(tempfile.mkdtemp(prefix="bench-load-new-"))
    generate(seeds, count, seed=99)
    before = article_count(env)

    step = run_step(
        base,
        server,
        Reader,
        BASELINE_USERS,
        until=lambda: run_manage(env, "ingest", "-v0", str(seeds)),
    )
    report_row(f"{BASELINE_USERS} + ingest of {count:,} ({step.elapsed:.0f} s)", step, robots_rate)
    print(f"<!-- {uptime()} -->")
    added = article_count(env) - before
    check = run_manage(env, "check_index")
    print(
        f"\nIngest: exit {step.outcome.returncode}, {added:,} articles added; `check_index`: "
        f"exit {check.returncode}, {check.stdout.strip() or check.stderr.strip()}"
    )
    shutil.rmtree(seeds)
    return step.times


if __name__ == "__main__":
    main()
