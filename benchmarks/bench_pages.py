"""Browsing pages through gunicorn over HTTP: article, list, tag, person and date pages.

    .venv/bin/python benchmarks/bench_pages.py [--articles 20000] [--home-articles 100000]

1. Writes ``--articles`` generated seed files (~800 words, Zipf-distributed people
   and tags, 2010-2017) into a temporary folder, then runs the real ``migrate``,
   ``collectstatic`` and ``ingest`` (which also fills the Whoosh index, so that
   article pages use more-like-this) in a fresh ``ARCHIVE_DATA_DIR``.
2. Serves it with gunicorn (2 workers, DEBUG off) and requests each kind of page
   ``--requests`` times, sequentially, from URLs picked at random (articles, tags
   and people from the sitemap; the most used tags and people from the home page).
3. Fills a second database with ``--home-articles`` articles directly (bulk inserts,
   no index) and measures the home page and the directories there, plus the
   uncached cost of the home page's overview (most-used tags and people, years).

Prints Markdown tables (milliseconds, client-side wall time per request).  With
``--work DIR`` the archives are kept there and reused by the next run.
"""

import argparse
import os
import random
import re
import runpy
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")

FIRST = (
    "James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Angela Vladimir Xi Emmanuel "
    "Theresa José Zoë Søren Ana Mohammed Fatima Hiroshi Olga Ivan Priya Chen Lars Ingrid Pedro"
)
LAST = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White "
    "Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres "
    "Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts "
    "Merkel Putin Macron May Abe Müller Ødegaard Kowalski Novák Петров Tanaka Okafor"
)
SUBJECTS = (
    "Politics Economy Trade Elections Climate Health Education Immigration Defense Energy "
    "Technology Banking Housing Labor Courts Police Terrorism Diplomacy Sports Arts Television "
    "Music Books Science Space Medicine Agriculture Oil Taxes Budget Cyberattacks"
)
PLACES = (
    "Russia China Germany France Britain Japan Mexico Canada Brazil India Syria Iran Iraq "
    "Israel Egypt Turkey Ukraine Poland Italy Spain Greece Nigeria Kenya Australia Korea "
    "Vietnam Cuba Venezuela Argentina Chile México Москва Zürich São Paulo"
)
COMMON = (
    "the of and to in a said that for on was with he it as at by is from his an be has have "
    "would their were which after government officials president minister year people new two "
    "first last told week percent million state united states market company court law party"
)
SYLLABLES = "ba ko ri ta mu ne lo sa vi de ka po ru mi te zo la fe gu ni ho ze ja wa qu"
VOCABULARY_SIZE = 30_000


def vocabulary(rng):
    """Common words, then made-up ones: a Zipf-distributed vocabulary like a newspaper's."""
    words = dict.fromkeys(COMMON.split())
    while len(words) < VOCABULARY_SIZE:
        words.setdefault("".join(rng.choices(SYLLABLES.split(), k=rng.randint(2, 4))))
    words = list(words)
    cumulative, total = [], 0.0
    for rank in range(len(words)):
        total += 1 / (rank + 1)
        cumulative.append(total)
    return words, cumulative


def zipf_pick(rng, items, k):
    """``k`` distinct items, the first ones far more often (weights 1/rank)."""
    weights = [1 / (rank + 1) for rank in range(len(items))]
    picked = []
    while len(picked) < k:
        item = rng.choices(items, weights)[0]
        if item not in picked:
            picked.append(item)
    return picked


def fake_articles(n, seed=20):
    """``n`` articles as dicts: url, title, people (``Last  First``), tags, date, paragraphs."""
    rng = random.Random(seed)
    words, cumulative = vocabulary(rng)
    people = [f"{last}  {first}" for last in LAST.split() for first in FIRST.split()]
    rng.shuffle(people)
    tags = (
        SUBJECTS.split()
        + PLACES.split()
        + [f"{s} in {p}" for s in SUBJECTS.split()[:12] for p in PLACES.split()[:20]]
    )
    rng.shuffle(tags)
    start, days = date(2010, 1, 1), (date(2017, 12, 31) - date(2010, 1, 1)).days
    for i in range(n):
        paragraphs = []
        for _ in range(rng.randint(8, 14)):
            sentences = [
                " ".join(
                    rng.choices(words, cum_weights=cumulative, k=rng.randint(10, 22))
                ).capitalize()
                + "."
                for _ in range(rng.randint(3, 5))
            ]
            paragraphs.append(" ".join(sentences))
        yield {
            "url": f"https://www.example.com/news/{i:06d}.html",
            "title": " ".join(rng.choices(words[200:], k=rng.randint(5, 9))).title(),
            "people": zipf_pick(rng, people, rng.randint(0, 3)),
            "tags": zipf_pick(rng, tags, rng.randint(1, 5)),
            "date": start + timedelta(days=rng.randint(0, days)),
            "paragraphs": paragraphs,
        }


