"""Caching for readers (``articles/http_cache.py``): pages and feeds validated by the archive's
version, a conditional GET of an unchanged page answered 304, any change a new validator;
search results never validated by it; the admin left alone."""

import pytest
from django.db import transaction

from articles.archive_cache import archive_version
from articles.ingest import ingest_files
from tests.factories import ArticleFactory, TagFactory
from tests.test_admin import post_change


@pytest.fixture
def article(db):
    return ArticleFactory(tags=[TagFactory(name="Russia", slug="russia")])


def revalidate(client, url, etag):
    return client.get(url, HTTP_IF_NONE_MATCH=etag)


def test_an_unchanged_article_page_answers_a_conditional_get_with_304(client, article):
    first = client.get(article.get_absolute_url())
    assert first.status_code == 200
    assert first["Cache-Control"] == "no-cache"
    etag = first["ETag"]
    assert etag.startswith('W/"')

    again = revalidate(client, article.get_absolute_url(), etag)

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert again["Cache-Control"] == "no-cache"


@pytest.mark.parametrize(
    "url",
    ["/", "/articles/", "/tags/", "/tags/russia/", "/archive/2017/", "/feeds/latest/",
     "/tags/russia/feed/", "/robots.txt", "/search/help/"],
)  # fmt: skip
def test_pages_and_feeds_carry_the_validator_and_honour_it(client, article, url):
    first = client.get(url)
    assert first.status_code == 200
    assert first["Cache-Control"] == "no-cache"

    assert revalidate(client, url, first["ETag"]).status_code == 304
    assert revalidate(client, url, 'W/"something-else"').status_code == 200


def test_an_edit_in_the_admin_changes_the_validator(admin_client, client, article):
    url = article.get_absolute_url()
    etag = client.get(url)["ETag"]

    assert post_change(admin_client, article, title="A Corrected Title").status_code == 302

    after = revalidate(client, url, etag)
    assert after.status_code == 200
    assert after["ETag"] != etag
    assert "A Corrected Title" in after.content.decode()


def test_an_ingest_changes_the_validator(client, article, write_seed, seed_dir):
    etag = client.get("/")["ETag"]
    ingest_files([write_seed("new.txt", title="Zeppelin Lands in Friedrichshafen")])

    after = revalidate(client, "/", etag)

    assert after.status_code == 200
    assert "Zeppelin Lands in Friedrichshafen" in after.content.decode()


def test_the_version_moves_again_when_the_change_commits(transactional_db):
    """A page rendered between a change and its commit read the data before it: the commit
    moves the version again, so that page's validator does not outlive the change."""
    with transaction.atomic():
        ArticleFactory()
        during = archive_version()
    assert archive_version() != during


@pytest.mark.parametrize(
    "url", ["/search/?q=story", "/api/search/?q=story", "/search/feed/?q=story",
            "/api/autocomplete/?q=ar", "/trends/?q=story", "/api/trends/?q=story"],
)  # fmt: skip
def test_search_results_are_never_validated_by_the_archive_version(client, search_index, url):
    ArticleFactory(body="A story about zeppelins.")

    response = client.get(url, HTTP_IF_NONE_MATCH=client.get("/")["ETag"])

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"
    assert not response.has_header("ETag")


def test_the_admin_gets_no_caching_headers_of_ours(admin_client, article):
    response = admin_client.get("/admin/articles/article/")

    assert response.status_code == 200
    assert not response.has_header("ETag")
    assert "no-store" in response["Cache-Control"]  # the admin's own never_cache


def test_a_missing_page_is_not_validated(client, article):
    response = client.get("/tags/no-such-tag/")

    assert response.status_code == 404
    assert not response.has_header("ETag")
    assert not response.has_header("Cache-Control")
