"""Phrases are matched by the archive's faster matcher (``articles.index.whoosh.backend``:
word positions as sets, two words' postings walked in one loop) exactly as Whoosh's own
phrase matcher matches them, on a real index on disk."""

import random

import pytest
from whoosh import fields, index
from whoosh.qparser import QueryParser

from articles.index.whoosh.analysis import text_analyzer
from articles.index.whoosh.backend import _our_nodes

WORDS = ["oil", "price", "united", "states", "trade", "deal", "rose", "fell", "the", "bank", "rate"]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    """600 documents of random words from a small vocabulary (many near misses), in three
    segments, some documents deleted."""
    folder = tmp_path_factory.mktemp("phrases")
    schema = fields.Schema(n=fields.ID(stored=True), text=fields.TEXT(analyzer=text_analyzer()))
    ix = index.create_in(folder, schema)
    rng = random.Random(5)
    for segment in range(3):
        with ix.writer() as writer:
            for n in range(segment * 200, segment * 200 + 200):
                words = rng.choices(WORDS, k=rng.randint(1, 40))
                writer.add_document(n=str(n), text=" ".join(words))
    with ix.writer() as writer:
        for n in range(0, 600, 7):
            writer.delete_by_term("n", str(n))
    with ix.searcher() as opened:
        yield opened


def phrase(searcher, words):
    """Whoosh's phrase query for ``words`` (analyzed as the archive analyzes text)."""
    return QueryParser("text", searcher.schema).parse(f'"{" ".join(words)}"')


def matched(searcher, query):
    return [(hit["n"], hit.score) for hit in searcher.search(query, limit=None)]


def test_phrases_match_the_documents_and_scores_whoosh_matches(searcher):
    rng, checked = random.Random(8), 0
    for words in (rng.sample(WORDS, rng.choice([2, 2, 3])) for _ in range(60)):
        stock = phrase(searcher, words)
        ours = stock.accept(_our_nodes)
        assert matched(searcher, ours) == matched(searcher, stock), words
        checked += bool(matched(searcher, stock))
    assert checked > 20  # most phrases match something


def test_two_words_are_walked_by_the_faster_matcher(searcher):
    segment = searcher.subsearchers[0][0]
    matcher = phrase(segment, ["united", "states"]).accept(_our_nodes).matcher(segment)
    assert type(matcher).__name__ == "_AdjacentWords" and matcher._pair is not None
    assert list(matcher.all_ids()) == list(phrase(segment, ["united", "states"]).docs(segment))
