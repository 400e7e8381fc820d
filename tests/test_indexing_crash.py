"""Crash safety: ``kill -9`` during an ingest, a rebuild or a compaction; all agree afterwards.

Each process is killed at a known point: it runs with ``ARCHIVE_PAUSE_AT`` naming one of the
checkpoints in ``articles/checkpoints.py`` and is killed once it has paused there.
"""

import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from articles.index.whoosh.locks import file_lock
from tests.conftest import REPO, wait_until
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


def count(database, sql):
    with sqlite3.connect(database) as connection:
        return connection.execute(sql).fetchone()[0]


def queued(database):
    return count(database, "SELECT count(*) FROM articles_pendingindexupdate")


def kill_at(checkpoint, env, *args):
    """Run ``manage.py args`` until it pauses at ``checkpoint``, then ``kill -9`` it."""
    paused = Path(env["ARCHIVE_DATA_DIR"]) / f"paused-at-{checkpoint.replace(':', '-')}"
    process = subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env={**env, "ARCHIVE_PAUSE_AT": checkpoint, "ARCHIVE_PAUSE_FILE": str(paused)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(
            lambda: paused.exists() or process.poll() is not None,
            f"manage.py {args[0]} to reach {checkpoint}",
            timeout=120,
        )
        assert process.poll() is None, f"finished before {checkpoint}: {process.stderr.read()}"
    finally:
        process.kill()
        process.wait()
    paused.unlink()


@pytest.mark.slow
def test_kill_during_ingest_indexing_and_rebuild_then_ingest_again(tmp_path):
    env = archive_env(tmp_path / "data")
    database = tmp_path / "data" / "archive.sqlite3"
    index = tmp_path / "data" / "whoosh_index"
    seeds = tmp_path / "seeds"
    write_seeds(seeds, ARTICLES)
    manage(env, "migrate", "--verbosity=0")

    # 1. Killed once the database has committed, before the index has.
    kill_at("stream:before-index-commit", env, "ingest", str(seeds))
    assert count(database, "SELECT count(*) FROM articles_article") == ARTICLES
    assert queued(database) > 0  # the committed articles wait in the queue

    out = manage(env, "ingest", str(seeds)).stdout
    assert f"{ARTICLES} unchanged" in out
    assert f"agree: {ARTICLES} articles" in manage(env, "check_index").stdout

    # 2. A rebuild killed before its commit, its sub-writers at work, leaves the old index whole.
    kill_at("rebuild:before-commit", env, "reindex")
    assert f"agree: {ARTICLES} articles" in manage(env, "check_index").stdout

    # 3. Killed while still writing the database: nothing of it was committed.
    for path in list(seeds.iterdir())[:500]:
        path.write_text(path.read_text().replace("Story number", "Changed story"))
    kill_at("ingest:in-transaction", env, "ingest", str(seeds))
    changed = "SELECT count(*) FROM articles_article WHERE title LIKE 'Changed story%'"
    assert count(database, changed) == 0
    assert queued(database) == 0
    manage(env, "ingest", str(seeds))
    assert count(database, changed) == 500
    assert f"agree: {ARTICLES} articles" in manage(env, "check_index").stdout
    assert queued(database) == 0

    # 4. A compaction killed before its swap leaves the index as it was; the next one finishes.
    manage(env, "compact_index")  # waits for the one the last ingest started
    with file_lock(f"{index}.compact.lock"):  # this ingest starts none
        for path in list(seeds.iterdir())[:500]:
            path.write_text(path.read_text().replace("Changed story", "Story number"))
        manage(env, "ingest", str(seeds))
    compacting = index.with_name("whoosh_index.compacting")
    kill_at("compaction:before-swap", env, "compact_index")
    assert any(compacting.iterdir())  # the copy the swap would have moved into the index
    assert f"agree: {ARTICLES} articles" in manage(env, "check_index").stdout
    assert "500 replaced or deleted ones dropped" in manage(env, "compact_index").stdout
    assert not compacting.exists()
    assert f"agree: {ARTICLES} articles" in manage(env, "check_index").stdout
