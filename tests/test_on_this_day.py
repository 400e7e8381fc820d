"""“On this day”: the articles of a day and month in earlier years (the day passed in), and the
home page's section."""

import datetime

import pytest
from django.utils import timezone

from articles.on_this_day import ON_THIS_DAY_LIMIT, on_this_day
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

D = datetime.date


def titles(articles):
    return [article.title for article in articles]


def test_the_same_day_and_month_in_earlier_years_newest_first():
    for title, day in [
        ("2015", D(2015, 7, 7)),
        ("2016, first", D(2016, 7, 7)),
        ("2016, second", D(2016, 7, 7)),
        ("this year", D(2017, 7, 7)),
        ("the day after", D(2016, 7, 8)),
        ("the month after", D(2016, 8, 7)),
    ]:
        ArticleFactory(title=title, pub_date=day)
    ArticleFactory(title="undated", pub_date=None)

    assert titles(on_this_day(D(2017, 7, 7))) == ["2016, second", "2016, first", "2015"]
    assert titles(on_this_day(D(2016, 8, 7))) == []
    assert on_this_day(D(2017, 7, 9)) == []


def test_at_most_a_few():
    for year in range(2000, 2012):
        ArticleFactory(pub_date=D(year, 3, 1))
    found = on_this_day(D(2020, 3, 1))
    assert [a.pub_date.year for a in found] == list(range(2011, 2011 - ON_THIS_DAY_LIMIT, -1))


def test_the_29th_of_february_only_in_leap_years():
    ArticleFactory(title="leap day", pub_date=D(2016, 2, 29))
    ArticleFactory(title="the day before", pub_date=D(2015, 2, 28))
    assert titles(on_this_day(D(2020, 2, 29))) == ["leap day"]
    assert titles(on_this_day(D(2017, 2, 28))) == ["the day before"]
    assert on_this_day(D(2017, 3, 1)) == []


def test_cached_until_the_archive_changes(django_assert_num_queries):
    ArticleFactory(title="a year ago", pub_date=D(2016, 7, 7))
    on_this_day(D(2017, 7, 7))
    with django_assert_num_queries(0):
        assert titles(on_this_day(D(2017, 7, 7))) == ["a year ago"]
    ArticleFactory(title="two years ago", pub_date=D(2015, 7, 7))
    assert titles(on_this_day(D(2017, 7, 7))) == ["a year ago", "two years ago"]


def test_the_home_page_shows_todays(client):
    today = timezone.localdate()
    earlier = today.replace(year=today.year - 4)  # a leap year too, if today is February 29
    article = ArticleFactory(title="Four Years Ago Today", pub_date=earlier)
    page = client.get("/").content.decode()
    assert '<h2 id="on-this-day-heading">On this day</h2>' in page
    assert f"{today:%B} {today.day} in earlier years" in page
    assert (
        f'href="/archive/{earlier:%Y/%m/%d}/"><time datetime="{earlier}">{earlier.year}</time>'
        in page
    )
    assert f'href="{article.get_absolute_url()}">Four Years Ago Today</a>' in page


def test_the_home_page_says_nothing_without_any(client):
    today = timezone.localdate()
    ArticleFactory(pub_date=(today - datetime.timedelta(days=1)).replace(year=2016))  # leap
    assert "On this day" not in client.get("/").content.decode()
