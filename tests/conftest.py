"""Shared fixtures: small real archives built from seed-format files written for the test."""

import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

REPO = Path(__file__).resolve().parent.parent
REAL_SEED = REPO / "seeds" / "000_e5a4321f9f09b245.txt"


def seed_text(
    url="https://www.nytimes.com/2017/07/07/world/example.html",
    title="An Example Story - The New York Times",
    keywords="Trump  Donald J,Russia",
    date="July 7, 2017",
    number="12",
    body="WASHINGTON — Something happened on Friday.Mr. Trump said so.",
):
    """The text of one seed-format file; pass ``None`` to leave a line out."""
    lines = [url, title, keywords, date, number, body]
    return "\n".join(line for line in lines if line is not None) + "\n"


@pytest.fixture
def seed_dir(tmp_path):
    folder = tmp_path / "seeds"
    folder.mkdir()
    return folder


@pytest.fixture
def write_seed(seed_dir):
    """``write_seed(name, **lines)`` writes a seed file (see ``seed_text``) and returns its path.

    ``raw=bytes`` writes exactly those bytes instead.
    """

    def write(name, raw=None, **lines):
        path = seed_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw if raw is not None else seed_text(**lines).encode())
        return path

    return write


@pytest.fixture(scope="session", autouse=True)
def _process_cache():
    """Each test process its own cache: test databases differ, cached figures must not leak."""
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    ):
        yield


@pytest.fixture(scope="session", autouse=True)
def collected_static(tmp_path_factory):
    """Pages render with the production static storage (hashed names): collect once per run."""
    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(STATIC_ROOT=root):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


def wait_until(condition, what, timeout=60):
    """Poll ``condition()`` until it is true; fail after ``timeout`` seconds, naming ``what``.

    The timeout only bounds the wait for an event, generously for a busy machine: no test
    asserts how long something took.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what} after {timeout} s"
        time.sleep(0.05)


def _use_search_index(path):
    """Point haystack's default connection at a Whoosh index in ``path``; returns the old one."""
    from haystack import connections

    old = connections.connections_info["default"]
    connections.connections_info["default"] = {
        "ENGINE": "articles.index.whoosh.backend.ArchiveWhooshEngine",
        "INDEX_ENGINE": "articles.index.whoosh.engine.WhooshEngine",
        "PATH": str(path),
        "INCLUDE_SPELLING": True,
    }
    connections.reload("default")
    return old


@pytest.fixture(scope="session", autouse=True)
def _isolated_search_index(tmp_path_factory):
    """No test touches the developer's index: by default haystack writes to a throw-away one."""
    _use_search_index(tmp_path_factory.mktemp("search") / "whoosh_index")


@pytest.fixture
def search_index(tmp_path, transactional_db, monkeypatch):
    """A real, empty Whoosh index for this test, kept in step with the database.

    Request it in any test that searches (search page, browsing, admin). Articles created
    afterwards — through the ORM, ``ingest_files``/``manage.py ingest`` or the admin — are
    indexed when their transaction commits, as in production; hence the test runs with real
    commits (``transactional_db``). Unlike production (where a save waits at most
    ``articles.index.queue.SAVE_WAIT``), the save waits until its change is searchable, so a
    test can search right after it. Yields our haystack backend: query through
    ``haystack.query.SearchQuerySet()`` as the views do; ``search_index.path`` is the folder.
    """
    from haystack import connections

    from articles.index import queue

    monkeypatch.setattr(queue, "SAVE_WAIT", None)
    old = _use_search_index(tmp_path / "whoosh_index")
    backend = connections["default"].get_backend()
    backend.setup()
    yield backend
    backend.close_searcher()
    connections.connections_info["default"] = old
    connections.reload("default")
