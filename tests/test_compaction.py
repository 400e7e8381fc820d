"""Compaction: replaced documents reclaimed off the write path, searches unchanged by it."""

import fcntl
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from haystack.query import SearchQuerySet
from whoosh import query as wquery
from whoosh.filedb.filestore import FileStorage

from articles.index import maintenance, queue
from articles.index.whoosh import compaction, locks, writer
from articles.ingest import find_files, ingest_files
from articles.models import Article
from tests.conftest import seed_text, wait_until

WORDS = ["harbour", "glacier", "senate", "budget", "river", "summit", "market", "treaty"]


def write_articles(folder, count, start=0, extra=""):
    """``count`` seed files, one ingest's worth: ``story-N`` about a few of ``WORDS``."""
    folder.mkdir(exist_ok=True)
    for n in range(start, start + count):
        words = " ".join(WORDS[(n + k) % len(WORDS)] for k in range(3))
        (folder / f"{n:04d}.txt").write_text(
            seed_text(
                url=f"https://example.com/2017/07/07/story-{n}.html",
                title=f"Story {n} - The New York Times",
                keywords=f"Doe  Jane,Topic {n % 4}",
                body=f"Story {n} is about the {words}.{extra}",
            )
        )


def ingest(folder):
    report = ingest_files(find_files([folder]))
    assert not report.rejected
    return report


def segments(backend):
    """``(documents, deleted)`` of each segment of the index, as stored now."""
    index = FileStorage(backend.path).open_index()
    return [(s.doc_count_all(), s.deleted_count()) for s in index._segments()]


def snapshot():
    """What searches find: matches per query (as article ids) and the facet counts."""
    queries = [*WORDS, '"glacier senate"', "story", "jane"]
    found = {q: sorted(int(r.pk) for r in SearchQuerySet().auto_query(q)[:1000]) for q in queries}
    facets = SearchQuerySet().auto_query("story").facet("people").facet("tags").facet_counts()
    return found, facets["fields"]


def edit(article, text):
    article.body += text
    article.save()


@pytest.fixture
def segmented(search_index, tmp_path, monkeypatch):
    """An index of two 20-article segments; segments of 5 documents or more count as large."""
    monkeypatch.setattr(compaction, "SMALL_SEGMENT_DOCS", 5)
    write_articles(tmp_path / "first", 20)
    write_articles(tmp_path / "second", 20, start=20)
    ingest(tmp_path / "first")
    ingest(tmp_path / "second")
    assert segments(search_index) == [(20, 0), (20, 0)]
    return search_index


class Segment:
    def __init__(self, documents, deleted=0):
        self.documents, self.deleted = documents, deleted

    def doc_count_all(self):
        return self.documents

    def deleted_count(self):
        return self.deleted


@pytest.mark.parametrize(
    ("sizes", "chosen"),
    [
        ([(1000, 0), (1000, 50)], []),  # 5% deleted: not yet
        ([(1000, 0), (1000, 51)], [1]),  # over 5%: rewritten alone
        ([(1000, 60), (500, 0), (50, 10)], [0]),  # a small segment waits for a merge
        ([(1000 + n, 0) for n in range(20)], []),
        ([(1000 + n, 0) for n in range(21)], list(range(12))),  # 21: the smallest, down to 10
        ([(20000, 0), *((1, 0) for n in range(24))], list(range(1, 25))),  # the newest small
        ([(1, 0), (20000, 0), *((1, 0) for n in range(19)), (5000, 0)], [0, *range(2, 14)]),
        ([(1000, 900), *((1, 1) for n in range(20))], [0]),  # deletions first, then the rest
    ],
)
def test_the_plan_rewrites_deleted_heavy_segments_and_keeps_them_few(sizes, chosen):
    given = [Segment(*size) for size in sizes]
    assert compaction.plan(given) == [given[n] for n in chosen]


def test_a_commit_never_merges(segmented):
    """A save adds a segment and marks its article's old copy deleted where it was."""
    for article in Article.objects.order_by("pk")[:10]:
        edit(article, " Edited.")
    assert sorted(segments(segmented)) == [(1, 0)] * 10 + [(20, 0), (20, 10)]


def test_compaction_reclaims_replaced_documents_and_changes_no_search(segmented):
    for article in Article.objects.order_by("pk")[:3]:
        edit(article, " Now also about the lighthouse.")
    before = snapshot()

    [result] = compaction.compact(segmented.path)

    assert (result.segments, result.documents, result.reclaimed) == (1, 17, 3)
    assert result.bytes_after < result.bytes_before
    assert sorted(segments(segmented)) == [(1, 0)] * 3 + [(17, 0), (20, 0)]
    assert snapshot() == before
    lighthouse = SearchQuerySet().auto_query("lighthouse")
    assert sorted(int(r.pk) for r in lighthouse) == sorted(
        Article.objects.order_by("pk").values_list("pk", flat=True)[:3]
    )
    assert maintenance.compare().agrees
    assert compaction.compact(segmented.path) == []  # nothing left to do


@pytest.fixture
def during_the_copy(monkeypatch):
    """``during_the_copy(action)``: the next compaction runs ``action()`` once it has copied."""

    def install(action):
        copy = compaction.copy_live_documents

        def copy_then_act(*args):
            copied = copy(*args)
            monkeypatch.setattr(compaction, "copy_live_documents", copy)
            action()
            return copied

        monkeypatch.setattr(compaction, "copy_live_documents", copy_then_act)

    return install


