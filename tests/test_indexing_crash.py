"""Crash safety: ``kill -9`` during an ingest, a rebuild or a compaction; all agree afterwards."""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from articles.index.whoosh.locks import file_lock
from tests.conftest import REPO
from tests.processes import archive_env, manage

ARTICLES = 2500  # above the bulk threshold: the multi-process writer is what gets killed
WORDS = ["harbour", "glacier", "senate", "budget", "river", "summit", "market", "treaty"]


def write_seeds(folder, count):
    folder.mkdir()
    rng = random.Random(7)
    for n in range(count):
        body = " ".join(rng.choice(WORDS) for _ in range(120))
        (folder / f"{n:05d}.txt").write_text(
            f"https://example.com/crash/{n}\nStory number {n} - The Times\n"
            f"Doe  Jane,Topic {n % 40}\nJuly {1 + n % 28}, 2017\n{n}\n{body}.\n"
        )


def queued(database):
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT count(*) FROM articles_pendingindexupdate").fetchone()[0]


def start(env, *args):
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_when(process, condition, timeout=120):
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, "finished before the kill: " + process.stderr.read()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()


@pytest.mark.slow
def test_kill_during_ingest_indexing_and_rebuild_then_ingest_again(tmp_path):
    env = archive_env(tmp_path / "data")
    database = tmp_path / "data" / "archive.sqlite3"
    index = tmp_path / "data" / "whoosh_index"
    seeds = tmp_path / "seeds"
    write_seeds(seeds, ARTICLES)
    manage(env, "migrate", "--verbosity=0")

    # 1. Killed once the database has committed, while the index is being written.
    ingest = start(env, "ingest", str(seeds))
    kill_when(ingest, lambda: database.exists() and queued(database) > 0)
    assert queued(database) > 0  # the committed articles wait in the queue

    out = manage(env, "ingest", str(seeds)).stdout
    assert f"{ARTICLES} unchanged" in out
    assert f"agree: {ARTICLES} articles" in manage(env, "check_index").stdout

    # 2. A rebuild killed while its sub-writers index leaves the old index whole.
    rebuild = start(env, "reindex")
    kill_when(rebuild, lambda: any(index.glob("*.tmp/*.doclist")))
    assert f"agree: {ARTICLES} articles" in manage(env, "check_index").stdout

    # 3. Killed while still writing the database: nothing of it was committed.
    for path in list(seeds.iterdir())[:500]:
        path.write_text(path.read_text().replace("Story number", "Changed story"))
    ingest = start(env, "ingest", str(seeds))
    time.sleep(0.3)
    kill_when(ingest, lambda: True)
    manage(env, "ingest", str(seeds))
    assert f"agree: {ARTICLES} articles" in manage(env, "check_index").stdout
    assert queued(database) == 0

    # 4. A compaction killed while it copies leaves the index as it was; the next one finishes.
    manage(env, "compact_index")  # waits for the one the last ingest started
    with file_lock(f"{index}.compact.lock"):  # this ingest starts none
        for path in list(seeds.iterdir())[:500]:
            path.write_text(path.read_text().replace("Changed story", "Story number"))
        manage(env, "ingest", str(seeds))
    compacting = index.with_name("whoosh_index.compacting")
    kill_when(start(env, "compact_index"), lambda: any(compacting.glob("*")))
    assert f"agree: {ARTICLES} articles" in manage(env, "check_index").stdout
    assert "500 replaced or deleted ones dropped" in manage(env, "compact_index").stdout
    assert not compacting.exists()
    assert f"agree: {ARTICLES} articles" in manage(env, "check_index").stdout
