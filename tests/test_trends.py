"""Trends through the HTTP layer, against a real Whoosh index of hand-counted articles: counts
equal the searches they link to, normalisation, the page, the export, and bad input."""

import csv
import datetime
import io
import re
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit
from xml.etree import ElementTree

import pytest
from django.db import transaction

from tests.factories import ArticleFactory, PersonFactory, TagFactory

D = datetime.date
SERIES = ["oil", '"oil prices"', "person:putin", "tag:crude", "oil -putin"]

pytestmark = pytest.mark.usefixtures("fresh_cache")


@pytest.fixture
def archive(search_index):
    """Ten dated articles over 2016-01 to 2017-02 (none in 2016-02) and one undated.

    Articles per month: 2016-01 2, 2016-03 4, 2017-01 2, 2017-02 2. "oil" is in 2016-01 1,
    2016-03 3, 2017-01 1 (and the undated one); Putin in 2016-03 2, 2017-02 1. Made in one
    transaction: one index commit, one segment.
    """
    putin = PersonFactory(name="Vladimir V. Putin", sort_name="Putin, Vladimir V", slug="putin")
    reagan = PersonFactory(name="Ronald Reagan", sort_name="Reagan, Ronald", slug="reagan")
    crude = TagFactory(name="Crude Oil", slug="crude")
    economy = TagFactory(name="Economy", slug="economy")
    articles = [
        ("Prices climb", "Oil prices rose again.", D(2016, 1, 4), [reagan], [crude]),
        ("Budget talks", "The budget deficit grew.", D(2016, 1, 20), [], [economy]),
        ("A glut", "Oil, oil everywhere.", D(2016, 3, 1), [], [crude]),
        ("A visit", "The president arrived.", D(2016, 3, 9), [putin], []),
        ("Weather", "Rain, and oil on the roads.", D(2016, 3, 15), [], []),
        ("The Kremlin speaks", "He spoke about oil prices.", D(2016, 3, 31), [putin], [crude]),
        ("Remembered", "A look back.", D(2017, 1, 2), [reagan], []),
        ("Prices fall", "Oil prices fell.", D(2017, 1, 30), [], [crude]),
        ("Again", "Another visit.", D(2017, 2, 15), [putin], []),
        ("Sports", "Football results.", D(2017, 2, 28), [], []),
        ("Undated", "Oil prices, no date.", None, [], [crude]),
    ]
    with transaction.atomic():
        for title, body, day, people, tags in articles:
            ArticleFactory(title=title, body=body, pub_date=day, people=people, tags=tags)


def api(client, *queries, **params):
    """The JSON of ``/api/trends/`` for ``queries`` (each a ``q``) and other ``params``."""
    response = client.get(f"/api/trends/?{query_string(queries, params)}")
    assert response.status_code == 200, response.content
    return response.json()


def query_string(queries, params=None):
    return urlencode([("q", q) for q in queries] + list((params or {}).items()))


def search_count(client, **params):
    response = client.get("/api/search/", params)
    assert response.status_code == 200, response.content
    return response.json()["count"]


def points(data, number=0):
    return {p["period"]: (p["count"], p["per_1000"]) for p in data["series"][number]["points"]}


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content[:2000]
    return response.content.decode()


# -- counts are the searches' counts ------------------------------------------------------


@pytest.mark.parametrize("interval", ["month", "year"])
@pytest.mark.parametrize(
    "dates",
    [{}, {"from": "2016-03-01", "to": "2017-01-31"}, {"from": "2016-01-15", "to": "2017-02-10"}],
    ids=["all", "whole months", "days"],
)
def test_each_point_counts_what_the_search_for_its_period_finds(client, archive, interval, dates):
    data = api(client, *SERIES, interval=interval, **dates)
    assert [s["query"] for s in data["series"]] == SERIES
    span = {"from": data["periods"][0]["start"], "to": data["periods"][-1]["end"]}
    assert span["from"] == dates.get("from", span["from"])
    for series in data["series"]:
        for period, point in zip(data["periods"], series["points"], strict=True):
            found = search_count(
                client, q=series["query"], **{"from": period["start"]}, to=period["end"]
            )
            assert point["count"] == found, (series["query"], period)
        everything = search_count(client, q=series["query"], **span)
        assert series["count"] == everything == sum(p["count"] for p in series["points"])


