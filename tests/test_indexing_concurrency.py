"""Several real processes write at once (as gunicorn workers, an ingest and the admin do)."""

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO
from tests.processes import archive_env, manage

WRITER = r"""
import json, random, sys, time
from pathlib import Path

import django

django.setup()
from haystack import connections
from articles.ingest import find_files, ingest_files
from articles.models import Article, Tag

name, seconds, folder = sys.argv[1], float(sys.argv[2]), Path(sys.argv[3])
random.seed(name)
tag, _ = Tag.objects.get_or_create(key=name, defaults={"name": name, "slug": name})
connections["default"].get_backend().setup()  # warm up: a worker's first request opens the index
mine, slowest, errors, done, n, what = [], 0.0, [], 0, 0, ""


def timed(call):
    global slowest, done, what
    started = time.monotonic()
    try:
        return call()
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        took = time.monotonic() - started
        if took > slowest:
            slowest, what = took, f"op {n}: {call}"
        done += 1


deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    n += 1
    roll = random.random()
    if name.startswith("ingest"):
        # A bulk writer: seed files in, each run changing some of them.
        for k in range(5):
            (folder / f"{k}.txt").write_text(
                f"https://example.com/{name}/{k}\nIngested {name} {k} - The Times\n\n"
                f"July 7, 2017\n1\nRun {n} of the {name} ingest wrote this.\n"
            )
        timed(lambda: ingest_files(find_files([folder])))
    elif roll < 0.45 or not mine:
        article = timed(lambda: Article.objects.create(
            url=f"https://example.com/{name}/{n}", title=f"Story {name} {n}",
            slug=f"story-{name}-{n}", body=f"Words {n} about {name}.",
        ))
        if article:
            mine.append(article)
    elif roll < 0.65:
        article = random.choice(mine)
        article.title = f"Edited {name} {n}"
        timed(article.save)
    elif roll < 0.75:
        timed(lambda: random.choice(mine).tags.add(tag))
    else:
        article = mine.pop(random.randrange(len(mine)))
        timed(article.delete)
print(json.dumps({"slowest": slowest, "what": what, "errors": errors, "done": done}))
"""


@pytest.mark.slow
def test_concurrent_writers_never_wait_on_the_index_and_leave_it_equal_to_the_database(
    tmp_path,
):
    env = archive_env(tmp_path, DJANGO_SETTINGS_MODULE="archive.settings")
    manage(env, "migrate", "--verbosity=0")
    names = ["web1", "web2", "admin", "ingest"]
    for name in names:
        (tmp_path / name).mkdir()
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, name, "6", str(tmp_path / name)],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in names
    ]
    reports = {}
    for name, writer in zip(names, writers, strict=True):
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        reports[name] = json.loads(out.strip().splitlines()[-1])

    assert all(r["done"] > 10 for r in reports.values()), reports
    assert [e for r in reports.values() for e in r["errors"]] == []
    assert max(r["slowest"] for r in reports.values()) < 1.0, reports

    assert "index and database agree" in manage(env, "check_index").stdout
