"""The index and our backend: schema, queries, facets, highlights, spelling, more-like-this."""

import datetime

import pytest
from haystack.inputs import Exact
from haystack.query import SearchQuerySet
from whoosh import query as wquery
from whoosh.matching.mcore import LeafMatcher
from whoosh.reading import SegmentReader

from articles.ingest import find_files, ingest_files
from articles.models import Article, Person, Tag
from tests.conftest import REAL_SEED


def make_article(title, body, people=(), tags=(), pub_date=datetime.date(2017, 7, 7), **kw):
    """An article saved through the ORM, with people ``(name, slug)`` and tag names."""
    slug = kw.pop("slug", title.lower().replace(" ", "-")[:50])
    article = Article.objects.create(
        url=f"https://example.com/{slug}", title=title, slug=slug, body=body, pub_date=pub_date
    )
    for name in people:
        key = name.lower()
        person, _ = Person.objects.get_or_create(
            key=key,
            defaults={
                "name": name,
                "source_name": name,
                "sort_name": name,
                "slug": key.replace(" ", "-").replace(".", ""),
            },
        )
        article.people.add(person)
    for name in tags:
        tag, _ = Tag.objects.get_or_create(
            key=name.lower(), defaults={"name": name, "slug": name.lower().replace(" ", "-")}
        )
        article.tags.add(tag)
    return article


def titles(sqs):
    return sorted(result.title for result in sqs)


@pytest.fixture
def archive(search_index):
    """Four small articles, indexed."""
    return {
        "putin": make_article(
            "Putin meets Trump",
            "The presidents met in Hamburg.\n\nElections were discussed at length.",
            people=["Vladimir V. Putin", "Donald J. Trump"],
            tags=["Russia", "Elections, Presidential"],
        ),
        "merkel": make_article(
            "Merkel hosts the summit",
            "Chancellor Angela Merkel welcomed the leaders to the Élysée-free summit.",
            people=["Angela Merkel"],
            tags=["Germany"],
            pub_date=datetime.date(2016, 3, 1),
        ),
        "cafe": make_article(
            "Café culture in Vienna",
            "A <b>bold</b> café owner & friends; the coffee is strong.",
            tags=["Austria"],
            pub_date=datetime.date(2017, 1, 15),
        ),
        "undated": make_article("Undated note", "Nothing about presidents here.", pub_date=None),
    }


def test_house_at_a_restored_paragraph_boundary_finds_the_seed(search_index):
    ingest_files(find_files([REAL_SEED]))
    results = SearchQuerySet().auto_query("House").highlight()
    assert [r.url for r in results] == [
        "https://www.nytimes.com/2017/07/07/world/europe/trump-putin-g20.html"
    ]
    assert "White <mark>House</mark>." in results[0].highlighted["text"][0]


def test_words_are_stemmed_and_case_and_accent_insensitive(archive):
    assert titles(SearchQuerySet().auto_query("election")) == ["Putin meets Trump"]
    assert titles(SearchQuerySet().auto_query("CAFE")) == ["Café culture in Vienna"]
    assert titles(SearchQuerySet().auto_query("elysee")) == ["Merkel hosts the summit"]


def test_people_and_tags_names_are_searchable_by_field(archive):
    assert titles(SearchQuerySet().filter(person_names="vladimir")) == ["Putin meets Trump"]
    assert titles(SearchQuerySet().filter(tag_names="germany")) == ["Merkel hosts the summit"]
    # Names are also in the document text.
    assert titles(SearchQuerySet().auto_query("Angela")) == ["Merkel hosts the summit"]


def test_phrases_do_not_match_across_the_parts_of_the_document(search_index):
    """Title | each person | each tag | body: a phrase matches within one part only."""
    make_article(
        "Care for health",
        "Care first, then the bill.",
        people=["Anna Health", "Care Jones"],
        tags=["Public Health"],
    )
    make_article("Policy", "Health care costs rose again.", slug="policy")

    def phrase(text, **field):
        return titles(SearchQuerySet().filter(**(field or {"content": Exact(text)})))

    # ...health | Anna Health | Care Jones | Public Health | Care first...
    assert phrase("health care") == ["Policy"]
    assert phrase("public health") == ["Care for health"]
    assert phrase("health care", person_names=Exact("health care")) == []
    assert phrase("anna health", person_names=Exact("anna health")) == ["Care for health"]


def test_results_carry_what_a_card_needs_without_the_database(archive, django_assert_num_queries):
    with django_assert_num_queries(0):
        result = SearchQuerySet().auto_query("Hamburg")[0]
    assert result.title == "Putin meets Trump"
    assert result.permalink == archive["putin"].get_absolute_url()
    assert result.url == "https://example.com/putin-meets-trump"
    assert result.pub_date == datetime.date(2017, 7, 7)
    # Names and slugs in the same order; a comma inside a value does not split it.
    assert sorted(zip(result.person_names, result.people, strict=True)) == [
        ("Donald J. Trump", "donald-j-trump"),
        ("Vladimir V. Putin", "vladimir-v-putin"),
    ]
    assert sorted(zip(result.tag_names, result.tags, strict=True)) == [
        ("Elections, Presidential", "elections,-presidential"),
        ("Russia", "russia"),
    ]
    assert "body" not in result.get_additional_fields()  # used for snippets, not shipped


