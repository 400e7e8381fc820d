"""The search page through the HTTP layer, against a real Whoosh index of fixture articles.

Every test reads one archive, built once for the module (``shared_archive``); searches that
need many results read a larger one (``tests/test_search_many_results.py``).
"""

import datetime
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from articles.search.running import people_named
from tests.factories import ArticleFactory, PersonFactory, TagFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def build_archive():
    """Eight articles over three years; people, tags and words chosen for each test."""
    putin = PersonFactory(
        name="Vladimir V. Putin", sort_name="Putin, Vladimir V", slug="vladimir-v-putin"
    )
    trump = PersonFactory(
        name="Donald J. Trump", sort_name="Trump, Donald J", slug="donald-j-trump"
    )
    russia = TagFactory(name="Russia", slug="russia")
    economy = TagFactory(name="Economy", slug="economy")
    health = TagFactory(name="Health", slug="health")
    made = {}

    def article(key, title, body, date, people=(), tags=()):
        made[key] = ArticleFactory(
            title=title,
            slug=key,
            body=body,
            pub_date=date,
            people=list(people),
            tags=list(tags),
        )

    article(
        "summit",
        "Leaders meet at the summit",
        "The two presidents spoke for hours. Putin said little.",
        D(2017, 7, 7),
        [putin, trump],
        [russia],
    )
    article(
        "kremlin",
        "The Kremlin answers",
        "Putin, Putin and Putin again: a profile that names Putin in every line. Putin.",
        D(2017, 3, 1),
        tags=[russia],
    )
    article(
        "budget",
        "Budget deficit grows",
        "The federal budget deficit grew again, economists said.",
        D(2016, 5, 2),
        [trump],
        [economy],
    )
    article(
        "care",
        "Health care vote",
        "Senators debated health care and the budget for the year.",
        D(2017, 6, 1),
        tags=[health, economy],
    )
    article(
        "carehealth",
        "Care for the health of nurses",
        "Nurses first: care, then health.",
        D(2015, 1, 20),
        tags=[health],
    )
    article(
        "elections",
        "Elections in Zürich",
        "Voters in Zürich went to the polls in several elections.",
        D(2015, 11, 3),
    )
    article(
        "html",
        "Markup <b>in</b> a title & more",
        'A budget line with <script>alert("x")</script> and <mark>fake</mark> tags.',
        D(2016, 8, 8),
        tags=[economy],
    )
    article(
        "president",
        "Presidency of the council",
        "The presidency rotates every six months.",
        D(2016, 1, 4),
        tags=[russia],
    )
    return made


@pytest.fixture(scope="module")
def archive(shared_archive):
    return shared_archive(build_archive)


ALL = {"summit", "kremlin", "budget", "care", "carehealth", "elections", "html", "president"}


def search(client, query_string, status=200):
    response = client.get(f"/search/?{query_string}")
    assert response.status_code == status, response.content[:500]
    return response


def slugs(response):
    return [
        urlsplit(card.permalink).path.rstrip("/").rsplit("/", 1)[-1] for card in results(response)
    ]


def results(response):
    return response.context["outcome"].results


def found(client, query_string):
    return set(slugs(search(client, query_string)))


# The query language ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("budget deficit", {"budget"}),  # all words must match
        ("BUDGET Deficit", {"budget"}),  # case-insensitive
        ("election", {"elections"}),  # stemmed
        ("zurich", {"elections"}),  # accent-insensitive
        ('"health care"', {"care"}),  # a phrase: adjacent words in order
        ("health care", {"care", "carehealth"}),
        ("budget -deficit", {"care", "html"}),  # excluded word
        ("zurich OR deficit", {"elections", "budget"}),
        ("presid*", {"summit", "president"}),  # prefix
        ("title:budget", {"budget"}),  # the word in the title only
        ("person:putin", {"summit"}),
        ('person:"vladimir putin"', {"summit"}),
        ("tag:economy", {"budget", "care", "html"}),
        ("-title:budget tag:economy", {"care", "html"}),
    ],
)
def test_query_language(client, archive, q, expected):
    response = search(client, f"q={q}")
    assert set(slugs(response)) == expected
    assert response.context["outcome"].messages == []


