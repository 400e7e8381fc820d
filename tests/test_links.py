"""Links made once per process (``articles.links``) are the links ``reverse`` makes, under any
script prefix."""

import datetime

import pytest
from django.urls import reverse, set_script_prefix

from articles.links import reverser
from tests.factories import ArticleFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def script_prefix():
    yield set_script_prefix
    set_script_prefix("/")


def test_an_article_tag_and_undated_article_link_as_reverse_links_them(script_prefix):
    dated = ArticleFactory(slug="oil-rises", pub_date=datetime.date(1987, 2, 6))
    undated = ArticleFactory(slug="no-date", pub_date=None)
    tag = TagFactory(slug="crude")
    for _ in range(2):  # made, then kept
        assert (
            dated.get_absolute_url()
            == "/articles/1987/02/06/oil-rises/"
            == reverse(
                "articles:article_detail",
                kwargs={"year": 1987, "month": "02", "day": "06", "slug": "oil-rises"},
            )
        )
        assert undated.get_absolute_url() == reverse(
            "articles:article_undated", kwargs={"slug": "no-date"}
        )
        assert tag.get_absolute_url() == "/tags/crude/"


def test_a_site_served_under_a_sub_path_links_under_it(script_prefix):
    tag = TagFactory(slug="crude")
    assert tag.get_absolute_url() == "/tags/crude/"
    script_prefix("/archive/")  # as gunicorn's SCRIPT_NAME sets it for a request
    assert tag.get_absolute_url() == "/archive/tags/crude/"
    script_prefix("/")
    assert tag.get_absolute_url() == "/tags/crude/"


def test_a_pages_many_links_to_one_view_follow_the_sub_path_too(script_prefix):
    person_url = reverser("articles:person_detail")
    assert (
        person_url(slug="ann-lee")
        == "/people/ann-lee/"
        == reverse("articles:person_detail", kwargs={"slug": "ann-lee"})
    )
    script_prefix("/archive/")
    assert reverser("articles:person_detail")(slug="ann-lee") == "/archive/people/ann-lee/"
