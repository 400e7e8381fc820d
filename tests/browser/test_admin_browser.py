"""An editor in Debian's chromium: log in, filter with the autocomplete box, merge two tags,
then find the merged tag on the public site and in search.

Runs its own gunicorn (several workers) over its own data folder, so that the merge does not
change the archive the other browser tests read; the editor account is made with the real
``createsuperuser`` in that folder before the server starts.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, SERIOUS, prepare_archive
from tests.conftest import seed_text
from tests.processes import manage, serve

pytestmark = pytest.mark.browser

EDITOR, PASSWORD = "editor", "a long and unguessable passphrase"
#: (file name, url, title, keywords)
ARTICLES = [
    ("001.txt", "https://example.com/kremlin", "Kremlin Answers the Summit", "Russia,Diplomacy"),
    (
        "002.txt",
        "https://example.com/pipeline",
        "A Pipeline Under the Baltic",
        "Russian Federation",
    ),
    ("003.txt", "https://example.com/harvest", "A Record Harvest in Kansas", "Agriculture"),
]


@pytest.fixture(scope="module")
def admin_archive(tmp_path_factory, static_files):
    """The base URL of gunicorn serving ``ARTICLES``, with an editor account."""
    root = tmp_path_factory.mktemp("admin-archive")
    seeds = root / "seeds"
    seeds.mkdir()
    for name, url, title, keywords in ARTICLES:
        (seeds / name).write_text(
            seed_text(url=url, title=f"{title} - The New York Times", keywords=keywords)
        )
    env = prepare_archive(root, static_files)
    manage(
        {**env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD},
        "createsuperuser", "--noinput", "--username", EDITOR, "--email", "editor@example.com",
    )  # fmt: skip

    with serve(env, workers=3) as base:
        yield base


@pytest.fixture
def editor_page(page, admin_archive):
    page.goto(admin_archive + "/admin/")
    page.get_by_label("Username").fill(EDITOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Articles, people and tags")).to_be_visible()
    return page


def check_admin_page(page, axe, name, ours):
    """A screenshot for people to look at; no serious or critical axe violation in ``ours``.

    ``ours`` is a selector of what the archive adds to the admin: Django's own markup has
    violations of its own (e.g. the colour-only links of its breadcrumbs).
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"admin-{name}.png", full_page=True)
    results = axe.run(page, context=ours)
    serious = [v for v in results.response["violations"] if v["impact"] in SERIOUS]
    assert not serious, f"{name}:\n{results.generate_report()}"


def listed_titles(page):
    return page.locator("#result_list tbody th a")


def test_an_editor_filters_articles_by_tag_with_the_autocomplete_box(
    editor_page, admin_archive, axe
):
    page = editor_page
    page.goto(admin_archive + "/admin/articles/article/")
    expect(listed_titles(page)).to_have_count(3)

    page.locator("#changelist-filter .select2-selection").first.click()  # the tag filter
    page.locator(".select2-search__field").fill("russian")
    page.get_by_role("option", name="Russian Federation").click()

    expect(page).to_have_url(re.compile(r"\?tag=\d+$"))
    expect(listed_titles(page)).to_have_text(["A Pipeline Under the Baltic"])
    check_admin_page(page, axe, "article-list-filtered", "#changelist-filter")


def test_an_editor_merges_two_tags_and_readers_find_the_merged_tag(editor_page, admin_archive, axe):
    page = editor_page
    page.goto(admin_archive + "/admin/articles/tag/")
    for name in ("Russia", "Russian Federation"):
        page.get_by_role("row").filter(
            has=page.get_by_role("link", name=name, exact=True)
        ).get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label="Merge the selected into one…")
    page.get_by_role("button", name="Go").click()

    expect(page.get_by_role("heading", name="Merge tags")).to_be_visible()
    page.get_by_label("Russia", exact=True).check()
    check_admin_page(page, axe, "merge-confirmation", "#content")
    page.get_by_role("button", name="Merge").click()
    expect(page.locator(".messagelist")).to_contain_text(
        "Merged Russian Federation into “Russia”; 1 articles re-pointed"
    )

    page.goto(admin_archive + "/tags/russian-federation/")  # the old page redirects
    expect(page).to_have_url(admin_archive + "/tags/russia/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Russia")
    expect(page.get_by_role("link", name="A Pipeline Under the Baltic")).to_be_visible()
    expect(page.get_by_role("link", name="Kremlin Answers the Summit")).to_be_visible()

    page.goto(admin_archive + "/search/?tag=russia")  # the index followed the merge
    expect(page.get_by_role("link", name="A Pipeline Under the Baltic")).to_be_visible()
    expect(page.get_by_role("link", name="Kremlin Answers the Summit")).to_be_visible()