def write_seeds(folder, n):
    folder.mkdir(parents=True)
    for i, a in enumerate(fake_articles(n)):
        (folder / f"{i:06d}.txt").write_text(
            "\n".join([
                a["url"], f"{a['title']} - The New York Times", ",".join(a["people"] + a["tags"]),
                f"{a['date']:%B} {a['date'].day}, {a['date'].year}", str(i),
                "".join(a["paragraphs"]),  # the seed format joins paragraphs with nothing
            ]) + "\n"
        )  # fmt: skip


def fill_database(n):
    """Bulk-insert ``n`` articles (no signals, no index) into the configured database."""
    import django

    django.setup()
    from django.core.management import call_command

    from articles.models import Article, Person, Tag, unique_slug
    from articles.parsing import normalize_key

    call_command("migrate", verbosity=0)
    people, tags, slugs = {}, {}, set()
    batch, links = [], []

    def flush():
        Article.objects.bulk_create(batch)
        ids = dict(Article.objects.filter(url__in=[a.url for a in batch]).values_list("url", "id"))
        Article.people.through.objects.bulk_create(
            Article.people.through(article_id=ids[url], person_id=people[p])
            for url, kind, p in links if kind == "p"
        )  # fmt: skip
        Article.tags.through.objects.bulk_create(
            Article.tags.through(article_id=ids[url], tag_id=tags[t])
            for url, kind, t in links if kind == "t"
        )  # fmt: skip
        batch.clear(), links.clear()

    for i, a in enumerate(fake_articles(n)):
        for source in a["people"]:
            if source not in people:
                last, first = source.split("  ")
                slug = unique_slug(f"{first} {last}", slugs)
                slugs.add(slug)
                people[source] = Person.objects.create(
                    name=f"{first} {last}", source_name=f"{last}, {first}", slug=slug,
                    key=normalize_key(source), sort_name=f"{last}, {first}",
                ).pk  # fmt: skip
        for name in a["tags"]:
            if name not in tags:
                slug = unique_slug(name, slugs)
                slugs.add(slug)
                tags[name] = Tag.objects.create(name=name, key=normalize_key(name), slug=slug).pk
        batch.append(
            Article(
                url=a["url"], title=a["title"], slug=f"article-{i}", pub_date=a["date"],
                body="\n\n".join(a["paragraphs"]), word_count=800, source_fingerprint=f"{i:064x}",
                publication="The New York Times",
            )
        )  # fmt: skip
        links += [(a["url"], "p", p) for p in a["people"]] + [(a["url"], "t", t) for t in a["tags"]]
        if len(batch) == 5000:
            flush()
    if batch:
        flush()


def time_overview():
    """Print what the home page's figures cost when not cached (after any change)."""
    import django

    django.setup()
    from django.core.cache import cache

    from articles.overview import archive_overview

    timings = []
    for _ in range(5):
        cache.clear()
        started = time.perf_counter()
        archive_overview()
        timings.append((time.perf_counter() - started) * 1000)
    print(f"\nhome page figures, uncached (after a change): {statistics.median(timings):.0f} ms")


def uptime():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def run_manage(env, *args, repo=REPO):
    """``manage.py args`` of the archive in ``repo``, run to its end, its output captured."""
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=repo, env=env, capture_output=True, text=True
    )


def manage(env, *args, repo=REPO):
    """``manage.py args``: its output; the benchmark stops with it if the command fails."""
    result = run_manage(env, *args, repo=repo)
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def serve(env, repo=REPO, args=("--workers", "2"), ready="/robots.txt"):
    """gunicorn for the archive in ``repo`` on a free port, with ``args``; returns the server
    and its address once ``ready`` answers and, if ``repo``'s workers warm the search index
    before serving (``gunicorn.conf.py``'s ``post_worker_init``), once every worker has: a
    worker still warming would take a core from the measures."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [GUNICORN, "archive.wsgi", "--bind", f"127.0.0.1:{port}", *args],
        cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    config = Path(repo) / "gunicorn.conf.py"  # (gunicorn reads it from the folder it starts in)
    settings = runpy.run_path(str(config)) if config.exists() else {}
    warming = "post_worker_init" in settings
    warmed = _count_lines(server.stderr, "search index warmed")
    workers = int(args[args.index("--workers") + 1]) if "--workers" in args else None
    workers = workers or settings.get("workers", 1)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            get(base + ready)
            if not warming or warmed() >= workers:
                return server, base
        except OSError:
            pass
        time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"gunicorn did not answer {ready} with {workers} workers warmed")


def _count_lines(stream, text):
    """``count()``: how many lines holding ``text`` ``stream`` has had (read, and drained,
    by a thread of its own)."""
    seen = []

    def read():
        for line in stream:
            if text in line:
                seen.append(line)

    threading.Thread(target=read, daemon=True).start()
    return lambda: len(seen)


def get(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200, url
        return response.read().decode()


def sitemap_paths(base, section):
    return re.findall(r"<loc>https?://[^/]+([^<]+)</loc>", get(f"{base}/sitemap-{section}.xml"))


def measure(base, kinds, requests):
    """``kind -> [paths]``: print one table row per kind (p50, p95, max in ms); returns
    ``{kind: p50}``."""
    rng = random.Random(1)
    medians = {}
    print("\n| page | requests | p50 ms | p95 ms | max ms |\n| --- | ---: | ---: | ---: | ---: |")
    for kind, paths in kinds.items():
        for path in rng.sample(paths, min(5, len(paths))):  # warm up both workers
            get(base + path)
        timings = []
        for _ in range(requests):
            path = rng.choice(paths)
            started = time.perf_counter()
            get(base + path)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        medians[kind] = statistics.median(timings)
        print(f"| {kind} | {requests} | {medians[kind]:.1f} | {p95:.1f} "
              f"| {timings[-1]:.1f} |")  # fmt: skip
    return medians


def worker_pids(server):
    """The process ids of the workers of the gunicorn master ``server``."""
    return Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()


def cpu_seconds(pids):
    """User and system CPU seconds the processes ``pids`` have used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def worker_rss(server):
    """Resident memory (MiB) of each worker process of the gunicorn master ``server``."""
    sizes = []
    for pid in worker_pids(server):
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
    return sizes


