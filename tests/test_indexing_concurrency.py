"""Several real processes write at once (as gunicorn workers, an ingest and the admin do)."""

import json
import select
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest

from articles.index.whoosh.locks import file_lock, write_lock_path
from tests.conftest import REPO
from tests.processes import archive_env, manage

#: Operations of each writer in each round.
OPERATIONS = 10
WRITERS = ["web1", "web2", "admin", "ingest"]

WRITER = r"""
import json, random, sys
from pathlib import Path

import django

django.setup()
from haystack import connections
from articles.ingest import find_files, ingest_files
from articles.models import Article, Tag

name, operations, folder = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
random.seed(name)
tag, _ = Tag.objects.get_or_create(key=name, defaults={"name": name, "slug": name})
connections["default"].get_backend().setup()  # warm up: a worker's first request opens the index
mine, errors, n = [], [], 0


def attempt(call):
    try:
        return call()
    except Exception as exc:
        errors.append(repr(exc))


def operate():
    global n
    n += 1
    roll = random.random()
    if name.startswith("ingest"):
        # A bulk writer: seed files in, each run changing some of them.
        for k in range(5):
            (folder / f"{k}.txt").write_text(
                f"https://example.com/{name}/{k}\nIngested {name} {k} - The Times\n\n"
                f"July 7, 2017\n1\nRun {n} of the {name} ingest wrote this.\n"
            )
        attempt(lambda: ingest_files(find_files([folder])))
    elif roll < 0.45 or not mine:
        article = attempt(lambda: Article.objects.create(
            url=f"https://example.com/{name}/{n}", title=f"Story {name} {n}",
            slug=f"story-{name}-{n}", body=f"Words {n} about {name}.",
        ))
        if article:
            mine.append(article)
    elif roll < 0.65:
        article = random.choice(mine)
        article.title = f"Edited {name} {n}"
        attempt(article.save)
    elif roll < 0.75:
        attempt(lambda: random.choice(mine).tags.add(tag))
    else:
        attempt(mine.pop(random.randrange(len(mine))).delete)


while True:  # a round of operations, its report, then a line on stdin for another
    for _ in range(operations):
        operate()
    print(json.dumps({"done": n, "errors": errors}), flush=True)
    if not sys.stdin.readline():
        break
"""


def start_writer(stack, env, folder):
    """A writer process named after ``folder`` (made, for its seed files and its log); it is
    killed when ``stack`` closes, unless it has exited."""
    folder.mkdir()
    log = stack.enter_context((folder / "log").open("w"))
    writer = stack.enter_context(
        subprocess.Popen(
            [sys.executable, "-c", WRITER, folder.name, str(OPERATIONS), str(folder)],
            cwd=REPO,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
    )
    stack.callback(writer.kill)
    return writer


def report(writer):
    """The next line a writer prints: what it has done so far (waits two minutes at most)."""
    ready, _, _ = select.select([writer.stdout], [], [], 120)
    line = writer.stdout.readline() if ready else ""
    assert line, f"no report from {writer.args[-1]}:\n{log(writer)}"
    return json.loads(line)


def log(writer):
    return (Path(writer.args[-1]) / "log").read_text()


def all_done(operations):
    """What the writers report once each has made ``operations``, none failing."""
    return [{"done": operations, "errors": []}] * len(WRITERS)


@pytest.mark.slow
def test_concurrent_writers_never_wait_on_the_index_and_leave_it_equal_to_the_database(
    tmp_path,
):
    """Round 1: the writers' own index threads contend for the index. Round 2: the test holds
    the index's write lock throughout (as a long index write elsewhere would), and every
    write still completes: it waits at most ``SAVE_WAIT`` for its change to be indexed. Then
    the writers index what they queued, and the index agrees with the database."""
    env = archive_env(tmp_path, DJANGO_SETTINGS_MODULE="archive.settings")
    manage(env, "migrate", "--verbosity=0")
    with ExitStack() as stack:
        writers = [start_writer(stack, env, tmp_path / name) for name in WRITERS]
        assert [report(w) for w in writers] == all_done(OPERATIONS)

        with file_lock(write_lock_path(tmp_path / "whoosh_index")):
            for writer in writers:
                writer.stdin.write("next round\n")
                writer.stdin.flush()
            assert [report(w) for w in writers] == all_done(2 * OPERATIONS)

        for writer in writers:
            writer.stdin.close()  # each drains its queue, now that the lock is free, and exits
            assert writer.wait(timeout=120) == 0, log(writer)
    assert "index and database agree" in manage(env, "check_index").stdout
