"""The Content-Security-Policy (no 'unsafe-inline') in Debian's chromium: every kind of page,
its script and the admin's widgets load and work with no violation in the console."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_admin_browser import admin_archive, editor_page  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

#: Records what the browser refused (the console says it too, but in its own words).
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture
def watched(page):
    """The page, and ``assert_clean()``: no CSP violation reported since it was opened."""
    page.set_default_timeout(10_000)
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(RECORD_VIOLATIONS)

    def assert_clean(where):
        policy = [text for text in console if "Content Security Policy" in text]
        assert not policy, f"{where}: {policy}"
        assert page.evaluate("window.cspViolations") == [], where

    page.assert_clean = assert_clean
    return page


def test_public_pages_and_their_script_run_under_the_policy(watched):
    page = watched
    response = page.goto("/")
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.assert_clean("home")

    page.get_by_role("link", name=re.compile("Trump Questions Putin")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Trump Questions Putin")
    page.assert_clean("article")

    for path in ("/tags/russia/", "/people/", "/archive/2017/07/", "/search/help/", "/nowhere/"):
        page.goto(path)
        page.assert_clean(path)

    page.goto("/search/?q=summit")
    box = page.get_by_role("combobox", name="Words, “phrases”, people or tags")
    box.fill("")
    box.press_sequentially("put", delay=30)  # autocomplete.js fetches suggestions
    expect(page.get_by_role("option", name="Person: Vladimir V. Putin")).to_be_visible()
    page.assert_clean("search with autocomplete")


def test_the_admin_and_its_widgets_run_under_the_policy(editor_page, admin_archive):  # noqa: F811
    page = editor_page
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(RECORD_VIOLATIONS)

    page.goto(admin_archive + "/admin/articles/article/")
    page.locator("#changelist-filter .select2-selection").first.click()  # select2, jQuery
    expect(page.locator(".select2-search__field")).to_be_visible()
    page.get_by_role("link", name="Kremlin Answers the Summit").click()
    expect(page.get_by_role("heading", name="Change article")).to_be_visible()
    page.locator(".field-tags .select2-selection").click()  # the tags' autocomplete widget
    expect(page.locator("#select2-id_tags-results")).to_be_visible()
    page.goto(admin_archive + "/admin/articles/tag/")
    page.goto(admin_archive + "/admin/password_change/")

    assert not [text for text in console if "Content Security Policy" in text]
    assert page.evaluate("window.cspViolations") == []