def test_a_series_counts_the_dated_articles_its_search_finds(client, archive):
    data = api(client, "oil", '"oil prices"')
    assert [s["count"] for s in data["series"]] == [5, 3]
    # The undated article matches both searches but belongs to no period.
    assert search_count(client, q="oil") == 6
    assert search_count(client, q='"oil prices"') == 4


def test_shared_filters_narrow_every_series_as_in_a_search(client, archive):
    data = api(client, "oil", "putin", tag="crude", **{"from": "2016-03-05"})
    assert data["periods"][0] == {
        "period": "2016-03",
        "start": "2016-03-05",
        "end": "2016-03-31",
        "total": 3,
    }
    for series in data["series"]:
        for period, point in zip(data["periods"], series["points"], strict=True):
            found = search_count(
                client,
                q=series["query"],
                tag="crude",
                **{"from": period["start"]},
                to=period["end"],
            )
            assert point["count"] == found
    # From March 5th: 3 articles, one of them tagged crude, about oil and Putin.
    assert points(data, 0)["2016-03"] == points(data, 1)["2016-03"] == (1, 333.33)


def test_the_links_of_points_land_on_searches_with_those_counts(client, archive):
    html = page(client, "/trends/?" + query_string(['"oil prices"', "person:putin"]))
    table = html[html.index('<table class="trend-table"') : html.index("</table>")]
    links = re.findall(r'<a href="(/search/\?[^"]+)">([\d,]+)</a>', table)
    assert len(links) == 2 * 14 + 2  # each series in each month, and over the whole span
    chart = html[html.index('<svg class="trend-chart"') :]
    chart = chart[: chart.index("</svg>")]
    chart_links = {unescape(href) for href in re.findall(r'<a href="(/search/\?[^"]+)"', chart)}
    for href, count in links:
        url = unescape(href)
        assert f"<strong>{count}</strong> article" in page(client, url), url
        assert {"from", "to"} <= set(parse_qs(urlsplit(url).query))
    assert chart_links <= {unescape(href) for href, _ in links}
    # Every point of the chart is drawn where its period has articles: 4 months of 14.
    assert len(chart_links) == 2 * 4


# -- normalisation ---------------------------------------------------------------------


def test_per_month_shares_against_hand_counts(client, archive):
    data = api(client, "oil", "person:putin")
    assert data["interval"] == "month"  # 14 months: short enough
    assert [(p["period"], p["total"]) for p in data["periods"]] == [
        ("2016-01", 2), ("2016-02", 0), ("2016-03", 4), ("2016-04", 0), ("2016-05", 0),
        ("2016-06", 0), ("2016-07", 0), ("2016-08", 0), ("2016-09", 0), ("2016-10", 0),
        ("2016-11", 0), ("2016-12", 0), ("2017-01", 2), ("2017-02", 2),
    ]  # fmt: skip
    oil, putin = points(data, 0), points(data, 1)
    assert oil["2016-01"] == (1, 500.0)
    assert oil["2016-02"] == (0, None)  # no articles at all that month: no share
    assert oil["2016-03"] == (3, 750.0)
    assert oil["2017-01"] == (1, 500.0)
    assert oil["2017-02"] == (0, 0.0)
    assert putin["2016-03"] == (2, 500.0)
    assert putin["2017-02"] == (1, 500.0)


