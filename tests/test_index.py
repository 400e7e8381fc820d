"""The index and our backend: phrases, facets, one pass per query, highlights, more-like-this,
the searcher, the engine setting, haystack's commands; queries that only read are in
``tests/test_index_queries.py``."""

import datetime
import random
import runpy
import shutil
from collections import Counter

import pytest
from django.db import transaction
from haystack import connections
from haystack.inputs import Exact
from haystack.query import SearchQuerySet
from whoosh import query as wquery

from articles.index.whoosh import bulk
from articles.index.whoosh.backend import _InMemoryLengths
from articles.ingest import find_files, ingest_files
from articles.models import Article, Person, Tag
from tests.conftest import REAL_SEED, REPO


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


def build_archive():
    """Four small articles: two people on one, a comma in a tag, accents, markup, no date."""
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


@pytest.fixture
def archive(search_index):
    """``build_archive()``, indexed (in one commit), for a test that adds to it."""
    with transaction.atomic():
        return build_archive()


def test_house_at_a_restored_paragraph_boundary_finds_the_seed(search_index):
    ingest_files(find_files([REAL_SEED]))
    results = SearchQuerySet().auto_query("House").highlight()
    assert [r.url for r in results] == [
        "https://www.nytimes.com/2017/07/07/world/europe/trump-putin-g20.html"
    ]
    assert "White <mark>House</mark>." in results[0].highlighted["text"][0]


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


def test_facets_count_the_whole_result_set_and_equal_the_filtered_counts(archive):
    with transaction.atomic():
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
    with transaction.atomic():
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
    # Each segment (here two: the archive's and the notes') searched once.
    assert len(runs) == len(set(runs)) > 1


def test_a_search_for_no_result_counts_without_ranking(archive, monkeypatch):
    """``sqs[:0]`` (how trends count): the total and the facets of every match, unscored."""
    for extra in range(30):
        make_article(
            f"Summit {extra}", "A summit.", pub_date=datetime.date(2015, 1 + extra % 12, 1)
        )
    search = SearchQuerySet().auto_query("summit").filter(year__in=[2015, 2016]).facet("month")
    ranked, counted = search._clone(), search._clone()
    scored = []  # the words a scorer was made for
    scorer = _InMemoryLengths.scorer
    monkeypatch.setattr(
        _InMemoryLengths, "scorer", lambda *args, **kw: scored.append(args) or scorer(*args, **kw)
    )

    assert len(list(ranked[:5])) == 5 and scored
    scored.clear()
    assert counted[:0] == []
    assert counted.count() == ranked.count() == 31
    assert counted.facet_counts() == ranked.facet_counts()
    assert dict(counted.facet_counts()["fields"]["month"])["2015-01"] == 3
    assert not scored


def test_highlight_finds_stemmed_forms_far_into_the_body(search_index):
    body = "Filler words here. " * 200 + "The elections were close."
    make_article("Long", body)
    snippet = SearchQuerySet().auto_query("election").highlight()[0].highlighted["text"][0]
    assert "<mark>elections</mark>" in snippet
    assert snippet.startswith("…")


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


def test_facets_of_a_search_matching_most_articles_count_its_matches_alone(search_index):
    """Counted at once from arrays of every document's values when a search matches most of
    the archive: an edited article's old document, a deleted article (both deleted in the
    index after the counts were first asked) and the articles without the word are not
    counted."""
    rng = random.Random(3)
    with transaction.atomic():
        made = [
            make_article(
                f"Report {n}",
                "The summit talks went on." if n % 5 else "The harvest was late.",
                tags=rng.sample(["Energy", "Trade", "Farming"], rng.randint(0, 2)),
                pub_date=datetime.date(2010 + n % 4, 1 + n % 3, 1),
            )
            for n in range(40)
        ]
    search = SearchQuerySet().auto_query("summit").facet("tags").facet("month")
    assert search.facet_counts()["fields"]["tags"]  # (each segment's table of values built)
    made[1].tags.clear()
    made[1].title = "Report one, revised"
    made[1].save()  # (its document replaced: the old one deleted in the index)
    made[2].delete()
    counts = search._clone().facet_counts()["fields"]

    matching = Article.objects.filter(body__contains="summit").prefetch_related("tags")
    assert search.count() == len(matching) == 31
    assert dict(counts["month"]) == Counter(f"{a.pub_date:%Y-%m}" for a in matching)
    assert dict(counts["tags"]) == Counter(t.slug for a in matching for t in a.tags.all())


class FakeWorker:
    """What gunicorn's ``post_worker_init`` hands the hook: a heartbeat and a log."""

    def __init__(self):
        self.beats, self.errors, self.said = 0, [], []
        self.log = self

    def notify(self):
        self.beats += 1

    def exception(self, message):
        self.errors.append(message)

    def info(self, message, *args):
        self.said.append(message % args)


def gunicorn_hook(name):
    return runpy.run_path(str(REPO / "gunicorn.conf.py"))[name]


def test_a_worker_warmed_builds_nothing_at_its_first_search(archive):
    """What ``post_worker_init`` builds is what a first search (facets, a correction) needs."""
    worker = FakeWorker()
    gunicorn_hook("post_worker_init")(worker)
    assert worker.beats > 1 and not worker.errors
    assert worker.said[0].startswith("search index warmed in ")
    backend = connections["default"].get_backend()
    built = (dict(backend._values.tables), dict(backend._values.joined))
    vocabularies = dict(backend._vocabularies.merged)
    ranks = dict(bulk.RANKS.kept)
    assert built[0] and vocabularies
    assert {name for _, name in ranks} == {("-pub_date",), ("pub_date",)}

    found = SearchQuerySet().auto_query("summit")
    for facet in ("tags", "people", "year", "month"):
        found = found.facet(facet)
    assert [result.title for result in found[:5]] == ["Merkel hosts the summit"]
    assert dict(found.facet_counts()["fields"]["tags"]) == {"germany": 1}
    corrected = SearchQuerySet().auto_query("summitt")
    assert corrected.count() == 0 and corrected.spelling_suggestion() == "summit"
    newest = SearchQuerySet().auto_query("presidents").order_by("-pub_date")
    assert [result.title for result in newest[:5]] == ["Putin meets Trump", "Undated note"]
    assert bulk.RANKS.kept == ranks
    assert (backend._values.tables, backend._values.joined) == built
    assert backend._vocabularies.merged == vocabularies


def test_a_worker_serves_even_if_the_index_cannot_be_warmed(search_index):
    shutil.rmtree(search_index.path)
    worker = FakeWorker()
    gunicorn_hook("post_worker_init")(worker)
    assert worker.errors == ["the search index could not be warmed; serving without"]
    assert not worker.said