@pytest.mark.parametrize(
    ("query_string", "message", "expected"),
    [
        ("q=%22budget+deficit", "quotation mark was not closed", {"budget"}),
        ("q=budget+-", "lone “-”", {"budget", "care", "html"}),
        ("q=title:", "“title:” must be followed", None),
        ("q=deficit+title:", "“title:” must be followed", {"budget"}),
        ("q=OR+deficit", "OR goes between", {"budget"}),
        ("q=budget%00deficit%1b", "Control characters", {"budget"}),
        ("q=*", "A * goes at the end", None),
        ("q=deficit&from=2017-02-30", "“2017-02-30” is not a date", {"budget"}),
        ("q=deficit&to=soon", "“soon” is not a date", {"budget"}),
        ("q=deficit&person=nobody-at-all", "no person “nobody-at-all”", {"budget"}),
        ("q=deficit&tag=no-such-tag", "no tag “no-such-tag”", {"budget"}),
        ("q=deficit&tag=%3Cscript%3E", "is not a valid tag", {"budget"}),
        ("q=deficit&sort=sideways", "is not a sort order", {"budget"}),
        ("q=deficit&page=abc", "“abc” is not a page number", {"budget"}),
        ("q=deficit&page=999", "only 1 page", {"budget"}),
        ("q=deficit&page=99999999999999999999999", "only 1 page", {"budget"}),
        ("q=putin&page=999", "only 1 page", {"summit", "kremlin"}),  # a person named
    ],
)
def test_bad_input_gets_a_message_and_a_best_effort_search(
    client, archive, query_string, message, expected
):
    response = search(client, query_string)
    outcome = response.context["outcome"]
    assert any(message in m for m in outcome.messages), outcome.messages
    assert message in unescape(response.content.decode())
    if expected is not None:
        assert set(slugs(response)) == expected


def test_a_query_above_the_limit_is_refused_with_a_clear_message(client, archive):
    response = search(client, "q=" + "budget " * 1500, status=400)
    assert "the limit is 500 characters" in response.content.decode()
    assert results(response) == []
    assert 'role="search"' in response.content.decode()


@pytest.mark.parametrize(
    "q",
    ['"', "-", "--", "-*", "OR", "title:*", 'person:"', "::", "()", "\\", "'", "title:(", "\x7f"],
)
def test_junk_queries_never_fail(client, archive, q):
    search(client, f"q={q}")


# Search by person ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "order"),
    [
        # "kremlin" mentions Putin five times but is not about him: the tagged article is first.
        ("Putin", ["summit", "kremlin"]),
        ("putin", ["summit", "kremlin"]),
        ("putin kremlin OR summit", ["summit", "kremlin"]),
        ("Vladimir Putin", ["summit"]),
    ],
)
def test_a_query_naming_a_person_ranks_their_articles_first_and_offers_them(
    client, archive, q, order
):
    response = search(client, f"q={q}")
    assert slugs(response) == order
    html = response.content.decode()
    assert "Articles about Vladimir V. Putin" in html
    offer = response.context["outcome"].offered_people[0]
    assert set(slugs(client.get(offer.url))) == {"summit"}


def test_person_ranking_keeps_every_result_and_the_counts(client, archive):
    ranked = search(client, "q=putin").context["outcome"]
    plain = search(client, "q=putin&sort=newest").context["outcome"]
    assert ranked.count == plain.count == 2
    assert {f.slug: f.count for f in ranked.facets["tags"]} == {
        f.slug: f.count for f in plain.facets["tags"]
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("words", "named"),
    [(["nunez"], ["José Núñez"]), (["NÚÑEZ"], ["José Núñez"]), (["50", "Cent"], ["50 Cent"])],
)
def test_a_surname_is_named_whatever_its_case_accents_or_first_character(words, named):
    for name, sort_name in [("José Núñez", "Núñez, José"), ("50 Cent", "50 Cent")]:
        ArticleFactory(people=[PersonFactory(name=name, sort_name=sort_name)])
    assert [person.name for person in people_named(words)] == named


def test_a_surname_shared_by_no_one_offers_no_person(client, archive):
    assert search(client, "q=deficit").context["outcome"].offered_people == []


# Filters, facets and sorting ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("query_string", "expected"),
    [
        ("person=donald-j-trump", {"summit", "budget"}),
        ("person=donald-j-trump&person=vladimir-v-putin", {"summit"}),
        ("tag=economy", {"budget", "care", "html"}),
        ("tag=economy&tag=health", {"care"}),
        ("from=2017-01-01", {"summit", "kremlin", "care"}),
        ("to=2015-12-31", {"carehealth", "elections"}),
        ("from=2016-01-01&to=2016-12-31", {"budget", "html", "president"}),
        # Edges are inclusive, whatever mix of days, months and years the range covers.
        ("from=2015-11-03&to=2016-05-02", {"elections", "president", "budget"}),
        ("from=2015-11-04&to=2016-05-01", {"president"}),
        ("from=2016-01-04", {"president", "budget", "html", "care", "kremlin", "summit"}),
        ("to=2016-01-04", {"carehealth", "elections", "president"}),
        ("from=2017-03-01&to=2017-03-31", {"kremlin"}),
        ("from=0001-01-01&to=9999-12-31", {*ALL}),
        ("q=budget&tag=economy&from=2016-06-01", {"care", "html"}),
        ("q=budget&person=donald-j-trump", {"budget"}),
    ],
)
def test_filters_with_or_without_a_query(client, archive, query_string, expected):
    assert found(client, query_string) == expected


