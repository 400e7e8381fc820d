"""A reader's path through the archive in Debian's chromium, with axe checks and screenshots."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def heading(page):
    return page.get_by_role("heading", level=1)


def test_home_tag_person_article_related_and_back_to_search(page, check_page):
    page.goto("/")
    expect(page).to_have_title("The Archive")
    expect(page.get_by_role("search")).to_be_visible()
    check_page("home")

    page.get_by_role("link", name=re.compile(r"^Group of Twenty \d")).click()
    expect(heading(page)).to_have_text("Group of Twenty")
    expect(page.get_by_role("link", name="Jul 2017: 2 articles")).to_have_attribute(
        "href", "/search/?tag=group-of-twenty&from=2017-07-01&to=2017-07-31"
    )
    check_page("tag")

    page.get_by_role("link", name=re.compile(r"^Angela Merkel \d")).click()
    expect(heading(page)).to_have_text("Angela Merkel")
    check_page("person")

    page.get_by_role("link", name="Merkel Prepares to Host the Group of 20 in Hamburg").click()
    expect(heading(page)).to_have_text("Merkel Prepares to Host the Group of 20 in Hamburg")
    expect(page.locator(".article-body p")).to_have_count(2)
    check_page("article")

    related = page.get_by_role("region", name="Related articles").get_by_role("link")
    expect(related.first).to_be_visible()
    title = related.first.inner_text()
    related.first.click()
    expect(heading(page)).to_have_text(title)

    page.get_by_role("combobox", name="Search the archive").fill("Putin")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=Putin"))
    expect(page.get_by_role("link", name=re.compile("Trump Questions Putin")).first).to_be_visible()
    check_page("search")


def test_directories_and_dates(page, check_page):
    page.goto("/people/")
    expect(page.get_by_role("heading", level=2, name="M")).to_be_visible()
    expect(page.get_by_role("link", name="José Martí")).to_be_visible()
    check_page("people")

    page.goto("/tags/")
    page.get_by_label("Names containing").fill("москва")
    page.get_by_label("Sort by").select_option("count")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("link", name="Москва")).to_be_visible()
    check_page("tags")

    page.goto("/archive/2017/")
    check_page("year")
    page.get_by_role("link", name="July", exact=True).click()
    expect(heading(page)).to_have_text("July 2017: 3 articles")
    check_page("month")
    page.get_by_role("link", name="July 8: 1 article").click()
    expect(heading(page)).to_have_text("Saturday, July 8, 2017: 1 article")
    expect(
        page.get_by_role("link", name="Protests Turn Violent as Group of 20 Meets")
    ).to_be_visible()
    check_page("day")


def test_keyboard_users_can_skip_to_the_content_and_see_focus(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    outline = skip.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none"


def test_articles_print_without_the_site_chrome(page):
    page.goto("/")
    page.get_by_role(
        "link", name="Trump Questions Putin on Election Meddling at Eagerly Awaited Encounter"
    ).first.click()
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_missing_pages_get_the_sites_404(page):
    response = page.goto("/no/such/page/")
    assert response.status == 404
    expect(heading(page)).to_have_text("Page not found")
    expect(page.get_by_role("search")).to_be_visible()


def test_stylesheet_is_served_by_whitenoise_with_a_hashed_name(page):
    page.goto("/")
    href = page.locator('link[rel="stylesheet"]').get_attribute("href")
    assert re.fullmatch(r"/static/css/archive\.[0-9a-f]{12}\.css", href)
    response = page.request.get(href)
    assert response.ok
    assert "max-age=315360000" in response.headers["cache-control"]
