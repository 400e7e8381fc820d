"""Atom feeds of the newest articles, per tag and per person."""

import datetime
import xml.etree.ElementTree as ET

import pytest

from tests.factories import ArticleFactory, PersonFactory, TagFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def feed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def entries(root):
    return [
        (e.find(f"{ATOM}title").text, e.find(f"{ATOM}link").get("href"))
        for e in root.iter(f"{ATOM}entry")
    ]


@pytest.fixture
def articles():
    tag, person = (
        TagFactory(name="Russia", slug="russia"),
        PersonFactory(name="Vladimir V. Putin", slug="putin"),
    )
    old = ArticleFactory(title="Old", pub_date=datetime.date(2016, 1, 1), tags=[tag])
    new = ArticleFactory(
        title="New <b>&</b>", pub_date=datetime.date(2017, 7, 7), tags=[tag], people=[person]
    )
    other = ArticleFactory(title="Other", pub_date=datetime.date(2017, 1, 1))
    undated = ArticleFactory(title="Undated", pub_date=None)
    return old, new, other, undated


def test_latest_feed_has_the_newest_articles_first(client, articles):
    old, new, other, undated = articles
    root = feed(client, "/feeds/latest/")

    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}title").text == "The Archive: latest articles"
    assert entries(root) == [
        ("New <b>&</b>", f"http://testserver{new.get_absolute_url()}"),
        ("Other", f"http://testserver{other.get_absolute_url()}"),
        ("Old", f"http://testserver{old.get_absolute_url()}"),
        ("Undated", f"http://testserver{undated.get_absolute_url()}"),
    ]
    first = next(root.iter(f"{ATOM}entry"))
    assert first.find(f"{ATOM}published").text.startswith("2017-07-07T00:00:00")
    assert {c.get("term") for c in first.iter(f"{ATOM}category")} == {"Russia", "Vladimir V. Putin"}
    assert first.find(f"{ATOM}summary").text == "First paragraph of the story."


def test_tag_and_person_feeds_have_only_their_articles(client, articles):
    tag_feed = feed(client, "/tags/russia/feed/")
    assert tag_feed.find(f"{ATOM}title").text == "The Archive: Russia"
    assert [title for title, _ in entries(tag_feed)] == ["New <b>&</b>", "Old"]
    assert [title for title, _ in entries(feed(client, "/people/putin/feed/"))] == ["New <b>&</b>"]


def test_a_feed_of_an_unknown_tag_is_a_404(client):
    assert client.get("/tags/nothing/feed/").status_code == 404
    assert client.get("/people/nobody/feed/").status_code == 404


def test_pages_announce_their_feeds_and_the_search_engine(client, articles):
    home = client.get("/").content.decode()
    assert (
        'type="application/atom+xml" title="The Archive: latest articles" href="/feeds/latest/"'
        in home
    )
    assert 'rel="search" type="application/opensearchdescription+xml"' in home
    assert 'href="/people/putin/feed/"' in client.get("/people/putin/").content.decode()