def test_per_year_shares_against_hand_counts(client, archive):
    data = api(client, "oil", "person:putin", interval="year")
    assert data == {
        "interval": "year",
        "periods": [
            {"period": "2016", "start": "2016-01-01", "end": "2016-12-31", "total": 6},
            {"period": "2017", "start": "2017-01-01", "end": "2017-12-31", "total": 4},
        ],
        "series": [
            {
                "query": "oil",
                "count": 5,
                "points": [
                    {"period": "2016", "count": 4, "per_1000": 666.67},
                    {"period": "2017", "count": 1, "per_1000": 250.0},
                ],
            },
            {
                "query": "person:putin",
                "count": 3,
                "points": [
                    {"period": "2016", "count": 2, "per_1000": 333.33},
                    {"period": "2017", "count": 1, "per_1000": 250.0},
                ],
            },
        ],
    }


def test_counts_follow_changes_to_the_archive(client, archive):
    assert points(api(client, "oil"))["2016-03"] == (3, 750.0)
    ArticleFactory(title="More", body="Oil again.", pub_date=D(2016, 3, 20))
    data = api(client, "oil")
    assert data["series"][0]["count"] == 6
    assert points(data)["2016-03"] == (4, 800.0)  # 4 of the 5 articles of the month


def test_long_spans_are_counted_per_year_by_default(client, archive):
    ArticleFactory(title="Long ago", body="Oil.", pub_date=D(2012, 6, 1))
    assert api(client, "oil")["interval"] == "year"
    assert api(client, "oil", interval="month")["interval"] == "month"


# -- the page --------------------------------------------------------------------------


def test_the_page_draws_each_series_and_says_why_it_is_normalised(client, archive):
    html = page(client, "/trends/?" + query_string(SERIES))
    assert "because the archive holds many more articles in some periods" in html
    assert "Share of all articles (per 1,000) per month, Jan 2016 – Feb 2017" in html
    assert html.count('<span class="series-name">') == 5
    lines = re.findall(r'<g class="trend-line">\s*(<path [^>]+>)', html)
    assert len({re.search(r'stroke="(#\w+)"', line).group(1) for line in lines}) == 5
    assert len({re.search(r'(stroke-dasharray="[^"]+")|$', line).group() for line in lines}) == 5
    assert len(set(re.findall(r'<path class="marker (marker-\w+)"', html))) == 5
    assert 'aria-label="oil, Mar 2016: 3 articles (750 per 1,000)"' in html
    assert "The 1 undated article of the archive is left out: it belongs to no period." in html
    assert 'href="/api/trends/?q=oil&amp;q=%22oil+prices%22' in html  # export links
    assert '<meta name="robots" content="noindex">' in html
    # The page works without JavaScript: scripts only enhance it (the search box's suggestions).
    assert all("src=" in tag and "defer" in tag for tag in re.findall(r"<script[^>]*>", html))


def test_raw_counts_are_one_click_away(client, archive):
    html = page(client, "/trends/?q=oil")
    raw = re.search(r'<a href="([^"]+)">Articles</a>', html).group(1)
    assert unescape(raw) == "/trends/?q=oil&scale=count"
    html = page(client, unescape(raw))
    assert "Articles per month, Jan 2016 – Feb 2017" in html
    assert 'aria-current="true">Articles</a>' in html
    per_year = re.search(r'<a href="([^"]+)">Per year</a>', html).group(1)
    assert unescape(per_year) == "/trends/?q=oil&interval=year&scale=count"
    assert "Articles per year, 2016 – 2017" in page(client, unescape(per_year))


def test_the_page_keeps_its_state_in_the_form(client, archive):
    html = page(client, "/trends/?q=oil&q=putin&tag=crude&from=2016-01-01&interval=year")
    assert 'name="q" id="q1" value="oil"' in html and 'name="q" id="q2" value="putin"' in html
    assert '<input type="hidden" name="tag" value="crude">' in html
    assert 'aria-label="Remove filter Tag: Crude Oil"' in html
    assert '<option value="year" selected>' in html
    assert 'name="from" id="from" value="2016-01-01"' in html
    removed = re.search(r'href="([^"]+)">Remove<span class="visually-hidden"> series 1<', html)
    assert unescape(removed.group(1)) == "/trends/?q=putin&tag=crude&from=2016-01-01&interval=year"


