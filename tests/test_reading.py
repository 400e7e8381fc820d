"""What makes lists scannable and articles citable: display titles, ledes, publications,
days on one page, citations, highlighted search words, descriptions and facets' "more"."""

import datetime
import re

import pytest

from articles.citations import apa, bibtex, bibtex_escape, chicago, mla
from articles.highlighting import highlight_terms, highlighted
from articles.models import Article
from articles.titles import display_title, highlighted_title, is_all_caps
from tests.factories import ArticleFactory, TagFactory

D = datetime.date
WIRE = "USX <X> DEBT DOWGRADED BY MOODY'S"

pytestmark = pytest.mark.usefixtures("fresh_cache")


def text(response):
    assert response.status_code == 200
    return response.content.decode()


# -- titles ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        (WIRE, "USX <X> Debt Dowgraded by Moody's"),
        ("BONUS WHEAT FLOUR FOR NORTH YEMEN -- USDA", "Bonus Wheat Flour for North Yemen -- USDA"),
        (
            "UNITED PRESIDENTIAL CORP <UPCO> 4TH QTR NET",
            "United Presidential Corp <UPCO> 4th Qtr Net",
        ),
        ("U.S. WHEAT BONUS TO SOVIET CALLED DORMANT", "U.S. Wheat Bonus to Soviet Called Dormant"),
        ("<DALE BURDETT INC> FACES DAMAGE CLAIM", "<Dale Burdett Inc> Faces Damage Claim"),
        (
            "GUNZE SANGYO SETS 25 MLN SWISS FRANC NOTES",
            "Gunze Sangyo Sets 25 Mln Swiss Franc Notes",
        ),
        ("Trump Wins the Presidency", "Trump Wins the Presidency"),  # not ALL CAPS: as it is
        ("NATO", "NATO"),  # too short to tell
    ],
)
def test_all_caps_titles_are_shown_in_title_case(title, shown):
    assert display_title(title) == shown


def test_only_all_caps_titles_are_recased():
    assert is_all_caps("OPEC OUTPUT RISES") and not is_all_caps("Opec output rises in MARCH")


def test_marks_move_onto_the_display_title_and_everything_else_is_escaped():
    marked = "USX &lt;X&gt; <mark>DEBT</mark> DOWGRADED BY <mark>MOODY&#x27;S</mark>"
    assert highlighted_title(WIRE, marked) == (
        "USX &lt;X&gt; <mark>Debt</mark> Dowgraded by <mark>Moody&#x27;s</mark>"
    )
    # Marks that do not line up with the title (cut short by the engine): shown unmarked.
    assert (
        highlighted_title(WIRE, "<mark>USX</mark> …")
        == "USX &lt;X&gt; Debt Dowgraded by Moody&#x27;s"
    )
    assert highlighted_title("<b>x</b> bold", None) == "&lt;b&gt;x&lt;/b&gt; bold"


@pytest.mark.django_db
def test_lists_show_the_display_title_and_the_article_the_headline_as_published(client):
    article = ArticleFactory(title=WIRE, publication="", pub_date=D(1987, 2, 26))
    home = text(client.get("/"))
    assert "USX &lt;X&gt; Debt Dowgraded by Moody&#x27;s</a>" in home
    page = text(client.get(article.get_absolute_url()))
    assert "<h1>USX &lt;X&gt; Debt Dowgraded by Moody&#x27;s</h1>" in page
    assert 'Headline as published:</span> <span lang="en">USX &lt;X&gt; DEBT DOWGRADED' in page
    assert Article.objects.get(pk=article.pk).title == WIRE  # stored as the source gave it


# -- ledes and publications ---------------------------------------------------


