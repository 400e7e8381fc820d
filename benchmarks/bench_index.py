"""Search index speed: build throughput against its baselines, scale, queries, freshness.

    .venv/bin/python benchmarks/bench_index.py throughput [--articles 2000] [--rounds 3]
    .venv/bin/python benchmarks/bench_index.py scale [--articles 20000]

``throughput``: the same generated articles (benchmarks/generate_articles.py, ~800 words),
indexed these ways, each into a fresh index, in alternating rounds (medians reported):

- ours: ``ingest_files`` from scratch, database and index (streamed to the bulk
  writer while the ingest runs) — what ``manage.py ingest`` does; and ``manage.py reindex``
  (index only, from the database);
- bare Whoosh: the same schema and writer settings (``procs``, ``limitmb``, multisegment,
  uncompounded, one commit) fed documents prepared beforehand (untimed): the engine's ceiling;
- stock: haystack's own Whoosh engine and ``rebuild_index`` over the same database.

``scale``: ``manage.py ingest`` of ARTICLES generated files into a fresh ARCHIVE_DATA_DIR
(a real process, wall time), the index size, ``check_index``; five incremental re-ingests
of 10% changed files (time, size after each, and once the background compaction it started
has finished); then query latency through haystack's ``SearchQuerySet`` (searcher open, top
20 with highlights; and with facets), and freshness (from the start of ``save()`` until
another thread's searcher finds the change), also while another process compacts the index.

Prints Markdown tables. The generated files are kept in $TMPDIR/bench-index-articles-N.
"""

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.generate_articles import generate  # noqa: E402

REINGEST_ROUNDS = 5


def articles_folder(count):
    folder = Path(tempfile.gettempdir()) / f"bench-index-articles-{count}"
    if not (folder / "done").exists():
        shutil.rmtree(folder, ignore_errors=True)
        generate(folder / "files", count)
        (folder / "done").touch()
    return folder / "files"


