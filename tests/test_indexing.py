"""The index stays in step with the database: every path that changes search results."""

import datetime
import logging
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from haystack import connections
from haystack.query import SearchQuerySet

from articles import merging
from articles.index import maintenance, queue, receivers
from articles.index.engines import get_engine
from articles.index.whoosh.writer import IndexBatch
from articles.ingest import find_files, ingest_files
from articles.models import Article, PendingIndexUpdate, Person, Tag
from tests.test_index import make_article, titles


def found(query):
    return titles(SearchQuerySet().auto_query(query))


def test_create_edit_and_delete_reach_the_index(search_index):
    article = make_article("Harbour opens", "The new harbour opened on Monday.")
    assert found("harbour") == ["Harbour opens"]

    article.title = "Harbour closes"
    article.body = "The old harbour closed for repairs."
    article.save()
    assert found("harbour") == ["Harbour closes"]
    assert found("repairs") == ["Harbour closes"]
    assert found("Monday") == []

    article.delete()
    assert found("harbour") == []
    assert not PendingIndexUpdate.objects.exists()


def test_queryset_delete_reaches_the_index(search_index):
    for n in range(3):
        make_article(f"Bridge {n}", "A bridge.", slug=f"bridge-{n}")
    Article.objects.filter(title__in=["Bridge 0", "Bridge 1"]).delete()
    assert found("bridge") == ["Bridge 2"]


def test_people_and_tags_changes_reach_the_index_from_either_side(search_index):
    article = make_article("Talks", "Talks went on.")
    person = Person.objects.create(
        name="Angela Merkel",
        source_name="Merkel, Angela",
        key="merkel angela",
        sort_name="Merkel, Angela",
        slug="angela-merkel",
    )
    article.people.add(person)
    assert titles(SearchQuerySet().filter(people__in=["angela-merkel"])) == ["Talks"]
    person.articles.clear()
    assert titles(SearchQuerySet().filter(people__in=["angela-merkel"])) == []
    tag = Tag.objects.create(name="Diplomacy", key="diplomacy", slug="diplomacy")
    tag.articles.add(article)
    assert found("diplomacy") == ["Talks"]
    article.tags.clear()
    assert found("diplomacy") == []


def test_tag_rename_reaches_every_article(search_index):
    tag = Tag.objects.create(name="Climat", key="climat", slug="climat")
    for n in range(3):
        make_article(f"Story {n}", "Text.", slug=f"story-{n}").tags.add(tag)
    tag.name = "Climate Change"
    tag.save()
    assert found("climate") == ["Story 0", "Story 1", "Story 2"]
    result = SearchQuerySet().auto_query("climate")[0]
    assert result.tag_names == ["Climate Change"]


def test_person_merge_and_deletion_reach_the_index(search_index):
    def person(name, slug):
        return Person.objects.create(
            name=name, source_name=name, key=slug, sort_name=name, slug=slug
        )

    trump, duplicate = person("Donald J. Trump", "donald-j-trump"), person("Donald Trump", "dt")
    make_article("One", "Text.", slug="one").people.add(trump)
    make_article("Two", "Text.", slug="two").people.add(duplicate)
    merging.merge(trump, [duplicate])
    assert titles(SearchQuerySet().filter(people__in=["donald-j-trump"])) == ["One", "Two"]
    assert titles(SearchQuerySet().filter(people__in=["dt"])) == []

    trump.delete()
    assert titles(SearchQuerySet().filter(person_names="trump")) == []


def test_ingest_and_reingest_reach_the_index(search_index, write_seed, seed_dir):
    write_seed(
        "a.txt",
        url="https://example.com/a",
        title="Glacier melts - The New York Times",
        body="The glacier melted.",
    )
    ingest_files(find_files([seed_dir]))
    assert found("glacier") == ["Glacier melts"]
    write_seed(
        "a.txt",
        url="https://example.com/a",
        title="Glacier grows - The New York Times",
        body="The glacier grew.",
    )
    ingest_files(find_files([seed_dir]))
    assert found("glacier") == ["Glacier grows"]
    assert len(search_index.stored_values("fingerprint")) == 1


def test_a_rolled_back_change_leaves_the_index_alone(search_index):
    with pytest.raises(RuntimeError), transaction.atomic():
        make_article("Ghost", "Never committed.")
        raise RuntimeError
    assert found("ghost") == []
    assert not PendingIndexUpdate.objects.exists()


