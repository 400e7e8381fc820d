"""Deployment: ``check --deploy`` under the README's production configuration, and the
start-up checks that name the fix (``articles/checks.py``), through the real commands."""

import os
import secrets
import subprocess
from contextlib import contextmanager

import pytest

from tests.conftest import REPO
from tests.processes import GUNICORN, archive_env, free_port, manage, seeded_archive

pytestmark = pytest.mark.slow

#: The README's production configuration ("Configuration").
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "archive.example.org",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://archive.example.org",
    "DJANGO_SECURE_COOKIES": "1",
    "DJANGO_HSTS_SECONDS": "31536000",
}


@pytest.fixture
def built(tmp_path):
    """An archive as ``make run`` builds it on a fresh machine: migrate, collectstatic, ingest
    (none of which runs the start-up checks, which would fail before they are done)."""
    return seeded_archive(tmp_path / "data")


def serving_check(env):
    """``manage.py check --deploy --tag serving``: the start-up checks alone."""
    return manage(env, "check", "--deploy", "--tag", "serving", check=False)


def test_check_deploy_is_silent_under_the_production_configuration(built):
    result = manage({**built, **PRODUCTION}, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0
    assert "System check identified no issues (1 silenced)." in result.stdout
    assert result.stderr == ""


def test_a_fresh_folder_fails_the_start_up_checks_naming_each_fix(tmp_path):
    result = serving_check(archive_env(tmp_path / "data"))

    assert result.returncode == 1
    assert "(archive.E001) static files are not collected" in result.stderr
    assert "HINT: run manage.py collectstatic --noinput" in result.stderr
    assert f"(archive.E002) no search index in {tmp_path / 'data' / 'whoosh_index'}" in (
        result.stderr
    )
    assert "HINT: run manage.py reindex" in result.stderr


def test_the_built_archive_passes_them(built):
    result = serving_check(built)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_an_unreadable_index_is_reported_with_the_fix(built, tmp_path):
    (toc,) = (tmp_path / "data" / "whoosh_index").glob("*.toc")
    toc.write_bytes(b"not a table of contents")

    result = serving_check(built)

    assert result.returncode == 1
    assert "(archive.E003) the search index cannot be read" in result.stderr
    assert "HINT: rebuild it with manage.py reindex" in result.stderr


def test_a_data_folder_that_takes_no_new_file_is_reported(built, tmp_path):
    with read_only(tmp_path / "data"):
        result = serving_check(built)

    assert result.returncode == 1
    assert f"(archive.E004) the data folder {tmp_path / 'data'} is not writable" in result.stderr
    assert "the SQLite database, the search index, the cache live there" in result.stderr


def test_gunicorn_refuses_to_start_and_says_why(tmp_path):
    env = archive_env(tmp_path / "data")
    manage(env, "migrate", "--noinput")
    manage(env, "ingest")  # but no collectstatic

    result = subprocess.run(
        [GUNICORN, "archive.wsgi", "--bind", f"127.0.0.1:{free_port()}"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip

    assert result.returncode != 0
    assert "the archive cannot serve" in result.stderr
    assert "run manage.py collectstatic" in result.stderr
    assert "Booting worker" not in result.stderr


@contextmanager
def read_only(folder):
    """No new file in ``folder``: immutable for root (who ignores permissions), else 0555."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(folder)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
