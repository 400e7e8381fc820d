"""Shared fixtures: small real archives built from seed-format files written for the test."""

import os
import time
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from hypothesis import settings as hypothesis_settings

REPO = Path(__file__).resolve().parent.parent

# Property-based tests: quick by default; HYPOTHESIS_PROFILE=long for a thorough run.
hypothesis_settings.register_profile("default", max_examples=150)
hypothesis_settings.register_profile("long", max_examples=5000)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
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
def _no_search_rate_limit():
    """Every test client is 127.0.0.1: the per-client search limit is tested on its own."""
    with override_settings(SEARCH_RATE=None):
        yield


@pytest.fixture(scope="session", autouse=True)
def collected_static(tmp_path_factory):
    """Pages link static files by their hashed names, as in production: collect once per run.

    Production's storage also writes compressed copies, which only a server sends (the
    browser tests and ``test_serving.py`` run the real ``collectstatic``): they cost seconds,
    and change no name.
    """
    from django.conf import settings

    root = tmp_path_factory.mktemp("staticfiles")
    hashed = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": hashed}}
    with override_settings(STATIC_ROOT=root, STORAGES=storages):
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


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """MD5 for passwords: the production hasher is slow on purpose (~0.3 s a login)."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@contextmanager
def search_index_in(path):
    """Haystack's default connection pointed at a real Whoosh index in ``path`` (created if
    missing); yields our backend, and restores the previous connection afterwards."""
    from haystack import connections

    old = connections.connections_info["default"]
    connections.connections_info["default"] = {
        "ENGINE": "articles.index.whoosh.backend.ArchiveWhooshEngine",
        "INDEX_ENGINE": "articles.index.whoosh.engine.WhooshEngine",
        "PATH": str(path),
        "INCLUDE_SPELLING": True,
    }
    connections.reload("default")
    backend = connections["default"].get_backend()
    with backend.write_lock():
        backend.open_for_writing()  # an empty index, as after the first ingest of nothing
    try:
        yield backend
    finally:
        backend.close_searcher()
        connections.connections_info["default"] = old
        connections.reload("default")


@pytest.fixture(scope="session", autouse=True)
def _isolated_search_index(tmp_path_factory):
    """No test touches the developer's index: by default haystack writes to a throw-away one."""
    with search_index_in(tmp_path_factory.mktemp("search") / "whoosh_index"):
        yield


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
    Build what the test starts from in one transaction: one index commit instead of a few
    per article.
    """
    from articles.index import queue
    from articles.models import Article

    assert not Article.objects.exists(), "articles an empty index lacks (see shared_archive)"
    monkeypatch.setattr(queue, "SAVE_WAIT", None)
    with search_index_in(tmp_path / "whoosh_index") as backend:
        yield backend


@pytest.fixture(scope="module")
def shared_archive(django_db_setup, django_db_blocker, tmp_path_factory):
    """``shared_archive(build)``: the articles ``build()`` makes, built once for a module whose
    tests only read them, in the test database and a real Whoosh index (one commit); returns
    what ``build()`` returned. For instance::

        @pytest.fixture(scope="module")
        def archive(shared_archive):
            return shared_archive(build_archive)

    The contract: every test of the module only reads, and requests ``db`` (e.g. with
    ``pytestmark = pytest.mark.django_db``). Each test then runs in a transaction that is
    rolled back: a write made by mistake is undone, and never reaches the index (written after
    a commit). Tests that write belong in another module: ``search_index`` refuses to start
    over the shared articles, and after the module a check fails if the index or the database
    is not as built (a direct index write, a transactional test's flush). Then the database is
    emptied (as after a transactional test), the cache cleared, the default index restored.
    """
    from articles.index import queue

    with search_index_in(tmp_path_factory.mktemp("shared") / "whoosh_index") as backend:
        built = []  # the contents once built: checked at the end

        def share(build):
            assert not built, "one shared archive per module"
            with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
                patch.setattr(queue, "SAVE_WAIT", None)  # the commit returns once indexed
                with transaction.atomic():
                    made = build()
                built.append(_contents(backend))
            return made

        yield share
        with django_db_blocker.unblock():
            try:
                assert not built or _contents(backend) == built[0], (
                    "a test changed the shared archive: it belongs in a module of its own"
                )
            finally:
                call_command("flush", interactive=False, verbosity=0)
                cache.clear()


def _contents(backend):
    """The index's commit generation, and how the index compares with the database."""
    from articles.index import maintenance

    backend.searcher()  # opens the index as it is now
    return backend.index.latest_generation(), maintenance.compare()


# -- the admin's users ------------------------------------------------------------------

PASSWORD = "correct horse battery staple"


@pytest.fixture
def roles():
    call_command("setup_roles", stdout=StringIO())


def staff_user(username, group):
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(roles, client):
    client.force_login(staff_user("eddie", "editor"))
    return client


@pytest.fixture
def viewer(roles, client):
    client.force_login(staff_user("vera", "viewer"))
    return client


@pytest.fixture
def fresh_cache():
    """An empty cache before and after the test (figures cached under the archive version)."""
    cache.clear()
    yield
    cache.clear()
