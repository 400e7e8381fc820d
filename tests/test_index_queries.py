"""Queries through haystack against our backend: words, fields, card fields, slug filters,
dates, match-all, highlights, spelling, autocomplete, narrowing. Every test reads one
archive, built once for the module (``shared_archive``)."""

import datetime

import pytest
from haystack.query import SearchQuerySet
from whoosh.reading import SegmentReader

from articles.models import Article
from tests.test_index import build_archive, titles

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def archive(shared_archive):
    return shared_archive(build_archive)


def test_words_are_stemmed_and_case_and_accent_insensitive(archive):
    assert titles(SearchQuerySet().auto_query("election")) == ["Putin meets Trump"]
    assert titles(SearchQuerySet().auto_query("CAFE")) == ["Café culture in Vienna"]
    assert titles(SearchQuerySet().auto_query("elysee")) == ["Merkel hosts the summit"]


def test_people_and_tags_names_are_searchable_by_field(archive):
    assert titles(SearchQuerySet().filter(person_names="vladimir")) == ["Putin meets Trump"]
    assert titles(SearchQuerySet().filter(tag_names="germany")) == ["Merkel hosts the summit"]
    # Names are also in the document text.
    assert titles(SearchQuerySet().auto_query("Angela")) == ["Merkel hosts the summit"]


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


def test_spelling_suggestion_only_when_little_is_found(archive):
    assert SearchQuerySet().auto_query("Putn").spelling_suggestion() == "putin"
    assert SearchQuerySet().auto_query("Merkle").spelling_suggestion() == "merkel"
    assert SearchQuerySet().auto_query("summit").spelling_suggestion() is None


def test_autocomplete_over_titles_and_names(archive):
    assert titles(SearchQuerySet().autocomplete(autocomplete="Merk")) == ["Merkel hosts the summit"]
    assert titles(SearchQuerySet().autocomplete(autocomplete="vlad")) == ["Putin meets Trump"]


def test_narrow_and_models_restrict_results(archive):
    narrowed = SearchQuerySet().all().narrow("people:(angela-merkel)")
    assert titles(narrowed) == ["Merkel hosts the summit"]
    assert SearchQuerySet().models(Article).auto_query("coffee").count() == 1
