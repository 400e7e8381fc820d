"""Searches with many results: ranking and links across pages, and a constant number of
database queries, over the archive of ``tests/test_search.py`` with many more articles."""

import re
from datetime import date
from html import unescape
from urllib.parse import parse_qs

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Person, Tag
from tests.factories import ArticleFactory
from tests.test_search import build_archive, results, search, slugs

pytestmark = pytest.mark.django_db


def build_archive_with_many_results():
    """``build_archive()`` and, in 2014, many articles matching one query each: 23 naming
    Putin, 22 about him, 25 reports tagged Russia, 30 on the deficit about Donald J. Trump."""
    made = build_archive()
    putin = Person.objects.get(slug="vladimir-v-putin")
    trump = Person.objects.get(slug="donald-j-trump")
    russia = Tag.objects.get(slug="russia")
    for n in range(23):
        ArticleFactory(title=f"Putin watch {n}", body="Putin. " * 3, pub_date=date(2014, 3, 1))
    for n in range(22):
        ArticleFactory(
            title=f"About Putin {n}", body="Putin once.", pub_date=date(2014, 4, 1), people=[putin]
        )
    for n in range(25):
        ArticleFactory(
            title=f"Russia report {n}",
            body="Russia report.",
            pub_date=date(2014, 1, n + 1),
            tags=[russia],
        )
    for n in range(30):
        ArticleFactory(
            title=f"Deficit story {n}", body="Deficit.", pub_date=date(2014, 2, 1), people=[trump]
        )
    return made


@pytest.fixture(scope="module")
def archive(shared_archive):
    return shared_archive(build_archive_with_many_results)


def test_person_ranking_across_pages(client, archive):
    """Every page puts the person's articles first; no article is on two pages or missing."""
    pages = [search(client, f"q=putin&page={n}") for n in (1, 2, 3)]
    seen = [slug for page in pages for slug in slugs(page)]
    assert len(seen) == len(set(seen)) == pages[0].context["outcome"].count == 47
    putin = Person.objects.get(slug="vladimir-v-putin")
    about = {a.slug for a in putin.articles.all()}
    assert [slug in about for slug in seen] == [True] * 23 + [False] * 24
    assert set(seen[23:]) >= {"kremlin"}


def test_pagination_keeps_every_parameter(client, archive):
    response = search(client, "q=report&tag=russia&from=2014-01-01&sort=newest")
    outcome = response.context["outcome"]
    assert (outcome.count, outcome.num_pages, len(outcome.results)) == (25, 2, 20)
    html = response.content.decode()
    next_link = re.search(r'<a rel="next" href="\?([^"]+)"', html).group(1)
    assert parse_qs(unescape(next_link)) == {
        "q": ["report"],
        "tag": ["russia"],
        "from": ["2014-01-01"],
        "sort": ["newest"],
        "page": ["2"],
    }
    second = client.get("/search/?" + unescape(next_link))
    assert len(results(second)) == 5
    assert not set(slugs(second)) & set(slugs(response))


def queries(client, query_string):
    with CaptureQueriesContext(connection) as captured:
        response = search(client, query_string)
    assert response.context["outcome"].count
    return len(captured)


def test_the_number_of_database_queries_does_not_grow_with_the_results(client, archive):
    def first_time(query_string):
        cache.clear()  # a new version of the archive: nothing kept from an earlier search
        return queries(client, query_string)

    few = first_time("q=budget+deficit+grows")  # one result
    many = first_time("q=deficit")  # 31 results
    assert few == many <= 5
    assert first_time("person=donald-j-trump&q=deficit") <= 5


def test_a_search_again_asks_only_which_people_its_words_name(client, archive):
    first = queries(client, "q=report&tag=russia")
    assert queries(client, "q=report&tag=russia") == 1 < first  # names and stories kept