def setup_django(data_dir):
    os.environ["ARCHIVE_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "archive.settings"
    os.environ.pop("HAYSTACK_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def use_index(engine, path):
    from haystack import connections

    connections.connections_info["default"] = {
        "ENGINE": engine,
        "PATH": str(path),
        **(
            {"INDEX_ENGINE": "articles.index.whoosh.engine.WhooshEngine"}
            if engine.startswith("articles.")
            else {}
        ),
        "INCLUDE_SPELLING": True,
    }
    connections.reload("default")
    return connections["default"].get_backend()


def folder_size(path):
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def index_size(path):
    """Bytes of the index, less the files of segments a compaction dropped moments ago (kept
    ``articles.index.whoosh.writer.RETIRED_GRACE`` seconds for searches begun before)."""
    retired = {marker.name.removeprefix(".retired-") for marker in path.glob(".retired-*")}
    return sum(
        entry.stat().st_size
        for entry in path.iterdir()
        if entry.is_file() and entry.name.split(".")[0] not in retired
    )


def throughput(count, rounds):
    files = articles_folder(count)
    work = Path(tempfile.mkdtemp(prefix="bench-index-"))
    setup_django(work)
    from django.core.management import call_command
    from whoosh.filedb.filestore import FileStorage

    from articles.index import maintenance
    from articles.index.engines import get_engine, read_articles
    from articles.index.whoosh.writer import BULK_WRITER, _BulkWriter
    from articles.ingest import find_files, ingest_files
    from articles.models import Article

    paths = find_files([files])
    times = {"ours": [], "reindex": [], "bare": [], "stock": []}
    docs = None
    for n in range(rounds):
        # The paths alternate, round after round, so that they share the machine's moods.
        wipe_database()
        backend = use_index("articles.index.whoosh.backend.ArchiveWhooshEngine", work / f"ours{n}")
        started = time.perf_counter()
        report = ingest_files(paths)
        times["ours"].append(time.perf_counter() - started)
        assert report.created == count, report.summary()
        assert len(backend.stored_values("fingerprint")) == count

        started = time.perf_counter()
        maintenance.rebuild()
        times["reindex"].append(time.perf_counter() - started)

        if docs is None:
            index = get_engine().index
            ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
            docs = [
                backend.whoosh_document(index.full_prepare(a)) for a in read_articles(index, ids)
            ]
        (work / f"bare{n}").mkdir()
        bare_index = FileStorage(str(work / f"bare{n}")).create_index(backend.schema)
        started = time.perf_counter()
        writer = _BulkWriter(bare_index, **BULK_WRITER)
        for doc in docs:
            writer.add_document(**doc)
        writer.commit()
        times["bare"].append(time.perf_counter() - started)

        use_index("haystack.backends.whoosh_backend.WhooshEngine", work / f"stock{n}")
        started = time.perf_counter()
        call_command("rebuild_index", interactive=False, verbosity=0)
        times["stock"].append(time.perf_counter() - started)

    median = {path: statistics.median(values) for path, values in times.items()}
    print(
        f"\n{count:,} generated articles (~800 words), median of {rounds} alternating rounds, "
        f"{time.strftime('%Y-%m-%d %H:%M')}\n"
    )
    print("| path | seconds (each round) | articles/s | ours (ingest + index) against it |")
    print("| --- | ---: | ---: | ---: |")
    for path, label in (
        ("ours", "ours: ingest + index (`ingest_files`, as `manage.py ingest`)"),
        ("reindex", "ours: index only (`manage.py reindex`)"),
        ("bare", "bare Whoosh writer, same schema and settings (index only)"),
        ("stock", "stock haystack `rebuild_index` (index only)"),
    ):
        each = ", ".join(f"{t:.1f}" for t in times[path])
        ratio = "" if path in ("ours", "reindex") else f"{median[path] / median['ours']:.2f}x"
        print(f"| {label} | {median[path]:.1f} ({each}) | {count / median[path]:.0f} | {ratio} |")
    print(
        f"\nindex size: ours {folder_size(work / 'ours0') / count / 1024:.1f} KiB/article, "
        f"stock {folder_size(work / 'stock0') / count / 1024:.1f} KiB/article"
    )
    shutil.rmtree(work)


def wipe_database():
    """Delete every article, person and tag without telling the index (each round's own)."""
    from django.apps import apps

    from articles.models import Article, PendingIndexUpdate, Person, Tag

    processor = apps.get_app_config("haystack").signal_processor
    processor.teardown()
    try:
        for model in (Article, Person, Tag, PendingIndexUpdate):
            model.objects.all().delete()
    finally:
        processor.setup()


def run_manage(env, *args):
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return time.perf_counter() - started, result.stdout


def scale(count, queries_per_kind):
    files = articles_folder(count)
    work = Path(tempfile.mkdtemp(prefix="bench-index-scale-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "HAYSTACK_URL")}
    env.update(ARCHIVE_DATA_DIR=str(work), DJANGO_SETTINGS_MODULE="archive.settings")
    run_manage(env, "migrate", "--verbosity=0")
    index_dir = work / "whoosh_index"

    print(f"\n{count:,} generated articles (~800 words), {time.strftime('%Y-%m-%d %H:%M')}\n")
    print("| step | seconds | articles/s | index size | per article |")
    print("| --- | ---: | ---: | ---: | ---: |")

    def row(label, seconds, n):
        size = index_size(index_dir)
        print(
            f"| {label} | {seconds:.1f} | {n / seconds:.0f} | {size / 2**20:.0f} MiB | "
            f"{size / count / 1024:.1f} KiB |"
        )

    seconds, _ = run_manage(env, "ingest", "--verbosity=0", str(files))
    row(f"`manage.py ingest`, {count:,} new articles, from scratch", seconds, count)
    fresh_size = index_size(index_dir)
    seconds, out = run_manage(env, "check_index")
    print(f"\n`check_index` on {count:,} articles: {seconds:.1f} s ({out.strip()})")

    print(
        f"\nRepeated incremental ingests, {count // 10:,} of the {count:,} files changed each "
        "time; each ingest leaves the index due for compaction, which it starts in the "
        "background. Size right after the ingest, then once the compaction has finished "
        "(`manage.py compact_index` waits for it), against the size after the first ingest:\n"
    )
    print(
        "| round | re-ingest s | size after it | compaction done after s | size then | "
        "against the first |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    changed_dir = work / "seeds"
    shutil.copytree(files, changed_dir)
    rng = random.Random(1)
    for round_number in range(1, REINGEST_ROUNDS + 1):
        change_files(changed_dir, count // 10, rng, f"Edited in round {round_number}.")
        seconds, _ = run_manage(env, "ingest", "--verbosity=0", str(changed_dir))
        after_ingest = index_size(index_dir)
        waited, _ = run_manage(env, "compact_index")
        size = index_size(index_dir)
        print(
            f"| {round_number} | {seconds:.1f} | {after_ingest / 2**20:.0f} MiB | {waited:.1f} | "
            f"{size / 2**20:.0f} MiB | {size / fresh_size:.3f}x |"
        )
    seconds, out = run_manage(env, "check_index")
    print(f"\n`check_index` after the rounds: {out.strip()}")

    def make_due():
        """Another re-ingest, whose compaction is left to the caller (the lock is taken)."""
        from articles.index.whoosh.locks import file_lock

        with file_lock(f"{index_dir}.compact.lock"):
            change_files(changed_dir, count // 10, rng, "Edited once more.")
            run_manage(env, "ingest", "--verbosity=0", str(changed_dir))

    queries_and_freshness(work, queries_per_kind, make_due)


def change_files(folder, how_many, rng, sentence):
    for path in rng.sample(sorted(folder.iterdir()), how_many):
        path.write_text(path.read_text().rstrip("\n") + f" {sentence}\n")


def queries_and_freshness(work, per_kind, make_due):
    setup_django(work)
    from haystack.query import SearchQuerySet

    from articles.models import Article, Person

    backend = use_index("articles.index.whoosh.backend.ArchiveWhooshEngine", work / "whoosh_index")
    reader = backend.searcher().reader()
    terms = sorted(((freq, term.decode()) for term, freq in _doc_frequencies(reader)), reverse=True)
    # Words by how many articles hold them (terms ranked by document frequency).
    bands = {
        "very frequent word (ranks 20-200)": terms[20:200],
        "frequent word (ranks 200-2,000)": terms[200:2000],
        "less frequent word (ranks 2,000-10,000)": terms[2000:10000],
        "rare word (the 2,000 rarest)": terms[-2000:],
    }
    rng = random.Random(5)
    people = list(Person.objects.with_article_counts().order_by("-article_count")[:50])
    kinds = {
        f"{label}, df {band[-1][0]:,}-{band[0][0]:,}": [
            rng.choice(band)[1] for _ in range(per_kind)
        ]
        for label, band in bands.items()
    }
    common = [t for _, t in terms[200:2000]]
    kinds["two frequent words"] = [
        f"{rng.choice(common)} {rng.choice(common)}" for _ in range(per_kind)
    ]
    kinds["phrase of two frequent words"] = [
        f'"{rng.choice(common)} {rng.choice(common)}"' for _ in range(per_kind)
    ]
    kinds["person name"] = [rng.choice(people).name for _ in range(per_kind)]

    def search(query, facets=False, person=None):
        """A results page as the search page reads it: top 20, the total, the facets."""
        sqs = SearchQuerySet().auto_query(query).highlight()
        if person:
            sqs = sqs.filter(people__in=[person])
        if facets:
            sqs = sqs.facet("people").facet("tags").facet("year")
        page = list(sqs[:20])
        sqs.count()
        if facets:
            sqs.facet_counts()
        return len(page)

    def timings(calls):
        for call in calls[:5]:
            call()  # warm-up
        times = []
        for call in calls:
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
        return times

    print("\nQueries through `SearchQuerySet` (searcher open, top 20 with highlights), ms:\n")
    print("| queries | n | p50 | p95 | max |")
    print("| --- | ---: | ---: | ---: | ---: |")
    every, every_faceted = [], []

    def report(label, times):
        times = sorted(times)
        p95 = times[int(len(times) * 0.95) - 1] if len(times) >= 20 else times[-1]
        print(
            f"| {label} | {len(times)} | {statistics.median(times):.1f} | {p95:.1f} | "
            f"{times[-1]:.1f} |"
        )

    for label, queries in kinds.items():
        times = timings([lambda q=q: search(q) for q in queries])
        every += times
        report(label, times)
    filtered = [
        lambda q=q, p=p.slug: search(q, person=p)
        for q, p in zip(rng.sample(common, per_kind), people, strict=False)
    ]
    times = timings(filtered)
    every += times
    report("frequent word, filtered by a person", times)
    report("**all of the above**", every)
    for queries in kinds.values():
        every_faceted += timings([lambda q=q: search(q, facets=True) for q in queries])
    report("all, with people/tags/year facets", every_faceted)

    ids = list(Article.objects.values_list("pk", flat=True))
    delays = freshness(rng, ids, trials=20)
    print(
        f"\nFreshness (save to searchable in another thread, 20 saves: 10 edits, 10 new): "
        f"median {statistics.median(delays) * 1000:.0f} ms, max {max(delays) * 1000:.0f} ms"
    )
    # The same while the index is compacted: the first save after the re-ingest finds the
    # index due and starts the compaction in the background.
    index_dir = work / "whoosh_index"
    log = index_dir.with_name("whoosh_index.compaction.log")
    logged = log.stat().st_size if log.exists() else 0
    make_due()
    delays, compacted, deadline = [], "", time.monotonic() + 900
    while "compacted:" not in compacted:
        assert time.monotonic() < deadline, "no compaction within 15 minutes"
        delays += freshness(rng, ids, trials=2)
        compacted = log.read_bytes()[logged:].decode() if log.exists() else ""
    print(
        f"\nFreshness while the index was compacted in the background "
        f"({compacted.strip()}): {len(delays)} saves, median "
        f"{statistics.median(delays) * 1000:.0f} ms, max {max(delays) * 1000:.0f} ms"
    )


def freshness(rng, ids, trials):
    """Seconds from each save until another thread (its own searcher, like another worker)
    finds the change: half edits of the articles ``ids``, half new articles."""
    from haystack.query import SearchQuerySet

    from articles.models import Article

    found_at = {}

    def poll(token, deadline):
        while time.perf_counter() < deadline:
            if SearchQuerySet().filter(content=token).count():
                found_at[token] = time.perf_counter()
                return
            time.sleep(0.005)

    delays = []
    for trial in range(trials):
        token = f"fresh{rng.getrandbits(40):x}x{trial}"
        started = time.perf_counter()
        watcher = threading.Thread(target=poll, args=(token, started + 10))
        watcher.start()
        if trial % 2:
            Article.objects.create(
                url=f"https://example.com/fresh/{token}",
                title=f"New {token}",
                slug=f"fresh-{token}",
                body="Fresh.",
            )
        else:
            article = Article.objects.get(pk=rng.choice(ids))
            article.title = f"{article.title} {token}"
            article.save()
        watcher.join()
        delays.append(found_at.get(token, float("inf")) - started)
    return delays


def _doc_frequencies(reader):
    for term in reader.lexicon("text"):
        yield term, reader.doc_frequency("text", term)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=["throughput", "scale"])
    parser.add_argument("--articles", type=int)
    parser.add_argument("--queries", type=int, default=20, help="queries per kind (scale)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (throughput)")
    args = parser.parse_args()
    if args.what == "throughput":
        throughput(args.articles or 2000, args.rounds)
    else:
        scale(args.articles or 20_000, args.queries)


if __name__ == "__main__":
    main()
