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
    timeline = build_timeline({D(2016, 2, 1): 4, D(2016, 4, 1): 1, D(2016, 6, 1): 2}, link)

    assert timeline.unit == "month"
    assert timeline.caption == "Articles per month, February 2016 – June 2016"
    assert len(timeline.bars) == 5
    assert (timeline.bars[0].label, timeline.bars[0].tick, timeline.bars[0].url) == (
        "Feb 2016",
        "Feb",  # the axis says the month; the caption and the link's name the year too
        "/search/?from=2016-02-01&to=2016-02-29",  # the last day of a leap February
    )
    assert [b.count for b in timeline.bars[:3]] == [4, 0, 1]


def test_long_empty_stretches_are_collapsed_into_one_break():
    timeline = build_timeline({D(1987, 3, 1): 900, D(2016, 5, 1): 3, D(2017, 7, 1): 6}, link)

    assert [(b.kind, b.label, b.count) for b in timeline.bars] == [
        ("count", "1987", 900),
        ("gap", "1988–2015", 0),  # 28 empty years: one break, not 28 slivers
        ("count", "2016", 3),
        ("count", "2017", 6),
    ]
    assert timeline.bars[1].url is None and timeline.has_gap
    assert timeline.caption == "Articles per year, 1987–2017"
    html = render_to_string("articles/_timeline.html", {"timeline": timeline})
    assert '<g class="gap" role="img" aria-label="1988–2015: no articles">' in html

    months = build_timeline({D(2016, 1, 1): 1, D(2016, 2, 1): 1, D(2016, 9, 1): 1}, link)
    assert [b.label for b in months.bars] == [
        "Jan 2016",
        "Feb 2016",
        "Mar 2016–Aug 2016",
        "Sep 2016",
    ]


def test_short_empty_stretches_stay_empty_columns():
    timeline = build_timeline({D(2010, 1, 1): 1, D(2013, 1, 1): 1}, link)
    assert [(b.kind, b.label) for b in timeline.bars] == [
        ("count", "2010"), ("count", "2011"), ("count", "2012"), ("count", "2013"),
    ]  # fmt: skip


def test_the_chart_is_as_big_as_its_data():
    single = build_timeline({D(2017, 7, 1): 3}, link)
    assert single.width <= 100 and single.height <= 100  # not a 640 x 200 banner
    many = build_timeline({D(y, 1, 1): 1 for y in range(1950, 2020)}, link)
    assert many.width == 400


def test_undated_articles_get_a_bar_of_their_own():
    timeline = build_timeline({D(2017, 7, 1): 2}, link, undated=5, undated_url="/search/?undated=1")
    undated = timeline.bars[-1]
    assert (undated.kind, undated.label, undated.count, undated.url) == (
        "undated", "Undated", 5, "/search/?undated=1",
    )  # fmt: skip
    assert undated.height == BAR_AREA_HEIGHT  # the tallest here
    assert undated.slot_x > timeline.bars[0].slot_x + timeline.bars[0].slot_width  # set apart
    assert timeline.caption == "Articles per month, July 2017, and undated"
    assert timeline.total == 7
    html = render_to_string("articles/_timeline.html", {"timeline": timeline})
    assert 'href="/search/?undated=1" aria-label="Undated: 5 articles"' in html

    only = build_timeline({}, link, undated=1, undated_url="/search/?undated=1")
    assert [b.label for b in only.bars] == ["Undated"]
    assert only.caption == "Articles per year, undated only"


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
    links = re.findall(r'<a class="column" href="([^"]+)" aria-label="([^"]+)">', html)
    assert links == [
        ("/search/?from=2015-01-01&amp;to=2015-12-31", "2015: 1 article"),
        ("/search/?from=2017-01-01&amp;to=2017-12-31", "2017: 2 articles"),
    ]
    assert "<title>2017: 2 articles</title>" in html
    assert re.findall(r'aria-hidden="true">(\d+)</text>', html) == ["2015", "2016", "2017"]
    # The whole column is the link: a hit area of the full height, its label included.
    assert '<rect class="hit" x="0" y="0" width="44" height="100">' in html
    # And the same counts as a table, for those who do not see the chart.
    assert (
        '<th scope="row"><a href="/search/?from=2015-01-01&amp;to=2015-12-31">2015</a></th>' in html
    )
    assert "<td>0</td>" in html  # 2016


@pytest.mark.django_db
def test_month_counts_come_from_the_database_in_one_query(django_assert_num_queries):
    ArticleFactory.create_batch(2, pub_date=D(2017, 7, 7))
    ArticleFactory(pub_date=D(2017, 7, 31))
    ArticleFactory(pub_date=D(2016, 1, 1))
    ArticleFactory(pub_date=None)
    with django_assert_num_queries(1):
        counts = Article.objects.month_counts()
    assert counts == {D(2017, 7, 1): 3, D(2016, 1, 1): 1}
