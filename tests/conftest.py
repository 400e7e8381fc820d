"""Shared fixtures: small real archives built from seed-format files written for the test."""

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
def collected_static(tmp_path_factory):
    """Pages render with the production static storage (hashed names): collect once per run."""
    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(STATIC_ROOT=root):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root