def test_active_filters_are_chips_that_remove_themselves(client, archive):
    response = search(client, "q=budget&tag=economy&from=2016-01-01")
    chips = {chip.label: chip.url for chip in response.context["outcome"].chips}
    assert set(chips) == {"Tag: Economy", "From January 1, 2016"}
    html = response.content.decode()
    assert 'aria-label="Remove filter Tag: Economy"' in html
    assert parse_qs(urlsplit(chips["Tag: Economy"]).query) == {
        "q": ["budget"],
        "from": ["2016-01-01"],
    }
    assert found(client, urlsplit(chips["Tag: Economy"]).query) == {"budget", "care", "html"}


@pytest.mark.parametrize("query_string", ["", "q=budget", "q=putin", "tag=russia", "q=health"])
def test_facet_counts_equal_what_the_filter_then_returns(client, archive, query_string):
    outcome = search(client, query_string).context["outcome"]
    links = [link for facet in outcome.facets.values() for link in facet if not link.selected]
    assert links
    for link in links:
        narrowed = client.get(link.url).context["outcome"]
        assert narrowed.count == link.count, (link.label, link.url)


def test_facets_count_the_whole_result_set_not_the_page(client, archive, settings):
    response = client.get("/search/?tag=economy")
    outcome = response.context["outcome"]
    assert {f.slug: f.count for f in outcome.facets["tags"]} == {"economy": 3, "health": 1}
    assert {f.label: f.count for f in outcome.facets["years"]} == {"2016": 2, "2017": 1}
    assert {f.label: f.count for f in outcome.facets["people"]} == {"Donald J. Trump": 1}


def test_facet_links_narrow_and_a_selected_facet_removes_itself(client, archive):
    outcome = search(client, "q=budget").context["outcome"]
    economy = next(f for f in outcome.facets["tags"] if f.slug == "economy")
    assert parse_qs(urlsplit(economy.url).query) == {"q": ["budget"], "tag": ["economy"]}
    narrowed = client.get(economy.url).context["outcome"]
    selected = next(f for f in narrowed.facets["tags"] if f.slug == "economy")
    assert selected.selected
    assert parse_qs(urlsplit(selected.url).query) == {"q": ["budget"]}


@pytest.mark.parametrize(
    ("query_string", "order"),
    [
        ("tag=economy", ["budget", "html", "care"]),  # oldest first without a query
        ("tag=economy&sort=oldest", ["budget", "html", "care"]),
        ("tag=economy&sort=newest", ["care", "html", "budget"]),
        ("q=budget&sort=newest", ["care", "html", "budget"]),
        ("q=budget&sort=oldest", ["budget", "html", "care"]),
    ],
)
def test_sort_orders(client, archive, query_string, order):
    assert slugs(search(client, query_string)) == order


def test_relevance_is_the_default_with_a_query(client, archive):
    response = search(client, "q=budget+deficit+OR+budget")
    assert slugs(response)[0] == "budget"
    assert response.context["outcome"].sort_options == [
        ("", "Best match", True),
        ("newest", "Newest first", False),
        ("oldest", "Oldest first", False),
    ]
    assert search(client, "sort=newest").context["outcome"].sort_options == [
        ("", "Oldest first", False),
        ("newest", "Newest first", True),
    ]


# Results ------------------------------------------------------------------------------------


def test_results_show_title_date_people_tags_and_a_highlighted_snippet(client, archive):
    response = search(client, "q=deficit")
    html = response.content.decode()
    article = archive["budget"]
    # The link carries the words to mark and the way back; the title has its match marked.
    assert (
        f'<a href="{article.get_absolute_url()}?highlight=deficit&amp;results=q%3Ddeficit">'
        "Budget <mark>deficit</mark> grows</a>"
    ) in html
    assert '<time datetime="2016-05-02">May 2, 2016</time>' in html
    assert 'href="/people/donald-j-trump/">Donald J. Trump</a>' in html
    assert 'href="/tags/economy/">Economy</a>' in html
    assert "The federal budget <mark>deficit</mark> grew again" in html
    assert "<strong>1</strong> article" in html


def test_highlighting_escapes_everything_but_the_marks(client, archive):
    html = search(client, "q=budget+line").content.decode()
    assert "<script>" not in html.split("</main>")[0]
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;mark&gt;fake&lt;/mark&gt;" in html
    assert "A <mark>budget</mark> <mark>line</mark> with" in html
    assert "Markup &lt;b&gt;in&lt;/b&gt; a title &amp; more" in html


# Did you mean, timeline ----------------------------------------------------------------------


