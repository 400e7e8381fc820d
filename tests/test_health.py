"""``/healthz``: the database, the search index against the article count, the index queue."""

import json
import shutil
import threading
import urllib.error
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.health import QUEUE_STUCK_SECONDS
from articles.models import Article, PendingIndexUpdate
from tests.factories import ArticleFactory
from tests.processes import fetch, free_port, seeded_archive, serve


def healthz(client):
    response = client.get("/healthz")
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    return response.status_code, response.json()


def test_healthy_archive_answers_200_with_its_figures(client, search_index):
    ArticleFactory.create_batch(3)

    status, body = healthz(client)

    assert status == 200
    assert body == {
        "ok": True,
        "failed": [],
        "checks": {
            "database": {"ok": True, "articles": 3},
            "search_index": {"ok": True, "documents": 3},
            "index_queue": {"ok": True, "depth": 0},
        },
    }


def test_missing_index_is_503_naming_the_fix(client, search_index):
    ArticleFactory.create_batch(2)
    search_index.close_searcher()
    shutil.rmtree(search_index.path)

    status, body = healthz(client)

    assert status == 503
    assert body["failed"] == ["search_index"]
    error = body["checks"]["search_index"]["error"]
    assert f"no search index in {search_index.path}" in error
    assert "manage.py reindex" in error
    assert body["checks"]["database"] == {"ok": True, "articles": 2}


def test_articles_the_index_does_not_have_and_no_update_queued_is_503(client, search_index):
    ArticleFactory.create_batch(2)
    # Rows written behind the archive's back (no signals: nothing queued, nothing indexed).
    Article.objects.bulk_create([ArticleFactory.build(), ArticleFactory.build()])

    status, body = healthz(client)

    assert status == 503
    assert body["failed"] == ["search_index"]
    assert body["checks"]["search_index"]["error"] == (
        "the index holds 2 documents for 4 articles (0 updates queued): "
        "run manage.py check_index --fix"
    )


def test_queued_updates_are_reported_and_explain_a_gap(client, search_index):
    indexed = ArticleFactory.create_batch(2)
    Article.objects.bulk_create([ArticleFactory.build()])
    PendingIndexUpdate.objects.bulk_create(
        [PendingIndexUpdate(article_id=a.pk) for a in indexed[:1]]
    )  # plus one for an article the index has yet to get, as an ingest's commit leaves it
    PendingIndexUpdate.objects.create(article_id=Article.objects.latest("pk").pk)

    status, body = healthz(client)

    assert status == 200, body
    assert body["checks"]["index_queue"]["depth"] == 2
    assert body["checks"]["search_index"] == {"ok": True, "documents": 2}


def queue_an_update_long_ago():
    """An article's index update queued longer ago than a queue may wait."""
    PendingIndexUpdate.objects.create(article_id=ArticleFactory().pk)
    long_ago = timezone.now() - timedelta(seconds=QUEUE_STUCK_SECONDS + 60)
    PendingIndexUpdate.objects.update(queued=long_ago)


def test_a_queue_that_does_not_drain_is_503(client, search_index):
    queue_an_update_long_ago()

    status, body = healthz(client)

    assert status == 503
    assert body["failed"] == ["index_queue"]
    queue = body["checks"]["index_queue"]
    assert queue["depth"] == 1
    assert "manage.py drain_index_queue" in queue["error"]


def test_old_updates_being_written_are_not_a_stuck_queue(client, search_index):
    """An ingest's rows are as old as the ingest when it commits, and it holds the index's
    write lock until it has indexed them."""
    queue_an_update_long_ago()
    holding, release = threading.Event(), threading.Event()

    def writer():
        with search_index.write_lock():
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    holding.wait(10)
    try:
        status, body = healthz(client)
    finally:
        release.set()
        thread.join()

    assert status == 200, body
    assert body["checks"]["index_queue"]["depth"] == 1


@pytest.mark.slow
def test_unreachable_database_is_503_through_gunicorn(tmp_path):
    """gunicorn serving an archive whose PostgreSQL server is not there (nothing listens)."""
    env = seeded_archive(tmp_path / "data")
    nowhere = f"postgres://archive:secret@127.0.0.1:{free_port()}/archive"

    with serve({**env, "DATABASE_URL": nowhere}, healthy=False) as base:
        status, body = fetch_json(base + "/healthz")

    assert status == 503
    assert body["failed"] == ["database", "index_queue"]
    assert "database unreachable" in body["checks"]["database"]["error"]
    assert "127.0.0.1" in body["checks"]["database"]["error"]


def fetch_json(url):
    try:
        status, text = fetch(url)
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    return status, json.loads(text)
