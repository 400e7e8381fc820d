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
    # For merging from a change page, and a long wire headline with many tags (issue 13).
    (
        "004.txt",
        "urn:reuters:1",
        "USSR GRAIN PURCHASES FROM THE UNITED STATES REPORTED BY TRADERS",
        "ussr,grain,wheat,corn,trade,usa,acq",
    ),
    ("005.txt", "urn:reuters:2", "SOVIET SPACE STATION DOCKS", "Soviet Union"),
]


@pytest.fixture(scope="module")
def admin_archive(tmp_path_factory, static_files):
    """The base URL of gunicorn serving ``ARTICLES``, with an editor account."""
    root = tmp_path_factory.mktemp("admin-archive")
    seeds = root / "seeds"
    seeds.mkdir()
    for name, url, title, keywords in ARTICLES:
        suffix = "" if url.startswith("urn:") else " - The New York Times"
        (seeds / name).write_text(seed_text(url=url, title=title + suffix, keywords=keywords))
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
    expect(listed_titles(page)).to_have_count(len(ARTICLES))

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


def test_an_editor_merges_a_tag_into_another_from_its_change_page(editor_page, admin_archive, axe):
    page = editor_page
    page.goto(admin_archive + "/admin/articles/tag/")
    names = page.locator("#result_list tbody th a").all_inner_texts()
    assert names == sorted(names, key=str.casefold)  # "acq", "Agriculture", ... "ussr", "wheat"
    page.get_by_role("link", name="ussr", exact=True).click()

    page.get_by_role("link", name="Merge into…").click()
    expect(page.get_by_role("heading", name="Merge “ussr” into another tag")).to_be_visible()
    page.locator(".merge-into-form .select2-selection").click()
    page.locator(".select2-search__field").fill("sov")
    page.get_by_role("option", name="Soviet Union").click()
    check_admin_page(page, axe, "merge-into", "#content")
    page.get_by_role("button", name="Merge").click()
    expect(page.locator(".messagelist")).to_contain_text(
        "Merged “ussr” into “Soviet Union”; 1 articles re-pointed"
    )
    expect(page.locator("#id_name")).to_have_value("Soviet Union")

    page.goto(admin_archive + "/search/?q=tag%3Aussr")  # the old name finds the survivor's
    expect(page.locator(".search-messages")).to_contain_text(
        "“ussr” was merged into “Soviet Union”"
    )
    expect(page.get_by_role("link", name="Soviet Space Station Docks")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("USSR Grain Purchases"))).to_be_visible()


def test_the_article_list_is_readable_at_1280_px(editor_page, admin_archive):
    page = editor_page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(admin_archive + "/admin/articles/article/")
    for title in listed_titles(page).all():
        lines = title.evaluate("e => e.getClientRects().length")
        assert lines <= 2, f"{title.inner_text()!r} wraps onto {lines} lines"
    tags = page.locator("#result_list td.field-tag_list").filter(has_text="more")
    expect(tags).to_have_text(re.compile(r"\+\d+ more$"))