def test_a_misspelt_search_shows_the_results_of_its_correction(client, archive):
    response = search(client, "q=budgte")
    corrected = response.context["outcome"].corrected_link
    assert corrected.label == "budget"
    assert f'Showing results for <a href="{corrected.url.replace("&", "&amp;")}"' in (
        response.content.decode()
    )
    assert found(client, urlsplit(corrected.url).query) == {"budget", "care", "html"}
    assert {card.title for card in results(response)} == {
        card.title for card in results(search(client, "q=budget"))
    }


def test_no_suggestion_when_the_query_finds_enough(client, archive):
    assert search(client, "q=budget").context["outcome"].suggestion is None


def bars(response):
    timeline = response.context["timeline"]
    return timeline, [bar for bar in timeline.bars if bar.count]


def test_timeline_has_a_bar_per_year_each_narrowing_the_dates(client, archive):
    response = search(client, "")
    timeline, filled = bars(response)
    assert timeline.unit == "year"
    assert [(bar.label, bar.count) for bar in filled] == [("2015", 2), ("2016", 3), ("2017", 3)]
    for bar in filled:
        narrowed = client.get(bar.url).context["outcome"]
        assert narrowed.count == bar.count
    html = response.content.decode()
    assert 'aria-label="2016: 3 articles"' in html
    assert "<svg" in html


def test_timeline_per_month_within_a_year(client, archive):
    response = search(client, "from=2017-01-01&to=2017-12-31")
    timeline, filled = bars(response)
    assert timeline.unit == "month"
    assert [(bar.label, bar.count) for bar in filled] == [
        ("Mar 2017", 1),
        ("Jun 2017", 1),
        ("Jul 2017", 1),
    ]
    assert parse_qs(urlsplit(filled[0].url).query) == {
        "from": ["2017-03-01"],
        "to": ["2017-03-31"],
    }


# Feed, OpenSearch, help, autocomplete --------------------------------------------------------


def test_atom_feed_of_a_search_linked_from_the_page(client, archive):
    html = search(client, "q=budget").content.decode()
    assert 'type="application/atom+xml"' in html
    assert 'href="/search/feed/?q=budget&amp;sort=newest"' in html
    response = client.get("/search/feed/?q=budget")
    assert response["Content-Type"].startswith("application/atom+xml")
    xml = response.content.decode()
    assert xml.count("<entry>") == 3
    assert "<title>The Archive: search for “budget”</title>" in xml
    assert xml.index("Health care vote") < xml.index("Budget deficit grows")  # newest first
    assert "&lt;mark&gt;budget&lt;/mark&gt;" in xml


def test_feed_with_bad_parameters_is_a_400(client, archive):
    assert client.get("/search/feed/?q=x&from=never").status_code == 400


def test_opensearch_description(client, archive):
    html = search(client, "").content.decode()
    assert 'rel="search" type="application/opensearchdescription+xml"' in html
    response = client.get("/opensearch.xml")
    assert response["Content-Type"].startswith("application/opensearchdescription+xml")
    assert 'template="http://testserver/search/?q={searchTerms}"' in response.content.decode()


def test_help_page_is_linked_from_the_box_and_documents_the_syntax(client, archive):
    html = search(client, "q=x").content.decode()
    assert '<a href="/search/help/">How to search</a>' in html
    help_html = client.get("/search/help/").content.decode()
    for syntax in ('"health care"', "-sanctions", "tax OR budget", "presid*", "title:", "person:"):
        assert syntax in unescape(help_html)


def suggested(client, text):
    data = client.get(f"/api/autocomplete/?q={text}").json()
    return {(s["kind"], s["label"]) for s in data["suggestions"]}


def test_autocomplete_people_tags_and_titles(client, archive):
    data = client.get("/api/autocomplete/?q=pu").json()
    assert data["suggestions"][0] == {
        "label": "Vladimir V. Putin",
        "kind": "person",
        "url": "/search/?person=vladimir-v-putin",
        "count": 1,
    }
    kinds = {
        (s["kind"], s["label"])
        for s in client.get("/api/autocomplete/?q=bud").json()["suggestions"]
    }
    assert ("article", "Budget deficit grows") in kinds
    assert ("tag", "Russia") in {
        (s["kind"], s["label"])
        for s in client.get("/api/autocomplete/?q=rus").json()["suggestions"]
    }
    assert client.get("/api/autocomplete/?q=p").json()["suggestions"] == []
    assert client.get("/api/autocomplete/?q=%00%00").status_code == 200
    assert client.get("/api/autocomplete/?q=pu&format=opensearch").json()[0] == "pu"


def test_search_page_works_without_javascript(client, archive):
    """The form is a plain GET form; the script only adds suggestions."""
    html = search(client, "q=budget").content.decode()
    assert re.search(
        r'<form class="search-form" role="search" action="/search/" method="get"', html
    )
    assert 'name="q" id="q" value="budget"' in html
