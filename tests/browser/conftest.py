"""A real archive for the browser: gunicorn on a free port over a database and a Whoosh index
built for the run by the real ``migrate``, ``collectstatic`` and ``ingest`` commands (which
indexes as it goes; ``check_index`` confirms it); Debian's chromium driven by Playwright.
The static files are collected once for every archive served (``prepare_archive``).

Screenshots go to ``test-artifacts/screenshots/`` (git-ignored) for people to look at.
"""

import os
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.readers_articles import READERS_ARTICLES, READERS_SETUP
from tests.conftest import REPO, seed_text
from tests.processes import archive_env, manage, serve

CHROMIUM = os.environ.get("ARCHIVE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
THEMES = ("light", "dark")
SERIOUS = {"serious", "critical"}
#: Milliseconds Playwright waits for a page or an element: generous, for a busy machine.
TIMEOUT = 30_000

SUMMIT = (
    "HAMBURG, Germany — President Trump questioned President Vladimir V. Putin of Russia on "
    "Friday about election interference at the summit.Mr. Putin denied any meddling, and the "
    "two leaders turned to a cease-fire in Syria and to cyberattacks."
)
#: (file name, url, title, keywords, date, body): people, tags, two years, accents, no date.
ARTICLES = [
    ("001.txt", "https://www.nytimes.com/2017/07/07/world/trump-putin.html",
     "Trump Questions Putin on Election Meddling at Eagerly Awaited Encounter",
     "Trump  Donald J,Putin  Vladimir V,Russia,Group of Twenty", "July 7, 2017", SUMMIT),
    ("002.txt", "https://www.nytimes.com/2017/07/09/world/syria-ceasefire.html",
     "Cease-Fire in Syria Holds as Putin and Trump Claim Progress",
     "Putin  Vladimir V,Trump  Donald J,Syria,Russia", "July 9, 2017",
     "DAMASCUS, Syria — A cease-fire brokered by Russia and the United States held on Sunday."
     "Mr. Putin said the summit meeting with President Trump had produced progress on Syria."),
    ("003.txt", "https://www.nytimes.com/2017/06/12/world/merkel-g20.html",
     "Merkel Prepares to Host the Group of 20 in Hamburg",
     "Merkel  Angela,Germany,Group of Twenty", "June 12, 2017",
     "BERLIN — Chancellor Angela Merkel prepared on Monday to host the summit of the Group of 20."
     "She hopes to speak with Mr. Trump and Mr. Putin about trade and climate."),
    ("004.txt", "https://www.nytimes.com/2016/11/09/us/election.html",
     "Trump Wins the Presidency in a Stunning Upset",
     "Trump  Donald J,Clinton  Hillary Rodham,Presidential Election of 2016", "November 9, 2016",
     "WASHINGTON — Donald J. Trump won the presidential election on Tuesday.Hillary Clinton "
     "conceded early on Wednesday."),
    ("005.txt", "https://www.nytimes.com/2016/03/01/world/mexico.html",
     "In Mexico, José Martí Is Remembered", "Martí  José,México,Москва", "March 1, 2016",
     "MEXICO CITY — Readers gathered on Tuesday to remember José Martí.They read his poems "
     "aloud in the plaza."),
    ("006.txt", "https://www.nytimes.com/2017/07/08/world/g20-protests.html",
     "Protests Turn Violent as Group of 20 Meets", "Germany,Group of Twenty", "July 8, 2017",
     "HAMBURG, Germany — Thousands of protesters took to the streets as the Group of 20 met."
     "Police used water cannons."),
    ("007.txt", "urn:archive:undated-1", "A Letter From the Archive", "Archives", "",
     "This article has no date.It is still part of the archive."),
    *READERS_ARTICLES,  # wire and undated stories, many on one day (readers' paths, issue 13)
]  # fmt: skip


@pytest.fixture(scope="session")
def static_files(tmp_path_factory):
    """The folder of the static files as the real ``collectstatic`` makes them."""
    data = tmp_path_factory.mktemp("static") / "data"
    manage(archive_env(data), "collectstatic", "--noinput")
    return data / "staticfiles"


def prepare_archive(root, static_files):
    """The environment of a new archive in ``root/data``: migrated, its static files copied
    from ``static_files``, and the seed files in ``root/seeds`` ingested."""
    env = archive_env(root / "data")
    manage(env, "migrate", "--noinput")
    shutil.copytree(static_files, root / "data" / "staticfiles")
    manage(env, "ingest", str(root / "seeds"))
    return env


@pytest.fixture(scope="session")
def live_archive(tmp_path_factory, static_files):
    """The base URL of gunicorn serving an archive of ``ARTICLES``."""
    root = tmp_path_factory.mktemp("browser-archive")
    seeds = root / "seeds"
    seeds.mkdir()
    for name, url, title, keywords, date, body in ARTICLES:
        (seeds / name).write_text(
            seed_text(
                url=url,
                title=title if url.startswith("urn:reuters") else f"{title} - The New York Times",
                keywords=keywords,
                date=date,
                number="1",
                body=body,
            )
        )
    env = prepare_archive(root, static_files)
    manage(env, "shell", "-c", READERS_SETUP)  # a description, a merge
    manage(env, "drain_index_queue")
    manage(env, "check_index")  # the ingest indexed every article, the merge reached it

    with serve(env) as base:
        yield base


@pytest.fixture(scope="session")
def base_url(live_archive):
    return live_archive


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} not found: apt-get install chromium (see README, Tests)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def axe():
    return Axe()


@pytest.fixture(autouse=True)
def _bounded_waits(page):
    page.set_default_timeout(TIMEOUT)
    expect.set_options(timeout=TIMEOUT)


@pytest.fixture
def check_page(page, axe):
    """``check_page(name)``: screenshots at both widths in the light and the dark theme
    (``prefers-color-scheme``); no axe violation at any impact in any of them. The page is
    left at the desktop width, light. ``check_page(name, on=other)`` checks a page of another
    browser context."""
    default_page = page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def check(name, on=None):
        page = on or default_page
        for scheme in THEMES:
            page.emulate_media(color_scheme=scheme)
            for label, (width, height) in WIDTHS.items():
                page.set_viewport_size({"width": width, "height": height})
                suffix = "" if scheme == "light" else f"-{scheme}"
                page.screenshot(path=SCREENSHOTS / f"{name}-{label}{suffix}.png", full_page=True)
                results = axe.run(page)
                failed = results.response["violations"]
                assert not failed, f"{name} at {width}px, {scheme}:\n{results.generate_report()}"
        page.emulate_media(color_scheme="light")

    return check
