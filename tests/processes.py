"""Real processes for tests: ``manage.py`` commands and gunicorn, over an archive of their own.

Each archive lives in its own ``ARCHIVE_DATA_DIR`` (SQLite and Whoosh in a temporary
folder); the test run's own ``DATABASE_URL``/``HAYSTACK_URL``/``CACHE_URL`` are left out
so that a subprocess never touches the test database or a shared engine.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import REPO

GUNICORN = str(Path(sys.executable).parent / "gunicorn")
SHARED_ENGINES = ("DATABASE_URL", "HAYSTACK_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE")


def archive_env(data_dir, **extra):
    """The environment of an archive kept in ``data_dir``, production settings (no debug)."""
    env = {key: value for key, value in os.environ.items() if key not in SHARED_ENGINES}
    env.update(ARCHIVE_DATA_DIR=str(data_dir), DJANGO_DEBUG="0", PYTHONPATH=str(REPO), **extra)
    return env


def seeded_archive(data_dir, **extra):
    """``archive_env``, with the set-up ``make run`` does first: ``migrate``, ``collectstatic``
    and ``ingest`` of ``seeds/``."""
    env = archive_env(data_dir, **extra)
    for step in (["migrate", "--noinput"], ["collectstatic", "--noinput"], ["ingest"]):
        manage(env, *step)
    return env


def manage(env, *args, check=True, timeout=300):
    """Run ``manage.py args``; with ``check``, fail the test with its output unless it succeeds."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    if check:
        assert result.returncode == 0, (
            f"manage.py {' '.join(args)}:\n{result.stdout}{result.stderr}"
        )
    return result


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url, timeout=10):
    """``(status, text)`` of a GET."""
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read().decode()


@contextmanager
def serve(env, workers=2, healthy=True):
    """gunicorn serving the archive of ``env`` on a free port; yields its base URL.

    Ready once ``/healthz`` answers: 200 (with ``healthy``), or any answer.
    """
    port = free_port()
    server = subprocess.Popen(
        [GUNICORN, "archive.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                fetch(base + "/healthz")
                break
            except urllib.error.HTTPError as error:
                if not healthy:
                    break
                last = f"{error.code}: {error.read().decode()}"
            except OSError as error:
                last = str(error)
            if server.poll() is not None:
                raise AssertionError("gunicorn exited:\n" + server.stderr.read())
            assert time.monotonic() < deadline, f"gunicorn not ready within 30 s: {last}"
            time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