def test_compare_with_adds_a_series(client, archive):
    response = client.get("/trends/?q=oil&add=%22oil+prices%22&sort=newest")
    assert response.status_code == 302
    assert response["Location"] == "/trends/?q=oil&q=%22oil+prices%22"
    assert client.get("/trends/?q=oil&add=").url == "/trends/?q=oil"


def compare_link(html):
    return unescape(re.search(r'<a href="(/trends/[^"]+)">Compare with…', html).group(1))


def test_fields_left_empty_leave_the_address(client, archive):
    response = client.get("/trends/?q=oil&q=putin&add=&from=&to=&interval=&tag=")
    assert response.url == "/trends/?q=oil&q=putin"
    assert client.get("/trends/?q=oil&q=putin&interval=year").status_code == 200


def test_compare_links_from_search_person_and_tag_pages(client, archive):
    link = compare_link(page(client, "/search/?q=oil&tag=crude&sort=newest"))
    assert link == "/trends/?q=oil&tag=crude&sort=newest"
    assert client.get(link).url == "/trends/?q=oil&tag=crude"

    # A person's or a tag's articles become a series in the search language.
    dated = {"from": "2016-01-01", "to": "2017-12-31"}
    for url, series, filters in [
        ("/people/putin/", 'person:"Vladimir V. Putin"', {"person": "putin"}),
        ("/tags/crude/", 'tag:"Crude Oil"', {"tag": "crude"}),
    ]:
        response = client.get(compare_link(page(client, url)))
        assert response.status_code == 302
        assert response.url == "/trends/?" + urlencode({"q": series})
        assert api(client, series)["series"][0]["count"] == search_count(client, **filters, **dated)

    link = compare_link(page(client, "/search/?person=putin&tag=crude"))
    assert client.get(link).url == "/trends/?" + urlencode(
        {"q": 'person:"Vladimir V. Putin" tag:"Crude Oil"'}
    )


def test_the_empty_page_offers_examples(client, archive):
    html = page(client, "/trends/")
    assert "Start from" in html
    assert (
        'href="/trends/?q=person%3A%22Vladimir+V.+Putin%22&amp;q=person%3A%22Ronald+Reagan%22"'
        in html
    )
    assert "<svg" not in html.split("<main", 1)[1]


# -- the export ------------------------------------------------------------------------


def test_csv_has_the_totals_and_each_series(client, archive):
    response = client.get("/api/trends/?q=oil&q=-putin&interval=year&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="trends.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["period", "start", "end", "total articles", "oil (articles)", "oil (per 1000 articles)",
         "'-putin (articles)", "'-putin (per 1000 articles)"],
        ["2016", "2016-01-01", "2016-12-31", "6", "4", "666.67", "4", "666.67"],
        ["2017", "2017-01-01", "2017-12-31", "4", "1", "250.0", "3", "750.0"],
    ]  # fmt: skip


def test_json_shape(client, archive):
    data = api(client, "oil", **{"from": "2016-03-10", "to": "2017-01-15"})
    assert set(data) == {"interval", "periods", "series"}
    assert data["periods"][0] == {
        "period": "2016-03",
        "start": "2016-03-10",
        "end": "2016-03-31",
        "total": 2,
    }
    assert data["periods"][-1] == {
        "period": "2017-01",
        "start": "2017-01-01",
        "end": "2017-01-15",
        "total": 1,
    }
    assert all(set(p) == {"period", "start", "end", "total"} for p in data["periods"])
    (series,) = data["series"]
    assert set(series) == {"query", "count", "points"}
    assert all(set(p) == {"period", "count", "per_1000"} for p in series["points"])
    assert [p["period"] for p in series["points"]] == [p["period"] for p in data["periods"]]


