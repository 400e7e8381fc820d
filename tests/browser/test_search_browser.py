"""Searching in Debian's chromium: typing a query, autocomplete by keyboard, facets, timeline."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

BOX = "Words, “phrases”, people or tags"


def result_count(page):
    return page.locator("#result-count strong")


def test_typing_a_query(page, check_page):
    page.goto("/search/")
    box = page.get_by_role("combobox", name=BOX)
    box.fill("putin summit")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=putin\+summit"))
    expect(result_count(page)).to_have_text("3")
    first = page.locator(".results .result").first
    expect(first.get_by_role("link").first).to_have_text(
        "Trump Questions Putin on Election Meddling at Eagerly Awaited Encounter"
    )
    expect(first.locator("mark").first).to_be_visible()
    expect(page.get_by_role("link", name="Articles about Vladimir V. Putin")).to_be_visible()
    check_page("search-results")


def test_bad_syntax_gets_a_message(page):
    page.goto("/search/")
    page.get_by_role("combobox", name=BOX).fill('"group of')
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="not closed")).to_be_visible()
    expect(result_count(page)).to_have_text("3")


def test_autocomplete_with_the_keyboard(page, check_page):
    page.goto("/search/")
    box = page.get_by_role("combobox", name=BOX)
    box.press_sequentially("put", delay=30)
    listbox = page.get_by_role("listbox", name="Suggestions")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    option = listbox.get_by_role("option", name="Person: Vladimir V. Putin")
    expect(option).to_be_visible()
    check_page("search-autocomplete")

    box.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")

    box.press("ArrowDown")  # reopens on the same suggestions, first one active
    expect(option).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?person=vladimir-v-putin$"))
    expect(result_count(page)).to_have_text("2")
    expect(page.get_by_role("link", name="Remove filter Person: Vladimir V. Putin")).to_be_visible()


def test_enter_without_choosing_a_suggestion_searches_for_what_was_typed(page):
    page.goto("/search/")
    box = page.get_by_role("combobox", name=BOX)
    box.press_sequentially("putin", delay=30)
    expect(page.get_by_role("listbox", name="Suggestions")).to_be_visible()
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=putin"))


def test_clicking_a_facet_and_removing_it(page):
    page.goto("/search/?q=putin")
    expect(result_count(page)).to_have_text("3")
    facets = page.get_by_role("complementary", name="Narrow the search")
    facets.get_by_role("link", name="Germany").click()
    expect(page).to_have_url(re.compile(r"q=putin&tag=germany"))
    expect(result_count(page)).to_have_text("1")
    chip = page.get_by_role("link", name="Remove filter Tag: Germany")
    chip.click()
    expect(page).to_have_url(re.compile(r"/search/\?q=putin$"))
    expect(result_count(page)).to_have_text("3")


def test_clicking_a_timeline_bar(page):
    page.goto("/search/?q=putin")
    bar = page.get_by_role("link", name="Jul 2017: 2 articles")
    expect(bar).to_be_visible()
    bar.click()
    expect(page).to_have_url(re.compile(r"q=putin&from=2017-07-01&to=2017-07-31"))
    expect(result_count(page)).to_have_text("2")
    expect(page.get_by_role("link", name="Remove filter From July 1, 2017")).to_be_visible()


def test_the_form_works_the_same_without_javascript(browser, base_url):
    context = browser.new_context(java_script_enabled=False, base_url=base_url)
    page = context.new_page()
    page.goto("/search/")
    box = page.get_by_role("searchbox", name=BOX)
    box.fill("putin")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=putin"))
    expect(result_count(page)).to_have_text("3")
    page.locator("summary", has_text="Dates and order").click()  # a disclosure: results first
    page.get_by_label("Sort by").select_option("Newest first")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"sort=newest"))
    context.close()


def test_the_header_box_on_every_page_suggests_with_counts(page, check_page):
    page.goto("/tags/")
    box = page.get_by_role("combobox", name="Search the archive")
    box.press_sequentially("put", delay=30)
    listbox = page.get_by_role("listbox", name="Suggestions")
    option = listbox.get_by_role("option", name="Person: Vladimir V. Putin 2 articles")
    expect(option).to_be_visible()
    check_page("header-autocomplete")
    box.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?person=vladimir-v-putin$"))
    expect(result_count(page)).to_have_text("2")


def test_a_misspelt_search_shows_the_corrected_results_and_the_way_back(page):
    page.goto("/search/?q=cease-fire+in+syira")
    expect(page.get_by_text("Showing results for")).to_be_visible()
    expect(page.get_by_role("link", name="cease-fire in syria", exact=True)).to_be_visible()
    expect(result_count(page)).not_to_have_text("0")
    page.get_by_role("link", name="cease-fire in syira", exact=True).click()
    expect(page).to_have_url(re.compile(r"exact=1"))
    expect(result_count(page)).to_have_text("0")
    expect(page.locator(".empty").get_by_role("link", name="how to search")).to_be_visible()
