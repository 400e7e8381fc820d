"""The engine seam: the index queue drives any haystack backend through haystack's own API.

Haystack's stock Whoosh backend (``HAYSTACK_URL=whoosh:///path``) receives exactly the calls
an Elasticsearch or Solr backend would (``update``, ``remove``, ``clear`` and a
``SearchQuerySet``), so these tests run the generic path for real, on one machine.
"""

import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import connection
from haystack import connections
from haystack.query import SearchQuerySet

from archive.settings import haystack_connection
from articles import merging
from articles.index import maintenance, queue
from articles.index.engines import HaystackEngine, get_engine
from articles.ingest import find_files, ingest_files
from articles.models import Article, PendingIndexUpdate, Person, Tag
from tests.conftest import REPO
from tests.processes import archive_env
from tests.test_index import make_article, titles


@pytest.fixture
def generic_index(tmp_path, transactional_db, monkeypatch):
    """haystack's stock Whoosh backend in ``tmp_path``, kept in step through the queue."""
    monkeypatch.setattr(queue, "SAVE_WAIT", None)  # a save waits until it is searchable
    old = connections.connections_info["default"]
    connections.connections_info["default"] = haystack_connection(f"whoosh://{tmp_path}/index")
    connections.reload("default")
    yield tmp_path / "index"
    connections.connections_info["default"] = old
    connections.reload("default")


def found(query):
    return titles(SearchQuerySet().auto_query(query))


def test_haystack_url_selects_the_generic_engine_with_errors_raised():
    options = haystack_connection("whoosh:///srv/index")
    assert options["ENGINE"] == "haystack.backends.whoosh_backend.WhooshEngine"
    assert options["PATH"] == "/srv/index"
    for url in ("whoosh:///srv/index", "elasticsearch://es:9200/news", "solr://s:8983/solr/a"):
        # A swallowed error would let the queue drop a change it believes written.
        assert haystack_connection(url)["SILENTLY_FAIL"] is False
        assert haystack_connection(url)["INDEX_ENGINE"] == "articles.index.engines.HaystackEngine"


def test_edits_deletes_renames_and_merges_reach_a_generic_engine(generic_index):
    assert isinstance(get_engine(), HaystackEngine)
    article = make_article("Harbour opens", "The new harbour opened on Monday.", tags=["Ports"])
    assert found("harbour") == ["Harbour opens"]

    article.title = "Harbour closes"
    article.save()
    assert found("harbour") == ["Harbour closes"]

    tag = Tag.objects.get(slug="ports")
    tag.name = "Seaports"
    tag.save()
    assert found("seaports") == ["Harbour closes"]

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

    article.delete()
    assert found("harbour") == []
    assert not PendingIndexUpdate.objects.exists()
    assert maintenance.compare().agrees


def test_ingest_and_reingest_reach_a_generic_engine(generic_index, write_seed, seed_dir):
    for n in range(3):
        write_seed(
            f"{n}.txt",
            url=f"https://example.com/glacier-{n}",
            title=f"Glacier {n} melts - The New York Times",
            body="The glacier melted.",
        )
    ingest_files(find_files([seed_dir]))
    assert found("glacier") == ["Glacier 0 melts", "Glacier 1 melts", "Glacier 2 melts"]
    write_seed(
        "1.txt",
        url="https://example.com/glacier-1",
        title="Glacier 1 grows - The New York Times",
        body="The glacier grew.",
    )
    ingest_files(find_files([seed_dir]))
    assert found("grew") == ["Glacier 1 grows"]
    assert found("glacier") == ["Glacier 0 melts", "Glacier 1 grows", "Glacier 2 melts"]
    assert maintenance.compare().agrees


def test_check_index_and_reindex_work_on_a_generic_engine(generic_index, capsys):
    kept = make_article("Kept", "Fine.", slug="kept")
    lost = make_article("Lost", "Words.", slug="lost")
    connections["default"].get_backend().remove(lost)  # behind the queue's back
    Article.objects.filter(pk=kept.pk).update(body="Changed behind its back.")

    comparison = maintenance.compare()
    assert (comparison.missing, comparison.stale) == ([lost.pk], [kept.pk])
    call_command("check_index", "--fix")
    assert "fixed: re-indexed 2 articles" in capsys.readouterr().out
    assert found("behind") == ["Kept"]

    call_command("reindex")
    assert found("words") == ["Lost"]
    assert maintenance.compare().agrees


def test_a_failed_write_to_a_generic_engine_stays_queued(generic_index, monkeypatch):
    backend = connections["default"].get_backend()

    def unreachable(*args, **kwargs):
        raise ConnectionError("search server unreachable")

    monkeypatch.setattr(type(backend), "update", unreachable)
    make_article("Queued", "Kept for later.")
    assert isinstance(queue.pop_index_error(), ConnectionError)
    assert PendingIndexUpdate.objects.count() == 1

    monkeypatch.undo()
    monkeypatch.setattr(queue, "SAVE_WAIT", None)
    call_command("drain_index_queue")
    assert found("queued") == ["Queued"]
    assert not PendingIndexUpdate.objects.exists()


def test_two_drainers_on_postgresql_never_write_one_update_twice_nor_drop_one(
    generic_index, tmp_path
):
    """As two machines would: separate processes drain one queue in small claims at once."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SKIP LOCKED) are PostgreSQL's; SQLite serves one machine")
    articles = Article.objects.bulk_create(
        Article(
            url=f"https://example.com/{n}",
            title=f"Dispatch {n}",
            slug=f"dispatch-{n}",
            body=f"Dispatch number {n} from the wire.",
        )
        for n in range(400)
    )  # bulk_create sends no signal: nothing is drained by this process
    PendingIndexUpdate.objects.bulk_create(PendingIndexUpdate(article_id=a.pk) for a in articles)

    db = connection.settings_dict
    env = archive_env(
        tmp_path / "data",
        DATABASE_URL=(
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
        HAYSTACK_URL=f"whoosh://{generic_index}",
    )
    command = [sys.executable, "manage.py", "drain_index_queue", "--batch-size=7", "-v", "2"]
    drainers = [
        subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    written = []
    for drainer in drainers:
        out, _ = drainer.communicate(timeout=300)
        assert drainer.returncode == 0
        line = next(line for line in out.splitlines() if line.startswith("articles:"))
        written.append([int(pk) for pk in line.split()[1:]])

    assert all(written), json.dumps(written)  # both took part
    assert not set(written[0]) & set(written[1])
    assert sorted(written[0] + written[1]) == sorted(a.pk for a in articles)
    assert not PendingIndexUpdate.objects.exists()
    assert SearchQuerySet().auto_query("dispatch").count() == 400
    assert maintenance.compare().agrees