def test_filters_by_slug_with_in_and_exact(archive):
    assert titles(SearchQuerySet().filter(people__in=["angela-merkel"])) == [
        "Merkel hosts the summit"
    ]
    assert titles(SearchQuerySet().filter(people="vladimir-v-putin")) == ["Putin meets Trump"]
    assert titles(SearchQuerySet().filter(tags__exact="elections,-presidential")) == [
        "Putin meets Trump"
    ]
    assert titles(SearchQuerySet().auto_query("summit").filter(tags__in=["russia"])) == []


def test_date_range_and_sort(archive):
    newest = SearchQuerySet().all().order_by("-pub_date")
    assert [r.title for r in newest] == [
        "Putin meets Trump",
        "Café culture in Vienna",
        "Merkel hosts the summit",
        "Undated note",
    ]
    oldest = SearchQuerySet().all().order_by("pub_date")
    assert oldest[0].title == "Merkel hosts the summit"
    since = SearchQuerySet().filter(pub_date__gte=datetime.date(2017, 1, 1))
    assert titles(since) == ["Café culture in Vienna", "Putin meets Trump"]


def test_facets_count_the_whole_result_set_and_equal_the_filtered_counts(archive):
    for extra in range(25):
        make_article(
            f"Summit note {extra}",
            "A summit note.",
            people=["Angela Merkel"],
            pub_date=datetime.date(2015, 1 + extra % 12, 1),
        )
    sqs = SearchQuerySet().auto_query("summit").facet("people").facet("year").facet("month")
    counts = sqs.facet_counts()["fields"]
    assert dict(counts["people"]) == {"angela-merkel": 26}
    assert dict(counts["year"]) == {2015: 25, 2016: 1}
    assert dict(counts["month"])["2015-01"] == 3
    assert sqs.count() == 26
    for slug, count in counts["people"]:
        assert sqs.filter(people__in=[slug]).count() == count
    # A narrowed search counts only what it finds.
    narrowed = SearchQuerySet().auto_query("summit").filter(year=2016).facet("people")
    assert narrowed.facet_counts()["fields"]["people"] == [("angela-merkel", 1)]


@pytest.mark.parametrize(("order", "facets"), [(None, True), (None, False), ("-pub_date", True)])
def test_a_page_with_its_total_and_facets_runs_the_query_once(archive, monkeypatch, order, facets):
    """Total, facets and top hits from one pass (Whoosh's top-N collector needs three)."""
    for extra in range(30):
        make_article(f"Summit note {extra}", "A summit note, summit after summit.")
    sqs = SearchQuerySet().auto_query("summit").filter(pub_date__gte=datetime.date(2000, 1, 1))
    sqs = sqs.facet("year") if facets else sqs
    sqs = sqs.order_by(order) if order else sqs
    runs = []
    matcher = wquery.Term.matcher

    def counting_matcher(term, searcher, context=None):
        if term.fieldname == "text":
            runs.append(searcher)
        return matcher(term, searcher, context)

    monkeypatch.setattr(wquery.Term, "matcher", counting_matcher)
    page = list(sqs[:5])
    assert len(page) == 5
    assert sqs.count() == 31
    if facets:
        assert dict(sqs.facet_counts()["fields"]["year"]) == {2017: 30, 2016: 1}
    # Each segment searched once (read from the searcher that ran: a background compaction
    # may swap segments once there are many, as here, one per save).
    assert len(runs) == len(set(runs)) > 1


def test_a_search_for_no_result_counts_without_ranking(archive, monkeypatch):
    """``sqs[:0]`` (how trends count): the total and the facets of every match, unscored."""
    for extra in range(30):
        make_article(
            f"Summit {extra}", "A summit.", pub_date=datetime.date(2015, 1 + extra % 12, 1)
        )
    search = SearchQuerySet().auto_query("summit").filter(year__in=[2015, 2016]).facet("month")
    ranked, counted = search._clone(), search._clone()
    scored = []
    score = LeafMatcher.score
    monkeypatch.setattr(LeafMatcher, "score", lambda self: scored.append(self) or score(self))

    assert len(list(ranked[:5])) == 5 and scored
    scored.clear()
    assert counted[:0] == []
    assert counted.count() == ranked.count() == 31
    assert counted.facet_counts() == ranked.facet_counts()
    assert dict(counted.facet_counts()["fields"]["month"])["2015-01"] == 3
    assert not scored


def test_match_all_reads_no_word_of_the_body(archive, monkeypatch):
    """Haystack's ``*`` (a bare ``SearchQuerySet``, or filters only) is every document, not a
    walk over every word of the document field (seconds at 20,000 articles)."""
    read = []
    postings = SegmentReader.postings

    def counting_postings(reader, fieldname, text, *args, **kwargs):
        read.append(fieldname)
        return postings(reader, fieldname, text, *args, **kwargs)

    monkeypatch.setattr(SegmentReader, "postings", counting_postings)
    everything = SearchQuerySet().facet("tags").order_by("-pub_date")
    assert everything.count() == 4 and everything[0].title == "Putin meets Trump"
    assert SearchQuerySet().filter(people__in=["angela-merkel"]).count() == 1
    assert "text" not in read


