"""Recent answers of the embedded index are kept until the index changes
(``articles/index/whoosh/answers.py``, as Solr's query result cache): the same search again
is not run again, and is never answered from an older index than it would read."""

import pytest
from haystack.query import SearchQuerySet
from whoosh.searching import Searcher

from articles.index.whoosh import bulk
from articles.index.whoosh.answers import KeptAnswers
from tests.factories import ArticleFactory
from tests.test_admin import post_change


@pytest.fixture
def runs(monkeypatch):
    """The searches the index runs: scored in bulk, or by Whoosh's searcher."""
    ran = []
    run, run_in_bulk = Searcher.search_with_collector, bulk.search

    def counted(searcher, query, collector, context=None):
        ran.append(query)
        return run(searcher, query, collector, context)

    def counted_in_bulk(searcher, query, *args, **kwargs):
        ran.append(query)
        return run_in_bulk(searcher, query, *args, **kwargs)

    monkeypatch.setattr(Searcher, "search_with_collector", counted)
    monkeypatch.setattr(bulk, "search", counted_in_bulk)
    return ran


def api_search(client, **params):
    response = client.get("/api/search/", params)
    assert response.status_code == 200
    return response.json()


def titles(answer):
    return sorted(result["title"] for result in answer["results"])


def test_the_same_search_again_is_answered_without_running_it(client, search_index, runs):
    ArticleFactory(title="Oil prices rise", body="Crude oil rose on Monday in London.")
    ArticleFactory(title="Wheat harvest", body="The wheat harvest was late this year.")
    first = api_search(client, q="oil")
    ran = len(runs)
    again = api_search(client, q="oil")
    assert len(runs) == ran
    assert again == first
    assert titles(api_search(client, q="wheat")) == ["Wheat harvest"]  # another search runs
    assert len(runs) > ran


def test_a_change_to_the_index_is_seen_by_the_next_search(client, search_index, editor):
    oil = ArticleFactory(title="Oil prices rise", body="Crude oil rose on Monday in London.")
    assert titles(api_search(client, q="oil")) == ["Oil prices rise"]

    ArticleFactory(title="Oil output falls", body="Oil output fell in the North Sea.")
    assert titles(api_search(client, q="oil")) == ["Oil output falls", "Oil prices rise"]

    post_change(editor, oil, title="Crude oil prices rise")
    assert titles(api_search(client, q="oil")) == ["Crude oil prices rise", "Oil output falls"]


def test_each_search_gets_results_of_its_own(search_index):
    ArticleFactory(title="Oil prices rise", body="Crude oil rose on Monday in London.")
    first = SearchQuerySet().auto_query("oil")[:20]
    first[0].title = "changed by one request"
    assert SearchQuerySet().auto_query("oil")[:20][0].title == "Oil prices rise"


@pytest.fixture
def none_kept(settings):
    settings.SEARCH_ANSWERS_KEPT = 0


def test_with_none_kept_every_search_runs(none_kept, client, search_index, runs):
    ArticleFactory(title="Oil prices rise", body="Crude oil rose on Monday in London.")
    api_search(client, q="oil")
    ran = len(runs)
    api_search(client, q="oil")
    assert len(runs) > ran


def test_the_least_recently_used_answer_goes_first_and_a_new_searcher_forgets_all():
    searcher, reopened = object(), object()
    answers = KeptAnswers(2)
    answers.keep(searcher, "oil", 1)
    answers.keep(searcher, "wheat", 2)
    assert answers.get(searcher, "oil") == 1  # now the most recently used
    answers.keep(searcher, "gold", 3)
    assert [answers.get(searcher, key) for key in ("oil", "wheat", "gold")] == [1, None, 3]
    assert answers.get(reopened, "oil") is None  # kept by another searcher
    answers.keep(reopened, "tin", 4)
    assert answers.get(searcher, "gold") is None
    assert answers.get(reopened, "tin") == 4
