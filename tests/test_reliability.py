"""Hostile requests and broken disks leave the archive whole and serving.

A missing, damaged, replaced or unwritable index degrades search (503 with a message) and
never the site; feeds survive whatever text an article holds; dates outside the archive are
refused; searches are limited per client and per worker.
"""

import subprocess
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from haystack.query import SearchQuerySet

from articles.dates import LATEST_PUB_DATE
from articles.index import queue
from articles.models import Article, PendingIndexUpdate
from articles.search import limits
from tests.processes import fetch, manage, seeded_archive, serve
from tests.test_index import make_article

ATOM = "{http://www.w3.org/2005/Atom}"


def mount_small_disk(mount):
    """Mount a 16 MiB filesystem of its own (tmpfs) at ``mount``, to fill up; the test is
    skipped where mounting is refused (not root)."""
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here: {done.stderr.decode().strip()}")


@pytest.fixture
def small_disk(tmp_path):
    """A small filesystem of its own (see ``mount_small_disk``)."""
    mount = tmp_path / "disk"
    mount_small_disk(mount)
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=True)


@pytest.fixture
def index_on_small_disk(tmp_path):
    """The ``search_index`` folder on a small filesystem of its own: request it before
    ``search_index``."""
    mount = tmp_path / "whoosh_index"
    mount_small_disk(mount)
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(disk):
    """Fill ``disk`` to the last byte; returns the filler, to delete to free it."""
    filler = disk / "filler"
    subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=1M"], capture_output=True)
    return filler


def get_status(client, url):
    return client.get(url).status_code


# -- dates outside the archive -----------------------------------------------------------


def test_dates_outside_the_archive_are_refused_with_a_message(client, search_index):
    make_article("Harbour opens", "The harbour opened.")
    page = client.get("/search/?q=harbour&to=0001-01-01")
    assert page.status_code == 200
    assert "outside the archive" in page.content.decode()
    assert "<mark>Harbour</mark> opens" in page.content.decode()  # the rest still runs
    api = client.get("/api/search/?q=harbour&from=9999-12-31")
    assert api.status_code == 400
    assert "outside the archive" in api.json()["errors"][0]


def test_archive_pages_at_the_edges_of_the_archive_answer(client, search_index):
    make_article("Last day", "At the very end.", pub_date=LATEST_PUB_DATE)
    assert get_status(client, "/archive/2100/12/31/") == 200
    assert get_status(client, "/archive/2100/12/") == 200
    assert get_status(client, "/archive/2100/") == 200
    for url in ("/archive/9999/12/31/", "/archive/9999/", "/archive/0001/01/01/"):
        assert get_status(client, url) == 404


# -- feeds -----------------------------------------------------------------------------


def test_feeds_survive_control_characters_in_stored_text(client, search_index):
    article = make_article(
        "Bell\x07 rings", "Text with \x01 and \x1b in it.", people=["Ann\x02 Lee"], tags=["Odd\x7f"]
    )
    person = article.people.get()
    for url in ("/feeds/latest/", "/search/feed/?q=bell", f"/people/{person.slug}/feed/"):
        response = client.get(url)
        assert response.status_code == 200, url
        entry = ET.fromstring(response.content).find(f"{ATOM}entry")
        assert entry.find(f"{ATOM}title").text == "Bell  rings"


def test_feeds_show_markup_in_a_story_as_text_never_as_html(client, search_index):
    make_article("Markup", "A story <script>alert(1)</script> about <b>tags</b>.")
    for url in ("/feeds/latest/", "/search/feed/?q=markup"):
        feed = ET.fromstring(client.get(url).content)
        summary = feed.find(f"{ATOM}entry/{ATOM}summary")
        assert summary.get("type") == "html"
        # What a feed reader renders as HTML: the markup escaped once, shown as text.
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in summary.text
        assert "<script>" not in summary.text