def test_the_chart_as_svg(client, archive):
    response = client.get("/api/trends/?q=oil&q=person:putin&format=svg&scale=count")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = ElementTree.fromstring(response.content)
    ns = {"svg": "http://www.w3.org/2000/svg"}
    assert svg.find("svg:title", ns).text == "Articles per month, Jan 2016 – Feb 2017"
    links = [a.get("href") for a in svg.iter("{http://www.w3.org/2000/svg}a")]
    # Raw counts: a point in every month, also those without articles.
    assert len(links) == 2 * 14
    assert all(link.startswith("http://testserver/search/?q=") for link in links)
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "oil (5 articles)" in texts and "person:putin (3 articles)" in texts  # the legend


# -- bad input -------------------------------------------------------------------------


BAD = [
    ("q=a&q=b&q=c&q=d&q=e&q=f", "At most 5 series can be compared"),
    ("q=oil&q=", "Series 2 is empty"),
    ("q=%22oil", 'Series 1 (“"oil”): A quotation mark was not closed'),
    ("q=oil&q=-", "Series 2 (“-”): A minus sign excludes the word right after it"),
    (
        "q=oil&from=1990-01-01&to=1990-12-31",
        "The archive has no dated articles from January 1, 1990",
    ),
    ("q=oil&from=2016-02-01&to=2016-02-29", "The archive has no dated articles"),
    ("q=oil&interval=week", "“week” is not an interval; use year or month."),
    ("q=oil&scale=percent", "“percent” is not a scale"),
    ("q=oil&person=nobody", "There is no person “nobody” in the archive"),
    ("q=oil&from=2016-13-01", "“2016-13-01” is not a date"),
    ("q=" + "x" * 600, "Series 1 is 600 characters long; the limit is 500."),
    ("person=nobody", "There is no person “nobody” in the archive"),
    ("from=2016-01-01", "Give at least one series to compare"),
]


@pytest.mark.parametrize(("query", "message"), BAD)
def test_bad_input_is_a_400_in_the_api(client, archive, query, message):
    response = client.get(f"/api/trends/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert any(message in error for error in response.json()["errors"]), response.json()


@pytest.mark.parametrize(("query", "message"), BAD)
def test_bad_input_is_a_message_on_the_page(client, archive, query, message):
    html = unescape(page(client, f"/trends/?{query}", status=400))
    messages = html[html.index('<div class="search-messages" role="status">') :]
    assert message in messages[: messages.index("</div>")]


def test_the_page_still_draws_the_good_series(client, archive):
    html = page(client, "/trends/?q=oil&q=&q=person:putin", status=400)
    assert [unescape(name) for name in re.findall(r'<span class="series-name">([^<]+)<', html)] == [
        "oil",
        "person:putin",
    ]
    assert 'name="q" id="q2" value=""' in html  # kept in the form, to fix


def test_api_bad_format_and_no_series(client, archive):
    assert "is not a format" in client.get("/api/trends/?q=oil&format=xls").json()["errors"][0]
    assert "Give at least one series" in client.get("/api/trends/").json()["errors"][0]
    assert client.get("/api/trends/?format=csv").status_code == 400


def test_per_month_is_refused_over_ten_years(client, archive):
    ArticleFactory(title="Long ago", body="Oil.", pub_date=D(2000, 6, 1))
    response = client.get("/api/trends/?q=oil&interval=month")
    assert response.status_code == 400
    assert "Per month covers at most 120 months" in response.json()["errors"][0]
    html = page(client, "/trends/?q=oil&interval=month", status=400)
    assert "counted per year instead" in html and "per year, 2000 – 2017" in html


def test_an_empty_archive(client, search_index):
    response = client.get("/api/trends/?q=oil")
    assert response.status_code == 400
    assert "The archive has no dated articles" in response.json()["errors"][0]
    assert "Start from" not in page(client, "/trends/")


def test_only_get(client, archive):
    assert client.post("/trends/", {"q": "oil"}).status_code == 405
    assert client.post("/api/trends/", {"q": "oil"}).status_code == 405
