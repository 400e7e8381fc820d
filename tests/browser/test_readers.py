"""Readers' paths (issue 13) in Debian's chromium, walked as a reader would: directories by
letter, timelines, undated stories, scannable results, days, article tools, descriptions and
facets, mobile search, and the dark theme. The editors' side (merging from a change page, the
article list at 1280 px) is in ``test_admin_browser.py``.

The archive is ``tests/browser/conftest.py``'s, with ``readers_articles.py``: 25 Reuters
stories on March 31, 1987, one on February 26, 1987, undated BBC stories, a described tag
(``acq``) and a merged one (``ussr`` into ``Soviet Union``).
"""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.readers_articles import ACQ_DESCRIPTION

pytestmark = pytest.mark.browser

PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def bounded(page):
    page.set_default_timeout(10_000)


def heading(page):
    return page.get_by_role("heading", level=1)


def folded(name):
    return name.casefold().replace("é", "e")


# 1. Directories ------------------------------------------------------------------------------


def test_the_tag_directory_is_in_one_order_and_every_letter_leads_to_its_tags(page, check_page):
    page.goto("/tags/")
    names = page.locator(".directory-list li > a").all_inner_texts()
    assert "acq" in names and "Russia" in names
    assert names == sorted(names, key=folded)  # "acq", "Archives", ..., "rubber", "Russia"

    letters = page.get_by_role("navigation", name="Tags by letter")
    expect(letters.get_by_role("link", name="U", exact=True)).to_be_visible()
    letters.get_by_role("link", name="R", exact=True).click()
    expect(page).to_have_url(re.compile(r"/tags/\?letter=R$"))
    expect(heading(page)).to_have_text("Tags under R")
    shown = page.locator(".directory-list li > a").all_inner_texts()
    assert shown == ["reserves", "rubber", "Russia"]
    expect(letters.get_by_role("link", name="R", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    check_page("directory-letter")


# 2. Timelines -------------------------------------------------------------------------------


def test_timelines_break_long_gaps_have_whole_columns_as_links_and_an_undated_bar(page, check_page):
    page.goto("/")
    chart = page.locator(".home-side .timeline-chart")
    expect(chart.get_by_role("img", name="1988–2015: no articles")).to_be_attached()
    assert chart.get_by_role("link").count() == 4  # 1987, 2016, 2017, undated: not 31 slivers
    expect(chart.get_by_role("link", name="Undated: 3 articles")).to_have_attribute(
        "href", "/search/?undated=1"
    )

    column = chart.get_by_role("link", name="2016: 3 articles")
    hit = column.locator(".hit")
    before = hit.evaluate("e => getComputedStyle(e).fill")
    column.hover()
    assert hit.evaluate("e => getComputedStyle(e).fill") != before  # the column lights up
    box = column.bounding_box()
    label = column.locator("text").bounding_box()
    assert box["height"] >= label["y"] + label["height"] - box["y"]  # the label is in the link
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + 2)  # far above a short bar
    expect(page).to_have_url(re.compile(r"/archive/2016/$"))

    page.goto("/people/angela-merkel/")  # one article: one bar
    single = page.locator(".timeline-chart")
    assert single.bounding_box()["height"] < 120
    labels = single.locator("text").first
    assert labels.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") <= 12
    page.get_by_text("The counts as a table").click()
    expect(page.get_by_role("row", name="Jun 2017 1")).to_be_visible()
    check_page("person-timeline")


# 3. Undated stories -------------------------------------------------------------------------


def test_undated_stories_have_a_place_a_facet_value_and_a_filter(page, check_page):
    page.goto("/search/?q=football&sort=newest")
    expect(page.locator("#result-count")).to_contain_text(
        "the 2 undated articles come after the dated ones"
    )
    titles = page.locator(".results .card-title").all_inner_texts()
    assert titles[0] == "Football Season Opens With a Surprise"  # dated first, then undated

    years = page.get_by_role("region", name="Years")
    undated = years.get_by_role("link", name="Undated")
    expect(years.locator("li").filter(has_text="Undated")).to_contain_text("2")
    undated.click()
    expect(page).to_have_url(re.compile(r"undated=1"))
    expect(page.locator("#result-count strong")).to_have_text("2")
    expect(page.get_by_role("link", name="Remove filter Undated only")).to_be_visible()
    check_page("search-undated")

    api = page.request.get("/api/search/?q=football").json()
    assert {"name": "Undated", "slug": "undated", "count": 2, "description": ""} in (
        api["facets"]["years"]
    )
    feed = ET.fromstring(page.request.get("/search/feed/?q=football&undated=1").body())
    entries = list(feed.iter(f"{ATOM}entry"))
    assert len(entries) == 2
    assert all(entry.find(f"{ATOM}updated") is not None for entry in entries)
    assert all("entered the archive" in entry.find(f"{ATOM}summary").text for entry in entries)


# 4. Results easier to scan ------------------------------------------------------------------


def test_lists_show_title_case_one_line_ledes_and_publications_only_when_known(page, check_page):
    page.set_viewport_size(DESKTOP)
    page.goto("/tags/usa/")
    wire = page.locator(".card").filter(has_text="USX <X> Debt Dowgraded by Moody's")
    expect(wire).to_have_count(1)
    expect(page.get_by_text("USX <X> DEBT DOWGRADED BY MOODY'S", exact=True)).to_have_count(0)
    lede = wire.locator(".lede")
    expect(lede).to_contain_text("Moody's Investors Service Inc said")
    line = lede.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
    assert lede.bounding_box()["height"] < 1.5 * line  # one line
    expect(wire.locator(".meta")).to_have_text("February 26, 1987")  # no publication, no " · "

    page.goto("/")
    times = page.locator(".card").filter(has_text="Cease-Fire in Syria")
    expect(times.locator(".meta")).to_have_text("July 9, 2017 · The New York Times")
    check_page("latest-home")

    page.goto("/search/?q=debt")
    title = page.locator(".results .card-title").first
    expect(title).to_have_text("USX <X> Debt Dowgraded by Moody's")
    expect(title.locator("mark")).to_have_text("Debt")
    title.get_by_role("link").click()
    expect(heading(page)).to_have_text("USX <X> Debt Dowgraded by Moody's")
    expect(page.locator(".original-title")).to_contain_text("USX <X> DEBT DOWGRADED BY MOODY'S")


# 5. Days ------------------------------------------------------------------------------------


def test_a_day_is_one_page_with_its_count_and_the_month_leads_with_its_calendar(page, check_page):
    page.goto("/archive/1987/03/")
    first = page.locator("main").locator("table.calendar, .month-day").first
    expect(first).to_have_class(re.compile("calendar"))
    day = page.get_by_role("link", name="March 31: 25 articles")
    expect(day).to_contain_text("25")
    check_page("month")

    day.click()
    expect(heading(page)).to_have_text("Tuesday, March 31, 1987: 25 articles")
    expect(page.locator(".card")).to_have_count(25)
    expect(page.get_by_role("navigation", name="Pages")).to_have_count(0)
    expect(page.locator(".card").get_by_text("March 31, 1987")).to_have_count(0)
    check_page("day-many")


# 6. Article tools ---------------------------------------------------------------------------


def test_an_article_from_search_marks_the_words_cites_copies_and_leads_back(
    browser, base_url, check_page
):
    context = browser.new_context(base_url=base_url, viewport=DESKTOP)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/search/?q=investors")
    page.locator(".results .card-title a").first.click()
    expect(page).to_have_url(re.compile(r"\?highlight=investors&results=q%3Dinvestors"))
    expect(page.locator(".article-body mark").first).to_have_text("Investors")

    tools = page.get_by_role("complementary", name="About this article")
    article = page.locator("article.article").bounding_box()
    assert tools.bounding_box()["x"] >= article["x"] + article["width"]  # beside, not below

    expect(page.locator("code.identifier")).to_have_text("urn:reuters-21578:newid:8")
    expect(page.locator('a[href^="urn:"]')).to_have_count(0)

    tools.get_by_role("button", name="Copy link").click()
    permalink = page.get_by_label("Link to this article").input_value()
    assert page.evaluate("navigator.clipboard.readText()") == permalink
    expect(tools.get_by_role("button", name="Print")).to_be_visible()

    tools.get_by_text("Cite this article").click()
    apa = tools.locator("#cite-apa")
    expect(apa).to_contain_text("(1987, February 26). The Archive.")
    tools.get_by_role("button", name="Copy APA").click()
    expect(page.get_by_role("status").filter(has_text="APA copied.")).to_be_attached()
    assert page.evaluate("navigator.clipboard.readText()") == apa.inner_text()
    expect(tools.locator("#cite-mla")).to_contain_text("26 Feb. 1987")
    expect(tools.locator("#cite-chicago")).to_contain_text("February 26, 1987")
    with page.expect_download() as download:
        tools.get_by_role("link", name="Download .bib").click()
    assert download.value.suggested_filename.endswith("-1987.bib")
    assert Path(download.value.path()).read_text().startswith("@misc{")

    related = page.get_by_role("region", name="Related articles").locator(".reason")
    expect(related.first).to_have_text(
        re.compile(r"^(Shares \d+ (tag|person|people|tags)|Similar)")
    )
    check_page("article-tools", on=page)

    page.get_by_role("link", name="‹ Back to the search results").click()
    expect(page).to_have_url(re.compile(r"/search/\?q=investors$"))
    context.close()


# 7. Descriptions and facets -----------------------------------------------------------------


def test_descriptions_on_the_tag_page_in_the_directory_and_on_hover_in_facets(page, check_page):
    page.goto("/tags/acq/")
    expect(page.locator(".subject-description")).to_have_text(ACQ_DESCRIPTION)
    check_page("tag-described")

    page.goto("/tags/?letter=A")
    entry = page.locator(".directory-list li").filter(has=page.get_by_role("link", name="acq"))
    expect(entry.locator(".entry-description")).to_have_text(ACQ_DESCRIPTION)

    page.goto("/search/?q=reuter")
    facet = page.get_by_role("region", name="Tags")
    acq = facet.get_by_role("link", name="acq", exact=True)
    expect(acq).to_have_attribute("title", ACQ_DESCRIPTION)  # on hover
    expect(acq).to_have_accessible_description(ACQ_DESCRIPTION)  # for screen readers


def test_facets_have_more_without_javascript(browser, base_url):
    context = browser.new_context(java_script_enabled=False, base_url=base_url)
    page = context.new_page()
    page.goto("/search/?q=reuter")
    facet = page.get_by_role("region", name="Tags")
    expect(facet.locator(":scope > ul > li")).to_have_count(12)
    hidden = facet.get_by_role("link", name="jobs", exact=True)
    expect(hidden).to_be_hidden()
    facet.locator("summary").click()
    expect(hidden).to_be_visible()
    hidden.click()
    expect(page).to_have_url(re.compile(r"tag=jobs"))
    context.close()


# 8. Mobile search ---------------------------------------------------------------------------


def test_on_a_phone_one_search_box_the_first_result_high_and_filters_one_tap_away(
    browser, base_url, check_page, page
):
    page.set_viewport_size(PHONE)
    page.goto("/search/?q=reuter")
    boxes = page.get_by_role("searchbox").count() + page.get_by_role("combobox").count()
    assert boxes == 1  # the page's own box, not the header's too
    first = page.locator(".results .card-title").first.bounding_box()
    assert first["y"] + first["height"] < 600  # in the first screen of 844, high up

    jump = page.get_by_role("link", name=re.compile(r"^Filters"))
    assert jump.bounding_box()["y"] < 400
    jump.click()
    expect(page.get_by_role("complementary", name="Narrow the search")).to_be_in_viewport()
    check_page("search-mobile")

    context = browser.new_context(java_script_enabled=False, base_url=base_url, viewport=PHONE)
    plain = context.new_page()
    plain.goto("/search/?q=reuter")
    plain.get_by_role("link", name=re.compile(r"^Filters")).click()
    expect(plain.get_by_role("region", name="Tags")).to_be_in_viewport()
    context.close()


# Dark theme ---------------------------------------------------------------------------------


def test_the_dark_theme_follows_the_system_setting(page):
    page.goto("/")
    light = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.emulate_media(color_scheme="dark")
    dark = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert light != dark
    channels = [int(c) for c in re.findall(r"\d+", dark)[:3]]
    assert max(channels) < 60  # a dark page (axe checks the contrast in check_page)