# -- the index missing, damaged or replaced ----------------------------------------------


def test_a_missing_index_makes_search_unavailable_and_the_site_serve_on(client, search_index):
    article = make_article("Harbour opens", "The harbour opened.")
    SearchQuerySet().auto_query("harbour").count()  # a searcher is open, as in a worker
    for path in Path(search_index.path).iterdir():
        path.unlink()
    Path(search_index.path).rmdir()

    page = client.get("/search/?q=harbour")
    assert page.status_code == 503
    assert page["Retry-After"]
    assert "Search is unavailable" in page.content.decode()
    assert "Search is unavailable" in client.get("/trends/?q=harbour").content.decode()
    for url in ("/api/search/?q=harbour", "/api/autocomplete/?q=harb", "/api/trends/?q=harbour"):
        response = client.get(url)
        assert response.status_code == 503
        assert "unavailable" in response.json()["errors"][0]
    assert get_status(client, "/search/feed/?q=harbour") == 503
    assert get_status(client, "/trends/?q=harbour") == 503
    for url in ("/", "/articles/", "/tags/", article.get_absolute_url(), "/feeds/latest/"):
        assert get_status(client, url) == 200, url

    call_command("reindex")  # picked up by this process without a restart
    assert "<mark>Harbour</mark> opens" in client.get("/search/?q=harbour").content.decode()


