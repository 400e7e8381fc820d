"""The JSON search API: its shape, and its errors (JSON with a 400 status).

Every test reads one archive, built once for the module (``shared_archive``).
"""

import datetime

import pytest

from tests.factories import ArticleFactory, PersonFactory, TagFactory

pytestmark = pytest.mark.django_db


def build_archive():
    """Two articles about meddling, a year apart; one about Putin, with markup in its body."""
    putin = PersonFactory(
        name="Vladimir V. Putin", sort_name="Putin, Vladimir V", slug="vladimir-v-putin"
    )
    russia = TagFactory(name="Russia", slug="russia")
    ArticleFactory(
        url="https://www.nytimes.com/2017/07/07/world/europe/trump-putin-g20.html",
        title="Trump Questions Putin",
        slug="trump-questions-putin",
        body="HAMBURG — President Trump questioned <Putin> about meddling & more.",
        pub_date=datetime.date(2017, 7, 7),
        people=[putin],
        tags=[russia],
    )
    ArticleFactory(
        title="Kremlin denies meddling",
        body="The Kremlin denied any meddling.",
        pub_date=datetime.date(2016, 12, 1),
        tags=[russia],
    )


@pytest.fixture(scope="module")
def archive(shared_archive):
    return shared_archive(build_archive)


def test_shape(client, archive):
    response = client.get("/api/search/?q=meddling&sort=newest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert set(data) >= {"count", "page", "num_pages", "results", "facets", "suggestion"}
    assert (data["count"], data["page"], data["num_pages"]) == (2, 1, 1)
    assert data["results"][0] == {
        "title": "Trump Questions Putin",
        "publication": "The New York Times",
        "url": "https://www.nytimes.com/2017/07/07/world/europe/trump-putin-g20.html",
        "permalink": "http://testserver/articles/2017/07/07/trump-questions-putin/",
        "pub_date": "2017-07-07",
        "people": ["Vladimir V. Putin"],
        "tags": ["Russia"],
        "snippet": "…Trump questioned &lt;Putin&gt; about <mark>meddling</mark> &amp; more.",
        "duplicates": [],
    }
    assert data["facets"] == {
        "people": [
            {"name": "Vladimir V. Putin", "slug": "vladimir-v-putin", "count": 1, "description": ""}
        ],
        "tags": [{"name": "Russia", "slug": "russia", "count": 2, "description": ""}],
        "years": [
            {"name": "2016", "slug": "2016", "count": 1, "description": ""},
            {"name": "2017", "slug": "2017", "count": 1, "description": ""},
        ],
    }
    assert data["suggestion"] is None
    assert data["messages"] == []


def test_same_parameters_as_the_page(client, archive):
    data = client.get("/api/search/?person=vladimir-v-putin&from=2017-01-01").json()
    assert [r["title"] for r in data["results"]] == ["Trump Questions Putin"]
    assert client.get("/api/search/?tag=russia&to=2016-12-31").json()["count"] == 1


def test_suggestion_and_people_named(client, archive):
    assert client.get("/api/search/?q=medling").json()["corrected_query"] == "meddling"
    data = client.get("/api/search/?q=putin").json()
    assert data["people_named"] == [{"name": "Vladimir V. Putin", "slug": "vladimir-v-putin"}]


def test_syntax_problems_are_messages_not_errors(client, archive):
    response = client.get("/api/search/?q=%22meddling")
    assert response.status_code == 200
    assert "not closed" in response.json()["messages"][0]
    assert response.json()["count"] == 2


@pytest.mark.parametrize(
    ("query_string", "error"),
    [
        ("from=2017-02-30", "“2017-02-30” is not a date"),
        ("to=tomorrow", "“tomorrow” is not a date"),
        ("person=nobody", "There is no person “nobody” in the archive"),
        ("tag=nothing&tag=russia", "There is no tag “nothing” in the archive"),
        ("person=a%20b", "is not a valid person"),
        ("page=abc", "“abc” is not a page number"),
        ("page=0", "is not a page number"),
        ("sort=up", "is not a sort order"),
        ("q=" + "x" * 10_000, "the limit is 500 characters"),
    ],
)
def test_errors_are_json_with_a_400_status(client, archive, query_string, error):
    response = client.get(f"/api/search/?{query_string}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert any(error in e for e in response.json()["errors"]), response.json()


def test_page_past_the_end_is_the_last_page_with_a_message(client, archive):
    data = client.get("/api/search/?q=meddling&page=999").json()
    assert (data["page"], data["num_pages"], len(data["results"])) == (1, 1, 2)
    assert "only 1 page" in data["messages"][0]


def test_only_get(client, archive):
    assert client.post("/api/search/", {"q": "x"}).status_code == 405
