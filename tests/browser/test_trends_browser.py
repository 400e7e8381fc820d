"""Trends in Debian's chromium: the chart and its table at phone and desktop widths and in
print, a point followed to its search, and "compare with…" from a person's page."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def bounded(page):
    page.set_default_timeout(10_000)


def test_the_chart_and_its_table(page, check_page):
    page.goto("/trends/?q=putin&q=%22group+of+20%22&interval=month&from=2016-03-01&to=2017-07-31")
    figure = page.get_by_role("figure", name="Share of all articles (per 1,000) per month")
    expect(figure).to_be_visible()
    expect(figure.get_by_role("list", name="Series")).to_contain_text("putin")
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        chart = page.locator("svg.trend-chart")
        box = chart.bounding_box()
        assert 0 < box["width"] <= width and box["height"] > 150
        # Nothing but the table's own scroller is wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        point = chart.get_by_role("link", name="putin, Jul 2017: 2 articles (666.67 per 1,000)")
        expect(point).to_be_visible()
        table = page.get_by_role("table", name="The figures per month")
        expect(table.locator("tbody tr")).to_have_count(17)  # 17 months from March 2016
        # A point for each series in each month with articles.
        totals = table.locator("tbody tr td:first-of-type").all_inner_texts()
        expect(chart.get_by_role("link")).to_have_count(2 * sum(t != "0" for t in totals))
        row = table.get_by_role("row", name=re.compile("^Jul 2017"))
        expect(row.get_by_role("cell")).to_have_text(["3", "2", "666.67", "1", "333.33"])
    page.emulate_media(media="print")  # the chart, its legend and its table; not the form
    expect(page.locator("form.trend-form")).to_be_hidden()
    expect(figure).to_be_visible()
    expect(page.get_by_role("table")).to_be_visible()
    page.emulate_media(media="screen")
    check_page("trends")


def test_a_point_leads_to_its_search(page):
    page.goto("/trends/?q=putin&q=%22group+of+20%22&interval=month&from=2016-03-01&to=2017-07-31")
    page.locator("svg.trend-chart").get_by_role(
        "link", name=re.compile(r"^putin, Jul 2017: 2 articles")
    ).click()
    expect(page).to_have_url(re.compile(r"/search/\?q=putin&from=2017-07-01&to=2017-07-31$"))
    expect(page.locator("#result-count strong")).to_have_text("2")


def test_raw_counts_and_compare_with_from_a_person(page, check_page):
    page.goto("/people/vladimir-v-putin/")
    page.get_by_role("link", name="Compare with… other searches over time").click()
    expect(page).to_have_url(re.compile(r"/trends/\?q=person%3A%22Vladimir\+V\.\+Putin%22$"))
    box = page.get_by_role("textbox", name="Compare with…")
    box.fill("trump")
    box.press("Enter")
    expect(page).to_have_url(
        re.compile(r"/trends/\?q=person%3A%22Vladimir\+V\.\+Putin%22&q=trump$")
    )
    legend = page.get_by_role("list", name="Series")
    expect(legend.get_by_role("listitem")).to_have_text(
        [re.compile('person:"Vladimir V. Putin" 2 articles'), re.compile("trump 4 articles")]
    )
    page.get_by_role("link", name="Articles", exact=True).click()
    raw_counts = page.get_by_role("figure", name=re.compile("^Articles per (month|year)"))
    expect(raw_counts).to_be_visible()
    check_page("trends-raw-counts")


def test_bad_input_is_explained_on_the_page(page, check_page):
    response = page.goto("/trends/?q=putin&q=&interval=week")
    assert response.status == 400
    notes = page.get_by_role("main").get_by_role("status")
    expect(notes).to_contain_text("Series 2 is empty")
    expect(notes).to_contain_text("“week” is not an interval")
    expect(page.get_by_role("textbox", name="Series 2")).to_have_value("")
    expect(page.get_by_role("list", name="Series")).to_contain_text("putin")  # still drawn
    check_page("trends-messages")
