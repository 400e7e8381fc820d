"""The scale curve: one realistic archive at several sizes, on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/scale.py [--articles 2000,20000,100000]
        [--databases sqlite,postgres] [--work DIR] [--build-only]

For each size and database, in ``WORK/<database>-<size>`` (built once, then reused):

1. Build: ``generate_articles.py --realistic`` seed files (real Reuters sentences, common
   names, subject and place tags, 1987-2017), ``migrate``, ``collectstatic``, then
   ``manage.py ingest`` timed as a real process (wall time: the database and the index;
   and the CPU time of the ingest and its index writer processes);
   ``check_index``; the index's and the database's size. Kept in ``build.json``.
2. Measure (unless ``--build-only``): gunicorn with ``gunicorn.conf.py`` (2 workers), one
   client: the search benchmark's searches × ``--rounds`` (p50, p95, worst kind's p95, the
   workers' CPU per search), the browsing benchmark's pages × ``--requests`` each (p50 of
   each kind; the worst is shown), then the resident memory of each worker.

PostgreSQL: ``DATABASE_URL`` names a server and a role that may create databases (``bash
.ci/postgres`` prints one); each archive gets a database of its own, ``archive_scale_<size>``.
Prints a Markdown table with the machine's load (``uptime``) before and after each step.
"""

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pages import archive_env, browsing_pages, manage, measure, serve, uptime, worker_rss
from bench_search_http import by_kind, measure_pages, percentile, searches
from generate_articles import generate


def seed_files(count):
    folder = Path(tempfile.gettempdir()) / f"bench-scale-articles-{count}"
    if not (folder / "done").exists():
        generate(folder / "files", count, realistic_text=True)
        (folder / "done").touch()
    return folder / "files"


def postgres_url(count):
    """``DATABASE_URL`` with a database of its own for this size, created afresh."""
    import psycopg

    parts = urlsplit(os.environ["DATABASE_URL"])
    name = f"archive_scale_{count}"
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as db:
        db.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        db.execute(f"CREATE DATABASE {name}")
    return urlunsplit(parts._replace(path=f"/{name}"))


def folder_size(path):
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def database_size(env):
    code = (
        "from django.db import connection\n"
        "if connection.vendor == 'postgresql':\n"
        "    with connection.cursor() as c:\n"
        "        c.execute('SELECT pg_database_size(current_database())')\n"
        "        print(c.fetchone()[0])\n"
        "else:\n"
        "    import pathlib; n = pathlib.Path(connection.settings_dict['NAME'])\n"
        "    print(sum(p.stat().st_size for p in n.parent.glob(n.name + '*')))\n"
    )
    return int(manage(env, "shell", "--no-imports", "-c", code))


def build(work, count, database):
    """The archive of ``count`` articles in ``work`` (built if need be); returns its env."""
    env = archive_env(work / "data")
    record = work / "build.json"
    if record.exists():
        built = json.loads(record.read_text())
        if database == "postgres":
            env["DATABASE_URL"] = built["database_url"]
        return env, built
    shutil.rmtree(work / "data", ignore_errors=True)  # an unfinished build
    if database == "postgres":
        env["DATABASE_URL"] = postgres_url(count)
    else:
        env.pop("DATABASE_URL", None)
    files = seed_files(count)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    before = uptime()
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    summary = manage(env, "ingest", "-v0", str(files))
    seconds = time.perf_counter() - started
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    built = {
        "database_url": env.get("DATABASE_URL"),
        "ingest_seconds": seconds,
        # The ingest's own and its index writer processes' CPU: what the machine's load
        # does not change.
        "ingest_cpu_seconds": cpu.ru_utime
        + cpu.ru_stime
        - cpu_before.ru_utime
        - cpu_before.ru_stime,
        "ingest": summary.strip(),
        "uptime_before": before,
        "uptime_after": uptime(),
        "check_index": manage(env, "check_index").strip(),
        "index_bytes": folder_size(work / "data" / "whoosh_index"),
        "database_bytes": database_size(env),
    }
    record.write_text(json.dumps(built, indent=1))
    return env, built


def measured(env, rounds, requests):
    """Search and page timings and the workers' memory through gunicorn, one client."""
    server, base = serve(env)
    try:
        before = uptime()
        kinds = searches(base)
        pages, cpu = measure_pages(base, kinds, rounds, server)
        every = [t for times in pages.values() for t in times]
        kinds = {kind: percentile(times, 0.95) for kind, times in by_kind(pages, kinds).items()}
        page_medians = measure(base, browsing_pages(base), requests)
        return {
            "search_p50": statistics.median(every),
            "search_p95": percentile(every, 0.95),
            "search_cpu": statistics.mean(cpu.values()),
            "worst_search_kind": max(kinds.items(), key=lambda item: item[1]),
            "page_medians": page_medians,
            "rss": worker_rss(server),
            "uptime_before": before,
            "uptime_after": uptime(),
        }
    finally:
        server.terminate()
        server.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", default="2000,20000,100000")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "bench-scale")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--build-only", action="store_true")
    args = parser.parse_args()
    rows = []
    for database in args.databases.split(","):
        for count in (int(n) for n in args.articles.split(",")):
            work = args.work / f"{database}-{count}"
            work.mkdir(parents=True, exist_ok=True)
            env, built = build(work, count, database)
            print(f"built {database} {count:,}: {json.dumps(built)}", flush=True)
            if not args.build_only:
                figures = measured(env, args.rounds, args.requests)
                print(f"measured {database} {count:,}: {json.dumps(figures)}", flush=True)
                rows.append((database, count, built, figures))
    if rows:
        report(rows)


def report(rows):
    print(
        "\n| database | articles | ingest + index s (CPU s) | index MiB | database MiB | "
        "search p50 ms | search p95 ms (worst kind) | search CPU ms | pages p50 ms (worst kind) | "
        "RSS per worker MiB | load during ingest / measures |\n"
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
    )
    for database, count, built, figures in rows:
        worst_page = max(figures["page_medians"].items(), key=lambda item: item[1])
        kind, worst_search = figures["worst_search_kind"]
        cpu = built.get("ingest_cpu_seconds")
        print(
            f"| {database} | {count:,} | {built['ingest_seconds']:.0f} "
            f"({f'{cpu:.0f}' if cpu else '?'}) | "
            f"{built['index_bytes'] / 2**20:.0f} | {built['database_bytes'] / 2**20:.0f} | "
            f"{figures['search_p50']:.1f} | {figures['search_p95']:.1f} ({kind} "
            f"{worst_search:.0f}) | {figures['search_cpu']:.1f} | "
            f"{worst_page[1]:.1f} ({worst_page[0]}) | {max(figures['rss']):.0f} | "
            f"{_load(built)} / {_load(figures)} |"
        )


def _load(record):
    """The 1-minute load averages at the start and the end of a step."""
    return " → ".join(
        record[key].split("load average: ")[1].split(",")[0]
        for key in ("uptime_before", "uptime_after")
    )


if __name__ == "__main__":
    main()
