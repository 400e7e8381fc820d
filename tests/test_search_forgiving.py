"""Search that forgives: typos corrected from the archive's vocabulary, partial last words
completed, and help when nothing matches; through the HTTP layer, on a real index."""

import datetime
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.test_index import make_article


@pytest.fixture
def archive(search_index):
    make_article(
        "Brown names budget team",
        "LONDON — Gordon Brown named the team that will draft the budget on Monday.",
        people=["Gordon Brown"],
        tags=["Britain"],
        slug="brown-budget",
    )
    make_article(
        "Budget talks resume",
        "The budget talks resumed in the morning after a meeting of ministers.",
        tags=["Britain"],
        slug="budget-talks",
    )
    make_article(
        "Government publishes its budget",
        "The government published the budget; a typo in the draft read bugdet.",
        slug="government-budget",
    )
    make_article(
        "Putin meets ministers",
        "MOSCOW — Vladimir Putin met his ministers. Russian officials said little.",
        people=["Vladimir V. Putin"],
        tags=["Russia"],
        slug="putin-meets",
    )
    for n in range(4):
        make_article(
            f"Company puts shares on sale {n}",
            "The company puts its shares on sale; sales rose.",
            slug=f"puts-{n}",
        )
    make_article(
        "OPEC holds output",
        "The oil cartel held its output steady.",
        tags=["OPEC"],
        slug="opec",
        pub_date=datetime.date(1987, 3, 2),
    )
    make_article("Reagan speaks", "President Reagan spoke on Tuesday.", slug="reagan")
    make_article("A reaction in markets", "Markets reacted calmly.", slug="reaction")
    make_article("Zeppelin lands", "A zeppelin landed at the airfield.", slug="zeppelin")


def api(client, **params):
    response = client.get("/api/search/", params)
    assert response.status_code == 200, response.content
    return response.json()


def titles(answer):
    return sorted(result["title"] for result in answer["results"])


def test_a_typo_is_corrected_and_its_results_shown_at_once(client, archive):
    answer = api(client, q="brown bugdet")
    assert answer["corrected_query"] == "brown budget"
    assert answer["original_query"] == "brown bugdet"
    assert titles(answer) == ["Brown names budget team"]

    page = unescape(client.get("/search/?q=brown+bugdet").content.decode())
    assert "Showing results for" in page
    assert "<mark>Brown</mark> names <mark>budget</mark> team" in page  # corrected, marked
    assert "highlight=brown+budget" in page  # the article page marks the corrected words
    instead = page.split("search instead for")[1]
    href = instead.split('href="')[1].split('"')[0]
    assert parse_qs(urlsplit(href).query) == {"q": ["brown bugdet"], "exact": ["1"]}
    assert api(client, q="brown bugdet", exact="1")["count"] == 0  # as typed, after all


def test_a_typo_that_occurs_in_some_document_is_still_corrected(client, archive):
    answer = api(client, q="brown names bugdet team")
    assert answer["corrected_query"] == "brown names budget team"
    assert titles(answer) == ["Brown names budget team"]


def test_correct_words_are_never_corrected(client, archive):
    assert api(client, q="budget")["corrected_query"] is None
    answer = api(client, q="zeppelin budget")  # both real words, in no article together
    assert answer["count"] == 0
    assert answer["corrected_query"] is None
    assert answer["original_query"] is None


def test_stop_words_phrases_and_fields_are_left_alone(client, archive):
    answer = api(client, q="team for the bugdet")
    assert answer["corrected_query"] == "team for the budget"
    assert api(client, q='"draft bugdets"')["corrected_query"] is None
    assert api(client, q="title:bugdte")["corrected_query"] is None
    assert api(client, q="-bugdte budget")["corrected_query"] is None


def test_names_of_people_and_tags_are_preferred(client, archive):
    # "putn" is one edit from "puts" (four titles) and from "putin" (a person).
    assert api(client, q="putn")["corrected_query"] == "putin"
    assert api(client, q="opek")["corrected_query"] == "opec"


def test_one_edit_for_short_words_and_two_for_long_ones(client, archive):
    assert api(client, q="rusian")["corrected_query"] == "russian"  # a letter dropped
    assert api(client, q="slaes")["corrected_query"] in ("sale", "sales")  # a swap
    assert api(client, q="bdugte")["corrected_query"] is None  # 6 letters, 2 edits
    assert api(client, q="govrenmetn")["corrected_query"] == "government"  # 10 letters, 2 edits


def test_a_partial_last_word_matches_the_words_it_begins(client, archive):
    answer = api(client, q="rea")
    assert answer["corrected_query"] == "rea*"
    assert {"A reaction in markets", "Reagan speaks"} <= set(titles(answer))
    assert api(client, q="rea", exact="1")["count"] == 0


def test_a_search_finding_nothing_offers_what_would_find_something(client, archive):
    answer = api(client, q="zeppelin budget", tag="britain")
    offered = {item["label"]: item["count"] for item in answer["try_instead"]}
    assert offered == {"without “zeppelin”": 2}  # the others would find nothing either
    assert api(client, q="zeppelin budget")["try_instead"] == [
        {"label": "without “zeppelin”", "url": "http://testserver/search/?q=budget", "count": 3},
        {"label": "without “budget”", "url": "http://testserver/search/?q=zeppelin", "count": 1},
    ]
    for item in answer["try_instead"]:
        followed = client.get(item["url"].replace("/search/", "/api/search/")).json()
        assert followed["count"] == item["count"]
    page = client.get("/search/?q=zeppelin+budget&tag=britain").content.decode()
    assert "These would find some" in page
    assert 'href="/search/help/"' in page


def test_a_search_finding_little_gets_a_did_you_mean(client, archive):
    # "bugdet" occurs in one article: a result, and the better spelling offered.
    answer = api(client, q="bugdet")
    assert answer["count"] == 1
    assert answer["corrected_query"] is None
    assert answer["suggestion"] == "budget"
