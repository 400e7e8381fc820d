"""The browsing pages through Django's test client: content, links, query counts, errors."""

import datetime
import re
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path

from articles.models import Article, Person, Tag
from articles.related import related_articles
from tests.factories import ArticleFactory, PersonFactory, TagFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

D = datetime.date


def queries(client, url):
    """(response, number of database queries) for GET ``url``."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, len(captured)


def text(response):
    return response.content.decode()


@pytest.fixture
def putin_trump():
    """Three articles about two people and three tags on two days, one undated."""
    putin = PersonFactory(name="Vladimir V. Putin", sort_name="Putin, Vladimir V", slug="putin")
    trump = PersonFactory(name="Donald J. Trump", sort_name="Trump, Donald J", slug="trump")
    russia = TagFactory(name="Russia", slug="russia")
    syria = TagFactory(name="Syria", slug="syria")
    g20 = TagFactory(name="Group of Twenty", slug="group-of-twenty")
    meeting = ArticleFactory(
        title="Trump Questions Putin on Election Meddling",
        slug="trump-questions-putin",
        pub_date=D(2017, 7, 7),
        url="https://www.nytimes.com/2017/07/07/world/europe/trump-putin-g20.html",
        body="HAMBURG, Germany — President Trump met Putin.\n\nMr. Putin denied any meddling.",
        people=[trump, putin],
        tags=[russia, g20],
    )
    ceasefire = ArticleFactory(
        title="Cease-Fire in Syria",
        slug="cease-fire-in-syria",
        pub_date=D(2017, 7, 9),
        people=[putin],
        tags=[russia, syria],
    )
    older = ArticleFactory(
        title="An Older Story", slug="an-older-story", pub_date=D(2016, 3, 1), tags=[syria]
    )
    undated = ArticleFactory(title="A Story Without a Date", slug="no-date", pub_date=None)
    return {
        "putin": putin, "trump": trump, "russia": russia, "syria": syria, "g20": g20,
        "meeting": meeting, "ceasefire": ceasefire, "older": older, "undated": undated,
    }  # fmt: skip


# -- home -------------------------------------------------------------------


def test_home_shows_newest_articles_tags_people_years_and_the_search_box(client, putin_trump):
    page = text(client.get("/"))

    titles = re.findall(r'class="card-title"><a href="[^"]+">([^<]+)<', page)
    assert titles == [
        "Cease-Fire in Syria",
        "Trump Questions Putin on Election Meddling",
        "An Older Story",
        "A Story Without a Date",
    ]
    assert '<form class="site-search" role="search" action="/search/" method="get">' in page
    assert '<label for="site-search">' in page
    assert 'type="search" name="q" id="site-search" autocomplete="off"' in page
    # Most-used first, with counts, linking to their pages.
    assert page.index(">Russia <") < page.index(">Group of Twenty <")
    assert page.index(">Vladimir V. Putin <") < page.index(">Donald J. Trump <")
    assert 'href="/people/putin/"' in page and 'href="/tags/russia/"' in page
    assert 'href="/archive/2017/"' in page and 'href="/archive/2016/"' in page
    assert "Articles per year, 2016–2017" in page  # the archive's timeline


def test_home_with_an_empty_archive_says_how_to_fill_it(client):
    page = text(client.get("/"))
    assert "The archive is empty" in page
    assert "Most-used tags" not in page


def test_home_makes_the_same_few_queries_whatever_the_size_of_the_archive(client):
    ArticleFactory(tags=[TagFactory()], people=[PersonFactory()])
    _, few = queries(client, "/")
    tags, people = TagFactory.create_batch(30), PersonFactory.create_batch(30)
    for day in range(1, 29):
        ArticleFactory(pub_date=D(2017, 2, day), tags=tags[:day], people=people[:day])
    cache.clear()

    _, many = queries(client, "/")
    _, cached = queries(client, "/")

    assert many == few <= 9  # with "on this day"; ledes are read with the rows
    assert cached == 3  # the overview and "on this day" come from the cache


def test_the_home_overview_follows_changes(client, putin_trump):
    client.get("/")
    Tag.objects.filter(slug="syria").update(name="unused")  # bypasses signals: still cached
    assert ">Syria <" in text(client.get("/"))

    TagFactory(name="Brand New Tag")  # a save through the ORM drops the cache
    page = text(client.get("/"))
    assert ">unused <" in page and ">Syria <" not in page


# -- article page -----------------------------------------------------------


def test_article_page_has_everything_a_reader_needs(client, putin_trump):
    meeting = putin_trump["meeting"]
    page = text(client.get(meeting.get_absolute_url()))

    assert meeting.get_absolute_url() == "/articles/2017/07/07/trump-questions-putin/"
    assert "<h1>Trump Questions Putin on Election Meddling</h1>" in page
    assert '<time datetime="2017-07-07">Friday, July 7, 2017</time>' in page
    assert 'href="/archive/2017/07/07/"' in page
    assert "The New York Times" in page
    assert '<a class="chip chip-person" href="/people/trump/">Donald J. Trump</a>' in page
    assert '<a class="chip" href="/tags/group-of-twenty/">Group of Twenty</a>' in page
    assert "<p>HAMBURG, Germany — President Trump met Putin.</p>" in page
    assert "<p>Mr. Putin denied any meddling.</p>" in page
    assert f'href="{meeting.url}"' in page
    assert (
        '<meta name="description" content="HAMBURG, Germany — President Trump met Putin.">' in page
    )
    assert (
        '<link rel="canonical" href="http://testserver/articles/2017/07/07/trump-questions-putin/">'
        in page
    )


def test_article_page_links_the_previous_and_next_article_by_date(client, putin_trump):
    page = text(client.get(putin_trump["meeting"].get_absolute_url()))
    assert '<a rel="prev" href="/articles/2016/03/01/an-older-story/">' in page
    assert '<a rel="next" href="/articles/2017/07/09/cease-fire-in-syria/">' in page

    newest = text(client.get(putin_trump["ceasefire"].get_absolute_url()))
    assert 'rel="next"' not in newest


def test_articles_on_the_same_day_are_ordered_by_id_for_previous_and_next(client):
    first, second = ArticleFactory(pub_date=D(2017, 1, 1)), ArticleFactory(pub_date=D(2017, 1, 1))
    page = text(client.get(first.get_absolute_url()))
    assert f'<a rel="next" href="{second.get_absolute_url()}">' in page
    assert 'rel="prev"' not in page


def test_related_articles_fall_back_to_shared_people_and_tags(client, putin_trump):
    # Without an index, the articles sharing the most people (x2) and tags (x1) come first.
    def related(article):
        return [(r.article, r.reason) for r in related_articles(article)]

    assert related(putin_trump["meeting"]) == [
        (putin_trump["ceasefire"], "shares 1 person: Vladimir V. Putin; 1 tag: Russia")
    ]
    assert related(putin_trump["ceasefire"]) == [
        (putin_trump["meeting"], "shares 1 person: Vladimir V. Putin; 1 tag: Russia"),
        (putin_trump["older"], "shares 1 tag: Syria"),
    ]
    assert related(putin_trump["undated"]) == []

    page = text(client.get(putin_trump["ceasefire"].get_absolute_url()))
    related = page[page.index('id="related-heading"') :]
    assert related.index("Trump Questions Putin") < related.index("An Older Story")


def test_related_articles_come_from_the_index_when_it_has_them(client, search_index):
    summit = "Putin Trump summit Hamburg election meddling cyberattacks sanctions Crimea"
    tag = TagFactory()
    meeting = ArticleFactory(title="Trump meets Putin", body=summit, tags=[tag])
    alike = ArticleFactory(title="Putin and Trump at the summit", body=f"{summit} Kremlin")
    ArticleFactory(title="Gardening in spring", body="Tulips roses compost.", tags=[tag])

    # The index finds the article that reads alike, though it shares no person or tag.
    first = related_articles(meeting)[0]
    assert (first.article, first.reason) == (alike, "similar words")
    page = text(client.get(meeting.get_absolute_url()))
    related = page[page.index('id="related-heading"') :]
    assert related.index("Putin and Trump at the summit") < related.index("Gardening")


def test_article_page_queries_do_not_grow_with_people_and_tags(client):
    few = ArticleFactory(tags=[TagFactory()])
    ArticleFactory(tags=few.tags.all())
    _, n_few = queries(client, few.get_absolute_url())
    many = ArticleFactory(tags=TagFactory.create_batch(20), people=PersonFactory.create_batch(20))
    ArticleFactory.create_batch(10, tags=many.tags.all())
    _, n_many = queries(client, many.get_absolute_url())
    assert n_few == n_many <= 9  # related: ids, articles and (cached with them) their reasons


def test_undated_article_has_its_own_permanent_page(client, putin_trump):
    undated = putin_trump["undated"]
    assert undated.get_absolute_url() == "/articles/undated/no-date/"
    page = text(client.get(undated.get_absolute_url()))
    assert "<h1>A Story Without a Date</h1>" in page and "Undated" in page
    assert 'rel="prev"' not in page and 'rel="next"' not in page


def test_wrong_date_or_slug_is_a_404_in_the_site_style(client, putin_trump):
    for url in (
        "/articles/2017/07/08/trump-questions-putin/",
        "/articles/2017/13/07/trump-questions-putin/",
        "/articles/undated/trump-questions-putin/",
        "/people/nobody/",
        "/tags/nothing/",
        "/archive/1999/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "<h1>Page not found</h1>" in text(response)
        assert 'id="site-search"' in text(response)


def explode(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", explode), path("", include("archive.urls"))]


@pytest.mark.urls("tests.test_views")
def test_a_server_error_shows_the_sites_500_page(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    page = text(response)
    assert "<h1>Something went wrong</h1>" in page
    assert re.search(r'href="/static/css/archive\.[0-9a-f]{12}\.css"', page)


# -- names and slugs --------------------------------------------------------


def test_accented_and_non_latin_names_get_slugs_and_display(client, write_seed, seed_dir):
    write_seed("1.txt", url="https://example.com/1", keywords="Martí  José,Москва,Ñandú")
    write_seed("2.txt", url="https://example.com/2", keywords="Marti  Jose,Mосква Oblast")
    call_command("ingest", str(seed_dir), stdout=StringIO(), stderr=StringIO())

    jose = Person.objects.get(name="José Martí")
    assert jose.slug == "josé-martí"
    plain = Person.objects.get(name="Jose Marti")
    assert plain.slug != jose.slug
    moscow = Tag.objects.get(name="Москва")
    assert moscow.slug == "москва"
    for obj, name in ((jose, "José Martí"), (plain, "Jose Marti"), (moscow, "Москва")):
        response = client.get(obj.get_absolute_url())
        assert response.status_code == 200
        assert f"<h1>{name}</h1>" in text(response)
    article = Article.objects.get(url="https://example.com/1")
    assert client.get(article.get_absolute_url()).status_code == 200


def test_names_that_slugify_alike_get_distinct_slugs(client, write_seed, seed_dir):
    write_seed("1.txt", url="https://example.com/1", keywords="O'Brien  Pat,U.S.")
    write_seed("2.txt", url="https://example.com/2", keywords="OBrien  Pat,US")
    call_command("ingest", str(seed_dir), stdout=StringIO(), stderr=StringIO())

    assert sorted(Person.objects.values_list("slug", flat=True)) == ["pat-obrien", "pat-obrien-2"]
    assert sorted(Tag.objects.values_list("slug", flat=True)) == ["us", "us-2"]
    for obj in [*Person.objects.all(), *Tag.objects.all()]:
        page = text(client.get(obj.get_absolute_url()))
        assert f"<h1>{obj.name}</h1>".replace("'", "&#x27;") in page


# -- tags and people --------------------------------------------------------


def test_tags_are_listed_a_to_z_with_counts(client, putin_trump):
    TagFactory(name="États-Unis", slug="etats-unis")
    TagFactory(name="2016 Election", slug="2016-election")
    page = text(client.get("/tags/"))

    headings = re.findall(r'<h2 id="initial-\d+">([^<]+)</h2>', page)
    assert headings == ["#", "E", "G", "R", "S"]  # É files under E
    assert '<a href="/tags/russia/">Russia</a> <span class="count">2</span>' in page
    assert '<a href="/tags/etats-unis/">États-Unis</a> <span class="count">0</span>' in page
    assert "5 tags" in page


def test_tags_filter_box_and_sort_by_count(client, putin_trump):
    page = text(client.get("/tags/", {"q": "s", "sort": "count"}))
    names = re.findall(r'<li><a href="/tags/[^"]+">([^<]+)</a>', page)
    assert names == ["Russia", "Syria"]  # both have 2 articles; then by name
    assert "2 tags matching “s”" in page
    assert '<option value="count" selected>' in page

    page = text(client.get("/tags/", {"q": "twenty"}))
    assert re.findall(r'<li><a href="/tags/[^"]+">([^<]+)</a>', page) == ["Group of Twenty"]

    TagFactory(name="Москва")  # SQLite's LIKE folds only ASCII case
    page = text(client.get("/tags/", {"q": "москва"}))
    assert re.findall(r'<li><a href="/tags/[^"]+">([^<]+)</a>', page) == ["Москва"]


def test_people_are_sorted_by_last_name(client):
    for name in ["Angela Merkel", "Ana Xu", "Abe Zimmer", "Zoe Adams"]:
        first, last = name.split()
        PersonFactory(name=name, sort_name=f"{last}, {first}")
    page = text(client.get("/people/"))
    names = re.findall(r'<li><a href="/people/[^"]+">([^<]+)</a>', page)
    assert names == ["Zoe Adams", "Angela Merkel", "Ana Xu", "Abe Zimmer"]
    assert re.findall(r'<h2 id="initial-\d+">([^<]+)</h2>', page) == ["A", "M", "X", "Z"]


@pytest.mark.parametrize("url", ["/tags/", "/tags/?sort=count", "/people/"])
def test_directories_are_paginated_with_constant_queries(client, url, monkeypatch):
    monkeypatch.setattr("articles.views.DirectoryView.paginate_by", 10)
    TagFactory(), PersonFactory()
    _, one = queries(client, url)
    for tag, person in zip(
        TagFactory.create_batch(25), PersonFactory.create_batch(25), strict=True
    ):
        ArticleFactory(tags=[tag], people=[person])

    page, many = queries(client, url)
    assert one == many == 3  # count, page, the letters that have entries
    assert "Page 1 of 3" in text(page)
    last = text(client.get(url + ("&" if "?" in url else "?") + "page=3"))
    assert len(re.findall(r'<li><a href="/(?:tags|people)/[^"]+/"', last)) == 6


def test_tag_page_lists_its_articles_newest_first_with_what_occurs_with_it(client, putin_trump):
    page = text(client.get("/tags/russia/"))

    assert "<h1>Russia</h1>" in page and "2 articles" in page
    titles = re.findall(r'class="card-title"><a href="[^"]+">([^<]+)<', page)
    assert titles == ["Cease-Fire in Syria", "Trump Questions Putin on Election Meddling"]
    side = page[page.index('class="subject-side"') :]
    assert side.index("Vladimir V. Putin <") < side.index("Donald J. Trump <")
    assert '>Syria <span class="count">1</span>' in side
    assert ">Russia <" not in side  # not listed as occurring with itself
    assert "Articles per month, July 2017" in page
    assert 'href="/search/?tag=russia&amp;from=2017-07-01&amp;to=2017-07-31"' in page
    assert (
        'type="application/atom+xml" title="The Archive: Russia" href="/tags/russia/feed/"' in page
    )


def test_person_page_works_the_same(client, putin_trump):
    page = text(client.get("/people/putin/"))
    assert "<h1>Vladimir V. Putin</h1>" in page and "2 articles" in page
    assert 'href="/search/?person=putin"' in page
    side = page[page.index('class="subject-side"') :]
    assert '>Russia <span class="count">2</span>' in side
    assert "Donald J. Trump" in side and "Vladimir V. Putin <" not in side


def test_subject_pages_make_constant_queries(client, monkeypatch):
    monkeypatch.setattr("articles.views.SubjectDetailView.paginate_by", 5)
    tag = TagFactory()
    ArticleFactory(tags=[tag, TagFactory()], people=[PersonFactory()])
    _, one = queries(client, tag.get_absolute_url())
    others, people = TagFactory.create_batch(10), PersonFactory.create_batch(10)
    for month in range(1, 13):
        ArticleFactory(pub_date=D(2016, month, 1), tags=[tag, *others], people=people)

    page, many = queries(client, tag.get_absolute_url())
    assert one == many <= 10  # ledes are read with the rows
    assert "Page 1 of 3" in text(page)


def test_subject_pages_follow_changes_though_their_summary_is_cached(client, putin_trump):
    assert "Donald J. Trump" not in text(client.get("/tags/syria/")).split("subject-side")[1]
    putin_trump["older"].people.add(putin_trump["trump"])  # m2m_changed moves the version
    side = text(client.get("/tags/syria/")).split("subject-side")[1]
    assert '>Donald J. Trump <span class="count">1</span>' in side


def test_a_merged_away_slug_redirects_to_the_survivor(client):
    from articles.models import PersonAlias, TagAlias

    tag, person = TagFactory(slug="usa"), PersonFactory(slug="trump")
    TagAlias.objects.create(tag=tag, key="us", slug="us", name="US")
    PersonAlias.objects.create(person=person, key="trump, don", slug="don-trump", name="Don")
    assert client.get("/tags/us/").headers["Location"] == "/tags/usa/"
    response = client.get("/people/don-trump/")
    assert response.status_code == 301 and response.headers["Location"] == "/people/trump/"


# -- dates ------------------------------------------------------------------


def test_year_page_lists_its_months_and_articles(client, putin_trump):
    page = text(client.get("/archive/2017/"))
    assert "<h1>Articles of 2017</h1>" in page
    assert '<a href="/archive/2017/07/">July</a>' in page
    assert '<a rel="prev" href="/archive/2016/">' in page
    assert "Articles per month, July 2017" in page
    assert 'href="/archive/2017/07/"' in page
    assert "An Older Story" not in page and "Cease-Fire in Syria" in page


def test_month_page_has_a_calendar_linking_the_days_with_articles(client, putin_trump):
    page = text(client.get("/archive/2017/07/"))
    calendar = page[page.index('<table class="calendar">') : page.index("</table>")]
    links = re.findall(
        r'<a href="(/archive/2017/07/\d\d/)" aria-label="([^"]+)"><span class="day-number">'
        r'(\d+)</span> <span class="day-count">(\d+)</span></a>',
        calendar,
    )
    assert links == [
        ("/archive/2017/07/07/", "July 7: 1 article", "7", "1"),
        ("/archive/2017/07/09/", "July 9: 1 article", "9", "1"),
    ]
    assert '<td><span class="day-number">31</span></td>' in calendar
    assert calendar.count("<tr>") == 7  # header + 6 weeks (July 2017 starts on a Saturday)
    assert "Trump Questions Putin" in page


def test_day_page_lists_that_days_articles(client, putin_trump):
    page = text(client.get("/archive/2017/07/07/"))
    assert '<h1>Friday, July 7, 2017<span class="heading-count">: 1 article</span></h1>' in page
    assert "Trump Questions Putin" in page and "Cease-Fire" not in page
    assert '<a rel="next" href="/archive/2017/07/09/">' in page


@pytest.mark.parametrize("url", ["/archive/2017/", "/archive/2017/02/", "/archive/2017/02/03/"])
def test_date_pages_make_constant_queries(client, url):
    ArticleFactory(pub_date=D(2017, 2, 3), tags=[TagFactory()])
    _, one = queries(client, url)
    ArticleFactory.create_batch(
        15, pub_date=D(2017, 2, 3), tags=TagFactory.create_batch(5), people=[PersonFactory()]
    )
    _, many = queries(client, url)
    assert one == many <= 9  # ledes are read with the rows


@pytest.mark.django_db
def test_the_lists_newest_first_order_is_read_from_an_index_not_sorted():
    """At 100,000 articles a sort of every article costs ~80 ms a list page on PostgreSQL."""
    sql, params = Article.objects.newest_first().for_listing()[:20].query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: as at scale
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "Sort" not in plan and "TEMP B-TREE" not in plan, plan


def test_a_tags_timeline_reads_its_articles_dates_by_id():
    """At 100,000 articles PostgreSQL otherwise hashes every article's date for a tag's
    timeline (15 ms a page where reading its 1,270 articles' dates takes 5)."""
    tag = TagFactory()
    with CaptureQueriesContext(connection) as captured:
        tag.articles.month_and_undated_counts()  # (as the tag page's timeline counts)
    (query,) = captured.captured_queries
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:  # a tiny table: as at scale, where only the index joins cheaply
            for plan in ("seqscan", "hashjoin", "mergejoin", "bitmapscan"):
                cursor.execute(f"SET LOCAL enable_{plan} = off")
        cursor.execute(f"{'EXPLAIN' if postgresql else 'EXPLAIN QUERY PLAN'} {query['sql']}")
        plan = " ".join(str(row) for row in cursor.fetchall())
    if postgresql:
        assert "Index Only Scan using article_dates_by_id" in plan, plan
    else:
        assert "SCAN articles_article " not in plan + " ", plan  # each looked up by row id


def test_the_article_list_is_paginated_with_constant_queries(client, monkeypatch):
    monkeypatch.setattr("articles.views.ArticleListView.paginate_by", 5)
    ArticleFactory()
    _, one = queries(client, "/articles/")
    ArticleFactory.create_batch(11, tags=TagFactory.create_batch(3))
    page, many = queries(client, "/articles/")
    assert one == many == 5  # count, undated count, page (ledes with the rows), people, tags
    assert "Page 1 of 3" in text(page)


# -- robots, sitemaps, static files -----------------------------------------


def test_sitemap_lists_every_article_tag_and_person(client, putin_trump):
    index = text(client.get("/sitemap.xml"))
    sections = re.findall(r"<loc>http://testserver(/sitemap-[a-z]+\.xml)</loc>", index)
    assert sorted(sections) == [
        "/sitemap-articles.xml", "/sitemap-pages.xml", "/sitemap-people.xml", "/sitemap-tags.xml"
    ]  # fmt: skip
    locations = set()
    for section in sections:
        locations |= set(
            re.findall(r"<loc>http://testserver([^<]+)</loc>", text(client.get(section)))
        )
    for obj in [*Article.objects.all(), *Person.objects.all(), *Tag.objects.all()]:
        assert obj.get_absolute_url() in locations
    assert {"/", "/tags/", "/people/"} <= locations


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Sitemap: http://testserver/sitemap.xml" in text(response)
    assert "User-agent: *" in text(response)


def test_stylesheet_has_a_cache_busting_name_and_no_page_uses_a_cdn(client, putin_trump):
    urls = ["/", "/tags/", "/people/putin/", putin_trump["meeting"].get_absolute_url()]
    for url in urls:
        page = text(client.get(url))
        assert re.search(
            r'<link rel="stylesheet" href="/static/css/archive\.[0-9a-f]{12}\.css">', page
        )
        assert not re.search(r'<(?:link rel="stylesheet"|script|img)[^>]+="(?:https?:)?//', page)
    assert (
        "@media print"
        in (
            __import__("pathlib").Path(__file__).parent.parent / "static/css/archive.css"
        ).read_text()
    )