def test_check_index_finds_a_truncated_postings_file_and_the_fix_rebuilds_it(
    client, search_index, capsys
):
    with transaction.atomic():  # one index commit: one segment, no compaction to come
        for n in range(30):
            make_article(f"Dispatch {n}", f"Wire dispatch number {n} about oil and grain.")
    call_command("check_index")
    [postings] = Path(search_index.path).glob("*.pst")
    with postings.open("r+b") as file:
        file.truncate(postings.stat().st_size // 2)
    search_index.close_searcher()

    with pytest.raises(CommandError, match=r"damaged: run manage\.py reindex"):
        call_command("check_index")
    assert "truncated" in capsys.readouterr().out
    assert get_status(client, "/search/?q=oil") == 503

    call_command("check_index", "--fix")
    assert "rebuilt the damaged index: 30 articles" in capsys.readouterr().out
    assert client.get("/api/search/?q=oil").json()["count"] == 30


@pytest.mark.slow
def test_running_workers_pick_up_an_index_rebuilt_after_it_vanished(tmp_path):
    data = tmp_path / "data"
    env = seeded_archive(data)
    with serve(env, workers=2) as base:
        for _ in range(4):  # every worker has its searcher open
            assert "Trump Questions <mark>Putin</mark>" in fetch(base + "/search/?q=putin")[1]
        subprocess.run(["rm", "-rf", str(data / "whoosh_index")], check=True)
        for _ in range(4):
            with pytest.raises(OSError, match="503"):
                fetch(base + "/search/?q=putin")
            assert fetch(base + "/")[0] == 200
        manage(env, "reindex")
        for _ in range(4):
            assert "Trump Questions <mark>Putin</mark>" in fetch(base + "/search/?q=putin")[1]


# -- an index that cannot be written ------------------------------------------------------


def test_a_failed_index_write_keeps_the_save_and_every_lock_is_released(
    client, index_on_small_disk, search_index
):
    article = make_article("Harbour opens", "The harbour opened.")
    editor = User.objects.create_superuser("editor", "e@example.org", "x")
    client.force_login(editor)
    filler = fill(index_on_small_disk)

    form = {
        "title": "Harbour closes",
        "pub_date": "2017-07-07",
        "publication": "",
        "people": [],
        "tags": [],
    }
    response = client.post(f"/admin/articles/article/{article.pk}/change/", form, follow=True)
    assert response.status_code == 200
    assert "The change is saved" in response.content.decode()
    assert Article.objects.get(pk=article.pk).title == "Harbour closes"
    assert PendingIndexUpdate.objects.filter(article_id=article.pk).exists()

    filler.unlink()
    call_command("drain_index_queue")  # Whoosh's own lock was released after the failure
    assert [r.title for r in SearchQuerySet().auto_query("harbour")] == ["Harbour closes"]
    assert not PendingIndexUpdate.objects.exists()


@pytest.mark.slow
def test_a_full_disk_leaves_every_page_but_search_writes_serving(small_disk):
    env = seeded_archive(small_disk / "data")
    pages = ["/", "/articles/", "/tags/", "/people/", "/archive/2017/", "/feeds/latest/"]
    with serve(env, workers=2) as base:
        for _ in range(2):  # each worker has served once
            for page in pages:
                fetch(base + page)
        fill(small_disk)
        for page in [*pages, "/archive/2017/07/", "/search/?q=putin", "/api/search/?q=trump"]:
            assert fetch(base + page)[0] == 200, page


# -- limits ----------------------------------------------------------------------------


@override_settings(SEARCH_RATE=(3, 60))
def test_a_client_over_the_search_rate_is_asked_to_wait(client, search_index):
    cache.clear()
    for _ in range(3):
        assert get_status(client, "/search/?q=harbour") == 200
    refused = client.get("/api/search/?q=harbour")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 61
    assert get_status(client, "/search/feed/?q=harbour") == 429
    assert get_status(client, "/trends/?q=harbour") == 429  # each series is a search
    assert get_status(client, "/api/trends/?q=harbour") == 429
    assert get_status(client, "/api/autocomplete/?q=harb") == 200  # counted apart
    assert client.get("/search/?q=harbour", REMOTE_ADDR="192.0.2.7").status_code == 200
    assert get_status(client, "/articles/") == 200  # browsing is not limited


@override_settings(SEARCH_CONCURRENCY=1)
def test_searches_beyond_a_workers_slots_get_503_and_browsing_goes_on(
    client, search_index, monkeypatch
):
    monkeypatch.setattr(limits, "_slots", None)
    monkeypatch.setattr(limits, "SLOT_WAIT", 0.05)
    slots = limits._search_slots()
    slots.acquire()  # one search running in this worker
    try:
        busy = client.get("/search/?q=harbour")
        assert busy.status_code == 503
        assert busy["Retry-After"] == str(limits.BUSY_RETRY_AFTER)
        assert get_status(client, "/articles/") == 200
    finally:
        slots.release()
    assert get_status(client, "/search/?q=harbour") == 200
    monkeypatch.setattr(limits, "_slots", None)


def test_a_search_slot_is_returned_when_the_search_fails(client, search_index, monkeypatch):
    monkeypatch.setattr(limits, "_slots", threading.BoundedSemaphore(1))
    search_index.close_searcher()
    Path(search_index.path).rename(Path(search_index.path).with_name("elsewhere"))
    assert get_status(client, "/search/?q=x") == 503
    assert limits._slots.acquire(blocking=False)  # the failed search gave its slot back
    limits._slots.release()


def test_a_save_is_told_apart_from_the_next_request(search_index, monkeypatch):
    """The error a save met is reported once, to the request that made it."""
    from articles.index.whoosh.writer import IndexBatch

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(IndexBatch, "update", broken)
    make_article("Queued", "Kept for later.")
    assert queue.pop_index_error() is not None
    assert queue.pop_index_error() is None


def test_an_ingest_whose_index_write_fails_is_saved_and_says_so(
    index_on_small_disk, search_index, seed_dir, write_seed
):
    for n in range(3):
        write_seed(f"{n}.txt", url=f"https://example.com/{n}", title=f"Story {n} - Reuters")
    fill(index_on_small_disk)
    with pytest.raises(CommandError, match="the files are ingested, but the search index"):
        call_command("ingest", str(seed_dir))
    assert Article.objects.count() == 3
    assert PendingIndexUpdate.objects.count() == 3