@pytest.mark.django_db
def test_every_list_shows_a_one_line_lede_and_the_publication_only_when_there_is_one(client):
    tag = TagFactory(name="Oil", slug="oil")
    ArticleFactory(
        title="Oil rises",
        body="NEW YORK, Feb 26 - Crude oil rose sharply.\n\nTraders said so.",
        publication="",
        tags=[tag],
        pub_date=D(1987, 2, 26),
    )
    ArticleFactory(title="Oil falls", publication="The New York Times", tags=[tag],
                   pub_date=D(1987, 2, 26))  # fmt: skip
    for url in ["/", "/articles/", "/tags/oil/", "/archive/1987/", "/archive/1987/02/",
                "/archive/1987/02/26/"]:  # fmt: skip
        page = text(client.get(url))
        assert "NEW YORK, Feb 26 - Crude oil rose sharply.</" in page, url
        assert "Traders said so" not in page, url  # the first paragraph only
    home = text(client.get("/"))
    assert '· <span class="publication">The New York Times</span>' in home
    assert re.search(r'<time datetime="1987-02-26">February 26, 1987</time></p>', home)  # no " · "


@pytest.mark.django_db
def test_a_long_first_paragraph_is_cut_at_a_word():
    article = ArticleFactory(body="word " * 200)
    listed = Article.objects.for_listing().get(pk=article.pk)
    assert listed.lede.endswith("word…") and len(listed.lede) < 330


@pytest.mark.django_db
def test_a_lede_follows_its_body_however_the_body_is_written(client):
    article = ArticleFactory(body="Old opening.\n\nMore.", pub_date=D(1987, 2, 26))
    Article.objects.filter(pk=article.pk).update(body="New opening.\n\nMore.")  # no save()
    assert Article.objects.for_listing().get(pk=article.pk).lede == "New opening."
    assert "New opening.</" in text(client.get("/archive/1987/02/"))


# -- days and months ----------------------------------------------------------


@pytest.mark.django_db
def test_a_day_lists_all_its_articles_on_one_page_compactly_without_repeating_the_date(client):
    for n in range(25):
        ArticleFactory(title=f"Wire story {n:02d}", pub_date=D(1987, 3, 31))
    page = text(client.get("/archive/1987/03/31/"))
    assert (
        '<h1>Tuesday, March 31, 1987<span class="heading-count">: 25 articles</span></h1>' in page
    )
    assert len(re.findall(r'class="card card-compact"', page)) == 25
    assert "Page 1 of" not in page
    assert "March 31, 1987</time>" not in page  # the cards leave out the page's date


@pytest.mark.django_db
def test_the_month_leads_with_its_calendar_then_goes_day_by_day(client):
    for n in range(5):
        ArticleFactory(title=f"Story {n}", pub_date=D(1987, 3, 2))
    ArticleFactory(title="Later story", pub_date=D(1987, 3, 9))
    page = text(client.get("/archive/1987/03/"))
    assert '<h1>March 1987<span class="heading-count">: 6 articles</span></h1>' in page
    assert page.index('<table class="calendar">') < page.index("Story 0")
    assert '<span class="day-number">2</span> <span class="day-count">5</span>' in page
    assert "Story 2" in page and "Story 3" not in page  # the first three of the day
    assert "All 5 articles of March 2 ›" in page
    assert page.index("Monday, March 2") < page.index("Monday, March 9")  # oldest day first


# -- citations ----------------------------------------------------------------


def wire_article(**fields):
    values = {
        "title": WIRE, "publication": "", "pub_date": D(1987, 2, 26),
        "url": "urn:reuters-21578:newid:8", "slug": "usx-x-debt-dowgraded-by-moodys",
    } | fields  # fmt: skip
    return Article(**values)


PERMALINK = "https://archive.example/articles/1987/02/26/usx-x-debt-dowgraded-by-moodys/"
TIMES = {
    "title": "Trump Wins the Presidency in a Stunning Upset",
    "publication": "The New York Times",
    "pub_date": D(2016, 11, 9),
    "url": "https://www.nytimes.com/2016/11/09/us/election.html",
    "slug": "trump-wins",
}


