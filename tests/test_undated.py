"""Undated articles have a place: last in both date orders (and the page says so), an
"Undated" value in the years facet and a filter (``undated=1``) on the page, the API and the
feed, a bar in the timelines, and feeds that date them by when they entered the archive."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.http import QueryDict

from articles.search.params import SearchParams
from tests.factories import ArticleFactory, TagFactory

D = datetime.date
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def football(search_index):
    """Football stories: two dated (two years), three undated; one dated story of another sport."""
    sport = TagFactory(name="Football", slug="football")
    made = {
        "final": ArticleFactory(
            title="Football final in 2016", pub_date=D(2016, 5, 1), tags=[sport]
        ),
        "derby": ArticleFactory(
            title="Football derby in 2017", pub_date=D(2017, 3, 1), tags=[sport]
        ),
        "tennis": ArticleFactory(title="Tennis open", pub_date=D(2017, 6, 1)),
    }
    for n in range(3):
        made[f"undated{n}"] = ArticleFactory(
            title=f"Football report number {n}", pub_date=None, tags=[sport]
        )
    return made


def titles(page):
    return re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', page.content.decode())


def api(client, **params):
    response = client.get("/api/search/", params)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_undated_come_after_the_dated_in_both_orders_and_the_page_says_so(client, football, sort):
    found = [r["title"] for r in api(client, q="football", sort=sort)["results"]]
    dated = ["Football final in 2016", "Football derby in 2017"]
    assert found[:2] == (dated if sort == "oldest" else dated[::-1])
    assert sorted(found[2:]) == [f"Football report number {n}" for n in range(3)]

    page = client.get("/search/", {"q": "football", "sort": sort}).content.decode()
    assert "the 3 undated articles come after the dated ones" in page


def test_the_years_facet_has_undated_with_the_count_the_filter_finds(client, football):
    facets = api(client, q="football")["facets"]["years"]
    assert [(y["name"], y["slug"], y["count"]) for y in facets] == [
        ("2016", "2016", 1), ("2017", "2017", 1), ("Undated", "undated", 3),
    ]  # fmt: skip

    only = api(client, q="football", undated=1)
    assert only["count"] == 3  # the facet's count is the filter's
    assert {r["pub_date"] for r in only["results"]} == {None}
    assert only["facets"]["years"] == [
        {"name": "Undated", "slug": "undated", "count": 3, "description": ""}
    ]
    assert api(client, undated=1, tag="football")["count"] == 3
    assert api(client, undated=1)["count"] == 3  # with no query: every undated article


def test_the_undated_facet_and_chip_on_the_page(client, football):
    page = client.get("/search/", {"q": "football"}).content.decode()
    assert re.search(
        r'<a href="/search/\?q=football&amp;undated=1" rel="nofollow"[^>]*>Undated', page
    )
    assert 'aria-label="Undated: 3 articles"' in page  # the timeline's undated bar

    page = client.get("/search/", {"q": "football", "undated": "1"}).content.decode()
    assert "Remove filter Undated only" in page
    assert len(re.findall(r'<li class="card result">', page)) == 3


def test_undated_and_dates_cannot_be_combined():
    params = SearchParams.from_querydict(QueryDict("undated=1&from=2016-01-01"))
    assert params.undated and params.date_from is None
    assert params.errors == [
        "Undated articles have no date: the start and end dates were left out."
    ]
    assert SearchParams.from_querydict(QueryDict("undated=yes")).errors == [
        "“yes” is not a value for undated; use undated=1."
    ]


def test_choosing_a_year_drops_undated_and_undated_drops_the_dates(client, football):
    years = api(client, q="football", undated=1)["facets"]["years"]
    assert years[0]["slug"] == "undated"
    page = client.get("/search/", {"q": "football", "undated": "1"}).content.decode()
    # The selected value removes the filter.
    assert 'href="/search/?q=football" class="selected"' in page


def test_the_search_feed_gives_every_entry_a_date_and_says_where_it_comes_from(client, football):
    response = client.get("/search/feed/", {"q": "football", "undated": "1"})
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    entries = list(root.iter(f"{ATOM}entry"))
    assert len(entries) == 3
    for entry in entries:
        assert entry.find(f"{ATOM}updated").text  # Atom requires it
        assert entry.find(f"{ATOM}published").text
        assert "Undated: the date given is when it entered the archive" in (
            entry.find(f"{ATOM}summary").text
        )
    assert "dated by the day they entered the archive" in root.find(f"{ATOM}subtitle").text

    dated = ET.fromstring(client.get("/search/feed/", {"q": "final"}).content)
    (entry,) = dated.iter(f"{ATOM}entry")
    assert entry.find(f"{ATOM}published").text.startswith("2016-05-01")
    assert entry.find(f"{ATOM}updated").text


@pytest.mark.django_db
def test_the_latest_feed_states_the_fallback_date(client):
    ArticleFactory(title="Dated", pub_date=D(2017, 7, 7))
    undated = ArticleFactory(title="Undated", pub_date=None)
    root = ET.fromstring(client.get("/feeds/latest/").content)
    by_title = {e.find(f"{ATOM}title").text: e for e in root.iter(f"{ATOM}entry")}
    entry = by_title["Undated"]
    assert entry.find(f"{ATOM}published").text.startswith(f"{undated.created:%Y-%m-%d}")
    assert entry.find(f"{ATOM}updated").text
    assert "when it entered the archive" in entry.find(f"{ATOM}summary").text
    assert "when it entered" not in by_title["Dated"].find(f"{ATOM}summary").text


@pytest.mark.django_db
def test_the_latest_list_says_where_the_undated_are(client):
    ArticleFactory(title="Dated", pub_date=D(2017, 7, 7))
    ArticleFactory(title="Undated", pub_date=None)
    page = client.get("/articles/").content.decode()
    assert titles(client.get("/articles/")) == ["Dated", "Undated"]
    assert "the 1 undated article comes after the dated ones" in page
    assert 'href="/search/?undated=1"' in page


@pytest.mark.django_db
def test_timelines_of_the_home_and_tag_pages_have_an_undated_bar(client):
    tag = TagFactory(name="Football", slug="football")
    ArticleFactory(pub_date=D(2017, 7, 7), tags=[tag])
    ArticleFactory(pub_date=None, tags=[tag])
    ArticleFactory(pub_date=None)
    home = client.get("/").content.decode()
    assert 'href="/search/?undated=1" aria-label="Undated: 2 articles"' in home
    page = client.get("/tags/football/").content.decode()
    assert 'href="/search/?tag=football&amp;undated=1" aria-label="Undated: 1 article"' in page