def test_changes_made_during_the_copy_survive_the_swap(segmented, during_the_copy):
    articles = list(Article.objects.order_by("pk")[:4])
    for article in articles[:2]:
        edit(article, " First edit.")

    def change():
        articles[3].delete()  # copied, now deleted
        edit(articles[2], " About a lighthouse.")  # copied, now replaced
        edit(articles[1], " Second edit, about a lighthouse too.")  # not in the copy

    during_the_copy(change)
    # The two changes to the copy make the new segment due: the compaction goes on to it.
    assert [r.reclaimed for r in compaction.compact(segmented.path)] == [2, 2]

    lighthouse = SearchQuerySet().auto_query("lighthouse")
    assert sorted(int(r.pk) for r in lighthouse) == [articles[1].pk, articles[2].pk]
    assert SearchQuerySet().auto_query("story").count() == 39
    assert maintenance.compare().agrees


def test_a_save_is_searchable_at_once_while_a_compaction_copies(
    segmented, during_the_copy, monkeypatch
):
    """The compaction copies without the write lock: a save made before its swap is indexed
    and found before the compaction goes on (a save blocked behind it would give up waiting
    after ``SAVE_WAIT`` and not be found)."""
    monkeypatch.setattr(queue, "SAVE_WAIT", 60)
    for article in Article.objects.order_by("pk")[:3]:
        edit(article, " Edited.")
    article = Article.objects.order_by("pk").last()
    found_before_the_swap = []

    def save_and_search():
        edit(article, " The zeppelin landed.")
        found_before_the_swap.extend(int(r.pk) for r in SearchQuerySet().auto_query("zeppelin"))

    during_the_copy(save_and_search)
    assert [r.reclaimed for r in compaction.compact(segmented.path)] == [3]
    assert found_before_the_swap == [article.pk]
    assert [int(r.pk) for r in SearchQuerySet().auto_query("zeppelin")] == [article.pk]


def test_a_search_begun_before_a_compaction_still_reads_the_segments_it_dropped(
    segmented, monkeypatch
):
    """Whoosh opens some files of a segment when a search first needs them: they stay on
    disk for a while after a compaction (or a rebuild) drops the segment."""
    for article in Article.objects.order_by("pk")[:3]:
        edit(article, " Edited.")
    begun = FileStorage(segmented.path).open_index().searcher()  # as in another process
    compaction.compact(segmented.path)

    def in_index():
        return {s.segment_id() for s in FileStorage(segmented.path).open_index()._segments()}

    dropped = {s.segment_id() for s in begun.reader().segments()} - in_index()
    assert dropped
    hits = begun.search(wquery.Term("text", "stori"), limit=None, sortedby="pub_date")
    assert len({hit["title"] for hit in hits}) == 40

    monkeypatch.setattr(writer, "RETIRED_GRACE", 0)
    edit(Article.objects.order_by("pk").last(), " Later.")  # the next commit cleans up
    on_disk = {name.split(".")[0] for name in os.listdir(segmented.path)}
    assert in_index() <= on_disk and not dropped & on_disk
    assert not [name for name in os.listdir(segmented.path) if name.startswith(".retired")]


def test_a_rebuild_during_the_copy_abandons_the_compaction(segmented, during_the_copy):
    for article in Article.objects.order_by("pk")[:3]:
        edit(article, " Edited.")
    during_the_copy(maintenance.rebuild)
    with pytest.raises(compaction.Abandoned):
        compaction.compact(segmented.path)
    assert segments(segmented) == [(40, 0)]
    assert SearchQuerySet().auto_query("story").count() == 40
    assert maintenance.compare().agrees
    assert not list(Path(segmented.path).parent.glob("*.compacting"))


def test_every_document_deleted_leaves_an_empty_index(segmented):
    Article.objects.filter(pk__in=Article.objects.order_by("pk")[:20]).delete()
    compaction.compact(segmented.path)
    assert segments(segmented) == [(20, 0)]
    assert SearchQuerySet().auto_query("story").count() == 20


@pytest.mark.slow
def test_an_ingest_that_leaves_the_index_due_starts_a_compaction(search_index, tmp_path):
    """In a process of its own, at the default sizes, and the ingest does not wait for it."""
    folder = tmp_path / "seeds"
    write_articles(folder, 120)
    ingest(folder)
    write_articles(folder, 10, extra=" Revised.")
    ingest(folder)
    wait_until(
        lambda: segments(search_index) == [(110, 0), (10, 0)],
        "the compaction the ingest started",
    )
    assert SearchQuerySet().auto_query("revised").count() == 10
    assert maintenance.compare().agrees
    log = Path(f"{search_index.path}.compaction.log").read_text()
    assert "compacted: 1 segment rewritten: 110 documents kept" in log


def test_the_command_says_when_there_is_nothing_to_compact(segmented, capsys):
    call_command("compact_index", index_path=segmented.path)
    assert capsys.readouterr().out.endswith(" nothing to compact\n")
    holder = os.open(locks.compaction_lock_path(segmented.path), os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_EX)  # as another process's compaction holds it
    try:
        call_command("compact_index", "--no-wait", index_path=segmented.path)
    finally:
        os.close(holder)
    assert "another compaction is running" in capsys.readouterr().out
    Article.objects.order_by("pk").first().delete()
    Article.objects.order_by("pk").first().delete()
    call_command("compact_index", index_path=segmented.path)
    assert "2 replaced or deleted ones dropped" in capsys.readouterr().out