def test_apa_chicago_and_mla_for_a_newspaper_article():
    article = wire_article(**TIMES)
    assert apa(article, PERMALINK).text == (
        "Trump Wins the Presidency in a Stunning Upset. (2016, November 9). The New York Times. "
        "https://www.nytimes.com/2016/11/09/us/election.html"
    )
    assert str(apa(article, PERMALINK).html).count("<i>The New York Times</i>") == 1
    assert chicago(article, PERMALINK).text == (
        "The New York Times. “Trump Wins the Presidency in a Stunning Upset.” November 9, 2016. "
        "https://www.nytimes.com/2016/11/09/us/election.html."
    )
    assert mla(article, PERMALINK).text == (
        "“Trump Wins the Presidency in a Stunning Upset.” The New York Times, 9 Nov. 2016, "
        "https://www.nytimes.com/2016/11/09/us/election.html."
    )


def test_citations_of_a_wire_story_known_by_an_identifier_use_the_archives_address():
    article = wire_article()
    assert apa(article, PERMALINK).text == (
        f"{WIRE}. (1987, February 26). The Archive. [urn:reuters-21578:newid:8] {PERMALINK}"
    )
    assert mla(article, PERMALINK).text == (
        f"“{WIRE}.” The Archive, 26 Feb. 1987, urn:reuters-21578:newid:8, {PERMALINK}."
    )
    assert "<i>The Archive</i>" in chicago(article, PERMALINK).html
    assert "&lt;X&gt;" in str(apa(article, PERMALINK).html)  # escaped
    undated = wire_article(pub_date=None)
    assert "(n.d.)" in apa(undated, PERMALINK).text and "n.d." in chicago(undated, PERMALINK).text


def test_bibtex():
    assert bibtex(wire_article(**TIMES), PERMALINK) == (
        "@article{trump-wins-2016,\n"
        "  title = {{Trump Wins the Presidency in a Stunning Upset}},\n"
        "  journal = {The New York Times},\n"
        "  year = {2016},\n"
        "  month = nov,\n"
        "  date = {2016-11-09},\n"
        "  url = {https://www.nytimes.com/2016/11/09/us/election.html},\n"
        "}\n"
    )
    entry = bibtex(wire_article(), PERMALINK)
    assert entry.startswith("@misc{usx-x-debt-dowgraded-by-moodys-1987,\n")
    assert "  howpublished = {The Archive},\n" in entry
    assert "  note = {urn:reuters-21578:newid:8},\n" in entry
    assert bibtex_escape("50% & $3 {x} #1_a\\b") == r"50\% \& \$3 \{x\} \#1\_a\textbackslash{}b"


@pytest.mark.django_db
def test_the_article_page_offers_citations_and_a_bibtex_download(client):
    article = ArticleFactory(**{**TIMES, "title": "A & B <script>"})
    page = text(client.get(article.get_absolute_url()))
    for style in ("APA", "Chicago", "MLA", "BibTeX"):
        assert f">{style}</figcaption>" in page
    assert "A &amp; B &lt;script&gt;" in page and "<script>" not in page.split("<footer")[0]
    response = client.get(article.get_absolute_url(), {"format": "bibtex"})
    assert response["Content-Type"] == "application/x-bibtex"
    assert response["Content-Disposition"] == 'attachment; filename="trump-wins-2016.bib"'
    assert response.content.decode().startswith("@article{trump-wins-2016,")


@pytest.mark.django_db
def test_urn_sources_are_identifiers_and_web_sources_links(client):
    wire = ArticleFactory(url="urn:reuters-21578:newid:8", publication="")
    page = text(client.get(wire.get_absolute_url()))
    assert '<code class="identifier">urn:reuters-21578:newid:8</code>' in page
    assert 'href="urn:' not in page
    web = ArticleFactory(url="https://example.com/a.html")
    assert '<a href="https://example.com/a.html" rel="noopener">' in text(
        client.get(web.get_absolute_url())
    )


# -- search words in the text --------------------------------------------------


def test_highlight_terms_follow_the_query_language():
    assert highlight_terms('putin "cease fire" -trump presid* title:summit') == [
        ("putin", False), ("cease", False), ("fire", False), ("presid", True), ("summit", False),
    ]  # fmt: skip
    assert highlight_terms("x" * 1000) == [("x" * 200, False)]