def test_a_failed_index_write_keeps_the_change_queued_and_the_save_goes_on(
    search_index, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(IndexBatch, "update", broken)
    with caplog.at_level(logging.ERROR):
        make_article("Lost?", "Not lost.")
    assert "changes stay queued" in caplog.text
    assert "disk full" in str(queue.pop_index_error())  # what the admin tells the editor
    assert Article.objects.filter(title="Lost?").exists()
    assert PendingIndexUpdate.objects.count() == 1

    monkeypatch.undo()
    call_command("drain_index_queue")
    assert found("lost") == ["Lost?"]
    assert not PendingIndexUpdate.objects.exists()


def test_a_busy_lock_defers_to_the_holder_without_waiting(search_index):
    with search_index.write_lock():
        # Seen from another thread (as from another process) the lock is taken.
        saved = {}

        def other_process():
            with search_index.write_lock(blocking=False) as acquired:
                saved["acquired"] = acquired

        thread = threading.Thread(target=other_process)
        thread.start()
        thread.join()
    assert saved == {"acquired": False}


def test_check_index_reports_and_fixes_every_kind_of_difference(search_index, capsys):
    keep = make_article("Kept", "Fine.", slug="kept")
    stale = make_article("Stale", "Old words.", slug="stale")
    missing = make_article("Missing", "Words.", slug="missing")
    backend = connections["default"].get_backend()
    index = get_engine().index
    # Break the index behind the queue's back.
    backend.write(index, [], [missing.pk])
    Article.objects.filter(pk=stale.pk).update(body="New words.")
    backend.write(
        index,
        [
            Article(
                pk=999,
                url="x",
                title="Orphan",
                slug="orphan",
                body="b",
                pub_date=datetime.date(2017, 1, 1),
            )
        ],
        [],
    )
    with pytest.raises(CommandError) as error:
        call_command("check_index", "--show", "5")
    assert error.value.returncode == 1
    output = capsys.readouterr().out
    assert f"missing: 1 ({missing.pk})" in output
    assert f"stale: 1 ({stale.pk})" in output
    assert "orphaned: 1 (999)" in output

    call_command("check_index", "--fix")
    assert "fixed" in capsys.readouterr().out
    call_command("check_index")
    assert "agree: 3 articles" in capsys.readouterr().out
    assert found("new") == ["Stale"] and found("orphan") == [] and found("words")
    assert keep.pk in backend.stored_values("fingerprint")


def test_reindex_replaces_the_index_in_one_commit(search_index):
    make_article("Alpha", "One.", slug="alpha")
    Article.objects.filter(title="Alpha").update(title="Beta")
    call_command("reindex")
    assert found("beta") == ["Beta"] and found("alpha") == []


def test_a_large_ingest_is_indexed_as_it_runs_and_committed_after_it(
    search_index, write_seed, seed_dir, monkeypatch
):
    monkeypatch.setattr(queue, "STREAM_THRESHOLD", 3)
    for n in range(12):
        write_seed(f"{n:02d}.txt", url=f"https://example.com/{n}", body=f"Ferry number {n}.")
    # The same URL twice in one run, in different batches: indexed once, the later wins.
    write_seed("99.txt", url="https://example.com/0", body="Ferry number zero, corrected.")
    committed = []
    monkeypatch.setattr(queue._Stream, "commit", _spy(queue._Stream.commit, committed))
    report = ingest_files(find_files([seed_dir]), batch_size=5)
    assert report.created == 12 and committed
    assert len(SearchQuerySet().auto_query("ferry")) == 12
    assert found("corrected") == ["An Example Story"]
    assert not PendingIndexUpdate.objects.exists()
    assert maintenance.compare().agrees


def test_a_rolled_back_bulk_change_leaves_the_index_and_its_lock_alone(search_index, monkeypatch):
    monkeypatch.setattr(queue, "STREAM_THRESHOLD", 3)
    with pytest.raises(RuntimeError), transaction.atomic():
        articles = [make_article(f"Draft {n}", "Draft words.", slug=f"d{n}") for n in range(4)]
        receivers.bulk_changed(Article, article_ids=[a.pk for a in articles])
        raise RuntimeError
    make_article("Final", "Final words.")  # finds the stale stream, cancels it, indexes
    assert found("words") == ["Final"]
    with search_index.write_lock(blocking=False) as acquired:
        assert acquired


def _spy(method, calls):
    def spy(self, *args, **kwargs):
        calls.append(self)
        return method(self, *args, **kwargs)

    return spy
