"""Serving for real: the README's first command step by step, and several gunicorn workers."""

import json
import os
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import seed_text, wait_until
from tests.processes import archive_env, fetch, manage, seeded_archive, serve

pytestmark = pytest.mark.slow


def test_migrate_ingest_and_gunicorn_serve_the_seed(tmp_path):
    env = archive_env(tmp_path / "data")
    for step in (["migrate", "--noinput"], ["collectstatic", "--noinput"], ["ingest"]):
        result = manage(env, *step)
    assert "1 created" in result.stdout

    # Running it again is fast: the unchanged file is skipped and the index left alone.
    index = tmp_path / "data" / "whoosh_index"
    index_files = sorted(os.listdir(index))
    again = manage(env, "ingest")
    assert "0 created, 0 updated, 1 unchanged" in again.stdout
    assert sorted(os.listdir(index)) == index_files  # no index commit

    with serve(env) as base:
        status, page = fetch(base + "/")
    assert status == 200
    assert "Trump Questions Putin on Election Meddling" in page
    assert (tmp_path / "data" / "archive.sqlite3").exists()


def test_every_worker_shows_a_change_and_keeps_showing_it(tmp_path):
    """An ingest in another process reaches every gunicorn worker's pages and search."""
    env = seeded_archive(tmp_path / "data")
    new = tmp_path / "new"
    new.mkdir()
    (new / "001.txt").write_text(
        seed_text(
            url="https://example.com/1999/zeppelin",
            title="Zeppelin Returns to Friedrichshafen",
            keywords="Airships",
            date="May 4, 1999",
            body="FRIEDRICHSHAFEN, Germany — A zeppelin landed on Tuesday.Crowds cheered.",
        )
    )

    with serve(env, workers=3) as base:
        for _ in range(12):  # every worker has rendered (and cached) the home page
            assert "/archive/1999/" not in fetch(base + "/")[1]
        manage(env, "ingest", str(new))
        wait_until(
            lambda: (
                "/archive/1999/" in fetch(base + "/")[1]
                and "<mark>Zeppelin</mark> Returns" in fetch(base + "/search/?q=zeppelin")[1]
            ),
            "the new article on the home page and in search",
        )
        # And it stays so on every worker.
        for _ in range(12):
            assert "/archive/1999/" in fetch(base + "/")[1]
            assert "<mark>Zeppelin</mark> Returns" in fetch(base + "/search/?q=zeppelin")[1]


def test_a_graceful_reload_reopens_an_index_rebuilt_meanwhile(tmp_path):
    """``kill -HUP``: new workers start and open the search index afresh (the index was
    deleted and rebuilt from the database meanwhile); requests keep being answered."""
    data = tmp_path / "data"
    pidfile = tmp_path / "gunicorn.pid"
    env = seeded_archive(data, GUNICORN_CMD_ARGS=f"--pid {pidfile}")
    new = tmp_path / "new"
    new.mkdir()
    (new / "001.txt").write_text(
        seed_text(url="https://example.com/1999/zeppelin", title="Zeppelin Returns", body="A.")
    )

    with serve(env) as base:
        master = int(pidfile.read_text())
        before = workers(master)
        for _ in range(6):  # both workers have their searcher open
            assert "Trump Questions <mark>Putin</mark>" in fetch(base + "/search/?q=putin")[1]
        shutil.rmtree(data / "whoosh_index")
        manage(env, "ingest", str(new))  # into a new, partial index
        manage(env, "reindex")  # rebuilt whole from the database

        answers = []
        polling = threading.Thread(target=poll, args=(base + "/search/?q=putin", answers, 3))
        polling.start()
        os.kill(master, signal.SIGHUP)
        wait_until(
            lambda: not workers(master) & before and len(workers(master)) >= 2,
            "new workers in place of the old",
        )
        polling.join()

        for _ in range(6):
            assert "<mark>Zeppelin</mark> Returns" in fetch(base + "/search/?q=zeppelin")[1]
            assert "Trump Questions <mark>Putin</mark>" in fetch(base + "/search/?q=putin")[1]
        assert json.loads(fetch(base + "/healthz")[1])["checks"]["search_index"]["documents"] == 2
    assert answers and set(answers) == {200}


def workers(master):
    return set(Path(f"/proc/{master}/task/{master}/children").read_text().split())


def poll(url, answers, seconds):
    """Fetch ``url`` again and again for ``seconds``, noting each status."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        try:
            answers.append(fetch(url)[0])
        except OSError as error:
            answers.append(str(error))