def test_highlighting_marks_word_forms_and_escapes_everything_else():
    terms = highlight_terms("election <script>")
    html = highlighted("Elections & <script>alert(1)</script> — the election's day", terms)
    assert html == (
        "<mark>Elections</mark> &amp; &lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>"
        "&gt; — the <mark>election&#x27;s</mark> day"
    )
    assert highlighted("Zürich", highlight_terms("zurich")) == "<mark>Zürich</mark>"
    # Word forms, as the search engine's stemming finds them; not words that share a start.
    assert highlighted("ratings rates rating rather", highlight_terms("ratings")) == (
        "<mark>ratings</mark> <mark>rates</mark> <mark>rating</mark> rather"
    )


@pytest.mark.django_db
def test_the_article_page_marks_the_words_and_links_back_to_the_results(client):
    article = ArticleFactory(body="The Kremlin said the summit went well.\n\nNothing else.")
    page = text(
        client.get(
            article.get_absolute_url(),
            {"highlight": "summit <b>", "results": "q=summit&tag=russia&page=2"},
        )
    )
    assert "<p>The Kremlin said the <mark>summit</mark> went well.</p>" in page
    assert (
        '<a href="/search/?q=summit&amp;tag=russia&amp;page=2">‹ Back to the search results</a>'
        in page
    )
    assert "&lt;b&gt;" not in page  # the words are only used to mark, never shown raw
    # The way back can only lead to the search page, whatever it is given.
    evil = text(client.get(article.get_absolute_url(), {"results": "//evil.example/?q=x"}))
    assert re.search(r'<a href="/search/\?[^"]*">‹ Back', evil)
    assert "evil.example" not in evil.split("<footer")[0].split("Back to the search")[0][-200:]


# -- descriptions and facets ---------------------------------------------------


@pytest.mark.django_db
def test_descriptions_show_on_the_page_and_in_the_directory(client):
    TagFactory(
        name="acq", slug="acq", description="Company acquisitions and mergers.\n\nA wire code."
    )
    page = text(client.get("/tags/acq/"))
    assert '<div class="subject-description"><p>Company acquisitions and mergers.</p>' in page
    assert (
        '<meta name="description" content="Company acquisitions and mergers. A wire code.">' in page
    )
    directory = text(client.get("/tags/"))
    assert (
        '<span class="entry-description">Company acquisitions and mergers. A wire code.</span>'
        in directory
    )


def test_facets_carry_descriptions_and_more_than_twelve_values(client, search_index):
    tags = [TagFactory(name=f"Topic {n:02d}", slug=f"topic-{n:02d}") for n in range(15)]
    tags[0].description = "The first topic <explained>."
    tags[0].save()
    tags[1].name = 'Topic 01 & "others"'
    tags[1].save()
    for n, tag in enumerate(tags):
        ArticleFactory.create_batch(1 + (15 - n) // 5, title=f"Story about {n}", tags=[tag])
    page = text(client.get("/search/", {"q": "story"}))
    facet = page[page.index('id="facet-tags"') :]
    assert re.search(
        r'<a href="[^"]+" rel="nofollow" title="The first topic &lt;explained&gt;\." '
        r'aria-describedby="facet-tags-topic-00">Topic 00</a>'
        r'<span hidden id="facet-tags-topic-00">',
        facet,
    )
    assert '>Topic 01 &amp; &quot;others&quot;</a> <span class="count">3</span></li>' in facet
    assert '<details class="facet-more">' in facet
    assert "<summary>3 more <span" in facet
    more = facet[facet.index('<details class="facet-more">') : facet.index("</details>")]
    assert len(re.findall(r"<li>", more)) == 3
    data = client.get("/api/search/", {"q": "story"}).json()
    assert len(data["facets"]["tags"]) == 15
    assert data["facets"]["tags"][0]["description"] == "The first topic <explained>."
