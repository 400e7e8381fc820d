"""The timeline chart: bars per year or month, gaps, links, and its accessible SVG."""

import datetime
import re

import pytest
from django.template.loader import render_to_string

from articles.models import Article
from articles.timeline import BAR_AREA_HEIGHT, build_timeline
from tests.factories import ArticleFactory

D = datetime.date


def link(first_day, last_day):
    return f"/search/?from={first_day}&to={last_day}"


def test_counts_over_more_than_a_year_become_one_bar_per_year_with_gaps():
    timeline = build_timeline({D(2015, 3, 1): 2, D(2015, 9, 1): 1, D(2017, 7, 1): 6}, link)

    assert timeline.unit == "year"
    assert timeline.caption == "Articles per year, 2015–2017"
    assert [(b.label, b.count) for b in timeline.bars] == [("2015", 3), ("2016", 0), ("2017", 6)]
    assert [b.url for b in timeline.bars] == [
        "/search/?from=2015-01-01&to=2015-12-31",
        None,  # an empty year is a gap, not a link to nothing
        "/search/?from=2017-01-01&to=2017-12-31",
    ]
    assert timeline.total == 9


def test_counts_within_a_year_become_one_bar_per_month():
    timeline = build_timeline({D(2016, 2, 1): 4, D(2016, 4, 1): 1, D(2017, 1, 1): 2}, link)

    assert timeline.unit == "month"
    assert timeline.caption == "Articles per month, February 2016 – January 2017"
    assert len(timeline.bars) == 12
    assert (timeline.bars[0].label, timeline.bars[0].url) == (
        "Feb 2016",
        "/search/?from=2016-02-01&to=2016-02-29",  # the last day of a leap February
    )
    assert [b.count for b in timeline.bars[:3]] == [4, 0, 1]


def test_thirteen_months_are_shown_as_years():
    assert build_timeline({D(2016, 1, 1): 1, D(2017, 1, 1): 1}, link).unit == "year"


def test_a_single_month_is_one_bar():
    timeline = build_timeline({D(2017, 7, 1): 3}, link, label="Matching articles")
    assert timeline.caption == "Matching articles per month, July 2017"
    assert [(b.label, b.count) for b in timeline.bars] == [("Jul 2017", 3)]


def test_yearly_counts_can_be_given_directly():
    timeline = build_timeline({D(2016, 1, 1): 5}, link, unit="year")
    assert (timeline.unit, timeline.bars[0].label) == ("year", "2016")


def test_bar_heights_are_proportional_and_small_counts_stay_visible():
    timeline = build_timeline({D(2000, 1, 1): 1000, D(2001, 1, 1): 500, D(2002, 1, 1): 1}, link)
    heights = [b.height for b in timeline.bars]
    assert heights[0] == BAR_AREA_HEIGHT and heights[1] == BAR_AREA_HEIGHT / 2
    assert heights[2] == 2  # a minimum, so that one article is not invisible
    assert all(b.y + b.height == BAR_AREA_HEIGHT for b in timeline.bars)


def test_many_years_label_only_some_bars_and_keep_labels_inside():
    timeline = build_timeline({D(y, 1, 1): 1 for y in range(1950, 2020)}, link)
    labelled = [b for b in timeline.bars if b.show_label]
    assert 2 <= len(labelled) <= 6
    assert all(0 < b.label_x < timeline.width for b in labelled)


def test_nothing_to_count_draws_nothing():
    timeline = build_timeline({D(2017, 1, 1): 0}, link)
    assert timeline.bars == []
    assert render_to_string("articles/_timeline.html", {"timeline": timeline}).strip() == ""


def test_the_chart_is_accessible_svg_with_a_link_per_bar():
    timeline = build_timeline({D(2015, 1, 1): 1, D(2017, 1, 1): 2}, link)
    html = render_to_string("articles/_timeline.html", {"timeline": timeline})

    assert '<figcaption id="timeline-caption">Articles per year, 2015–2017</figcaption>' in html
    assert 'role="group" aria-labelledby="timeline-caption"' in html
    links = re.findall(r'<a href="([^"]+)" aria-label="([^"]+)">', html)
    assert links == [
        ("/search/?from=2015-01-01&amp;to=2015-12-31", "2015: 1 article"),
        ("/search/?from=2017-01-01&amp;to=2017-12-31", "2017: 2 articles"),
    ]
    assert "<title>2017: 2 articles</title>" in html
    assert re.findall(r'aria-hidden="true">(\d+)</text>', html) == ["2015", "2016", "2017"]


@pytest.mark.django_db
def test_month_counts_come_from_the_database_in_one_query(django_assert_num_queries):
    ArticleFactory.create_batch(2, pub_date=D(2017, 7, 7))
    ArticleFactory(pub_date=D(2017, 7, 31))
    ArticleFactory(pub_date=D(2016, 1, 1))
    ArticleFactory(pub_date=None)
    with django_assert_num_queries(1):
        counts = Article.objects.month_counts()
    assert counts == {D(2017, 7, 1): 3, D(2016, 1, 1): 1}