def browsing_pages(base):
    articles = sitemap_paths(base, "articles")
    tags, people = sitemap_paths(base, "tags"), sitemap_paths(base, "people")
    home = get(base + "/")
    top_tags = re.findall(r'class="chip" href="(/tags/[^"]+)"', home)[:5]
    top_people = re.findall(r'class="chip chip-person" href="(/people/[^"]+)"', home)[:5]
    days = sorted(
        {"/archive/" + p.split("/articles/")[1].rsplit("/", 2)[0] + "/" for p in articles}
    )
    return {
        "home `/`": ["/"],
        "article": articles,
        "article, repeat views (related list cached)": articles[:10],
        "latest list `/articles/?page=N`": [f"/articles/?page={n}" for n in range(1, 26)],
        "tag page (random tag)": tags,
        "tag page (5 most used)": top_tags,
        "person page (random person)": people,
        "person page (5 most used)": top_people,
        "tags A-Z `/tags/`": ["/tags/", "/tags/?sort=count"],
        "people A-Z `/people/`": ["/people/", "/people/?sort=count"],
        "year archive": sorted({d.rsplit("/", 3)[0] + "/" for d in days}),
        "month archive (calendar)": sorted({d.rsplit("/", 2)[0] + "/" for d in days}),
        "day archive": days,
        "Atom feed (latest, tag)": ["/feeds/latest/", *(t + "feed/" for t in top_tags)],
    }


def archive_env(data):
    """The environment of an archive in the folder ``data`` as the benchmarks serve it:
    production settings; the per-client search limit counts every search as it does in
    production, but is too high to turn any away (one client sends everything); no answers of
    the index kept (the benchmarks repeat their searches: each is measured as the index first
    answers it)."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    return env | {
        "ARCHIVE_DATA_DIR": str(data),
        "DJANGO_DEBUG": "0",
        "ARCHIVE_SEARCH_RATE": "1000000000/60",
        "ARCHIVE_SEARCH_ANSWERS_KEPT": "0",
    }


def build_archive(work, n):
    """Seed files, migrate, collectstatic, ingest (and index) in ``work``; returns the env."""
    env = archive_env(work / "data")
    if (work / "data").exists():
        return env
    started = time.perf_counter()
    write_seeds(work / "seeds", n)
    print(f"wrote {n} seed files in {time.perf_counter() - started:.0f} s")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    started = time.perf_counter()
    manage(env, "ingest", str(work / "seeds"))
    print(f"ingested and indexed in {time.perf_counter() - started:.0f} s")
    return env


def build_big_archive(work, n):
    """A database of ``n`` articles filled directly (no index); returns the env."""
    env = archive_env(work / "big")
    if (work / "big").exists():
        return env
    manage(env, "collectstatic", "--noinput", "-v0")
    subprocess.run([PYTHON, __file__, "--fill", str(n)], env=django_env(env), check=True)
    return env


def django_env(env):
    return {**env, "DJANGO_SETTINGS_MODULE": "archive.settings", "PYTHONPATH": str(REPO)}


def benchmark(env, title, requests, article_pages=True):
    server, base = serve(env)
    try:
        print(f"\n### {title}")
        pages = browsing_pages(base)
        if not article_pages:  # no index here: related articles would only use the fallback
            pages = {k: v for k, v in pages.items() if not k.startswith("article")}
        measure(base, pages, requests)
    finally:
        server.terminate()
        server.wait()
    subprocess.run([PYTHON, __file__, "--time-overview"], env=django_env(env), check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--home-articles", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--work", type=Path, help="keep (or reuse) the archives in this folder")
    parser.add_argument("--fill", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--time-overview", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fill:
        fill_database(args.fill)
        return
    if args.time_overview:
        time_overview()
        return

    work = args.work or Path(tempfile.mkdtemp(prefix="bench-pages-"))
    work.mkdir(parents=True, exist_ok=True)
    env = build_archive(work, args.articles)
    benchmark(env, f"{args.articles:,} articles (ingested and indexed)", args.requests)
    if args.home_articles:
        big = build_big_archive(work, args.home_articles)
        title = f"{args.home_articles:,} articles (database only, no index)"
        benchmark(big, title, args.requests, article_pages=False)


if __name__ == "__main__":
    main()