def test_highlights_mark_matches_and_escape_everything_else(archive):
    result = SearchQuerySet().auto_query("coffee").highlight()[0]
    snippet = result.highlighted["text"][0]
    assert "<mark>coffee</mark>" in snippet
    assert "&lt;b&gt;bold&lt;/b&gt;" in snippet and "&amp;" in snippet
    assert "<b>" not in snippet


def test_highlight_finds_stemmed_forms_far_into_the_body(search_index):
    body = "Filler words here. " * 200 + "The elections were close."
    make_article("Long", body)
    snippet = SearchQuerySet().auto_query("election").highlight()[0].highlighted["text"][0]
    assert "<mark>elections</mark>" in snippet
    assert snippet.startswith("…")


def test_spelling_suggestion_only_when_little_is_found(archive):
    assert SearchQuerySet().auto_query("Putn").spelling_suggestion() == "putin"
    assert SearchQuerySet().auto_query("Merkle").spelling_suggestion() == "merkel"
    assert SearchQuerySet().auto_query("summit").spelling_suggestion() is None


def test_facets_come_from_the_searcher_that_found_the_documents(archive, search_index, monkeypatch):
    """A spelling suggestion (a search finding little) may refresh the searcher when the index
    changed meanwhile (as when a compaction swaps segments); the facets are still counted
    over the documents the search found, in the segments it found them in."""
    suggest = search_index.create_spelling_suggestion

    def index_changed_meanwhile(query_string):
        search_index.clear()  # one commit: the next searcher has no documents
        return suggest(query_string)

    monkeypatch.setattr(search_index, "create_spelling_suggestion", index_changed_meanwhile)
    sqs = SearchQuerySet().auto_query("vienna").facet("month")
    assert sqs.count() == 1  # little found: a suggestion is looked for
    assert sqs.facet_counts()["fields"]["month"] == [("2017-01", 1)]


def test_autocomplete_over_titles_and_names(archive):
    assert titles(SearchQuerySet().autocomplete(autocomplete="Merk")) == ["Merkel hosts the summit"]
    assert titles(SearchQuerySet().autocomplete(autocomplete="vlad")) == ["Putin meets Trump"]


def test_more_like_this(archive):
    similar = make_article(
        "Putin and Trump again",
        "The presidents met again in Hamburg to discuss elections.",
        people=["Vladimir V. Putin"],
    )
    related = SearchQuerySet().more_like_this(archive["putin"])
    assert related[0].pk == str(similar.pk)
    assert str(archive["putin"].pk) not in [r.pk for r in related]


def test_searcher_is_kept_open_until_the_index_changes(archive):
    SearchQuerySet().auto_query("summit").count()
    searcher = search_backend().searcher()
    SearchQuerySet().auto_query("coffee").count()
    assert search_backend().searcher() is searcher
    make_article("Another summit", "Summit.")
    assert search_backend().searcher() is not searcher
    assert SearchQuerySet().auto_query("summit").count() == 2


def search_backend():
    from haystack import connections

    return connections["default"].get_backend()


def test_narrow_and_models_restrict_results(archive):
    narrowed = SearchQuerySet().all().narrow("people:(angela-merkel)")
    assert titles(narrowed) == ["Merkel hosts the summit"]
    assert SearchQuerySet().models(Article).auto_query("coffee").count() == 1


@pytest.mark.parametrize(
    ("url", "engine", "options"),
    [
        (None, "articles.index.whoosh.backend.ArchiveWhooshEngine", {"INCLUDE_SPELLING": True}),
        (
            "elasticsearch://search.example:9200/news",
            "haystack.backends.elasticsearch7_backend.Elasticsearch7SearchEngine",
            {"URL": "http://search.example:9200", "INDEX_NAME": "news"},
        ),
        (
            "solr://solr.example:8983/solr/archive",
            "haystack.backends.solr_backend.SolrEngine",
            {"URL": "http://solr.example:8983/solr/archive"},
        ),
    ],
)
def test_haystack_url_selects_the_engine(url, engine, options):
    from archive.settings import haystack_connection

    connection = haystack_connection(url)
    assert connection["ENGINE"] == engine
    assert options.items() <= connection.items()


def test_haystack_url_with_an_unknown_scheme_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    from archive.settings import haystack_connection

    with pytest.raises(ImproperlyConfigured, match="elasticsearch://, solr:// or whoosh:///path"):
        haystack_connection("mysql://db/archive")


def test_haystacks_own_commands_and_remove_go_through_our_writer(archive):
    from django.core.management import call_command

    search_backend().remove(archive["cafe"])
    assert SearchQuerySet().auto_query("coffee").count() == 0
    call_command("clear_index", interactive=False, verbosity=0)
    assert SearchQuerySet().all().count() == 0
    call_command("update_index", verbosity=0)
    assert SearchQuerySet().all().count() == 4
    assert titles(SearchQuerySet().auto_query("coffee")) == ["Café culture in Vienna"]
