"""The README's first command, step by step: migrate, ingest seeds/, gunicorn serves it."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def wait_for(url, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_migrate_ingest_and_gunicorn_serve_the_seed(tmp_path):
    env = {**os.environ, "ARCHIVE_DATA_DIR": str(tmp_path / "data"), "DJANGO_DEBUG": "0"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    for step in (["migrate", "--noinput"], ["collectstatic", "--noinput"], ["ingest"]):
        result = manage(env, *step)
        assert result.returncode == 0, result.stderr
    assert "1 created" in result.stdout

    # Running it again is fast and duplicates nothing.
    started = time.monotonic()
    again = manage(env, "ingest")
    assert again.returncode == 0, again.stderr
    assert "0 created, 0 updated, 1 unchanged" in again.stdout
    assert time.monotonic() - started < 10

    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "archive.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        status, page = wait_for(f"http://127.0.0.1:{port}/")
        assert status == 200
        assert "Trump Questions Putin on Election Meddling" in page
        assert (tmp_path / "data" / "archive.sqlite3").exists()
    finally:
        server.terminate()
        server.wait(timeout=10)
