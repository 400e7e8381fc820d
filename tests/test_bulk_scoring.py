"""The bulk scorer (``articles.index.whoosh.bulk``) finds the matches Whoosh's matchers find,
with the same scores to the last bit and in the same order, on real indexes on disk: small
segments with deleted documents, and a segment large enough for Whoosh's tree of unions."""

import random
from datetime import datetime

import pytest
from whoosh import fields, index
from whoosh import query as wq
from whoosh.qparser import QueryParser

from articles.index.whoosh import bulk
from articles.index.whoosh.analysis import text_analyzer
from articles.index.whoosh.backend import (
    _InMemoryLengths,
    _our_nodes,
    _SegmentValues,
    _with_every_match,
    sort_facet,
)

WORDS = [
    "oil", "price", "united", "states", "trade", "deal", "rose", "fell", "the", "bank",
    "banks", "banking", "rate", "rates", "market", "gold", "pride", "prime", "print", "prison",
]  # fmt: skip
TAGS = ["energy", "finance", "politics", "sport"]


def build(folder, segments, seed, most_words=30):
    """An index of random documents, ``segments`` a list of document counts, every 7th
    document of all deleted when there is more than one segment."""
    schema = fields.Schema(
        n=fields.ID(stored=True, unique=True),
        text=fields.TEXT(analyzer=text_analyzer()),
        tags=fields.KEYWORD(commas=True),
        date=fields.DATETIME(sortable=True),
    )
    ix = index.create_in(folder, schema)
    rng, n = random.Random(seed), 0
    for count in segments:
        with ix.writer() as writer:
            for _ in range(count):
                words = rng.choices(WORDS, k=rng.randint(1, most_words))
                tags = ",".join(rng.sample(TAGS, rng.randint(0, 2)))
                dated = {"date": datetime(2000 + rng.randint(0, 9), 1, 1)} if n % 9 else {}
                writer.add_document(n=str(n), text=" ".join(words), tags=tags, **dated)
                n += 1
    if len(segments) > 1:
        with ix.writer() as writer:
            for deleted in range(0, n, 7):
                writer.delete_by_term("n", str(deleted))
    return ix


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """900 documents in three segments (Whoosh ORs in an array there), some deleted."""
    ix = build(tmp_path_factory.mktemp("small"), [300, 300, 300], seed=5)
    with ix.searcher() as searcher:
        yield searcher


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """One segment of more than ``OR_TREE_ABOVE`` documents (Whoosh ORs by a tree there)."""
    folder = tmp_path_factory.mktemp("large")
    ix = build(folder, [bulk.OR_TREE_ABOVE + 200], seed=6, most_words=6)
    with ix.searcher() as searcher:
        yield searcher


@pytest.fixture(scope="module")
def in_memory_lengths(tmp_path_factory):
    """Three segments searched as the backend searches them: each document's length read from
    a table kept per segment, which the bulk scorer reads as an array."""
    ix = build(tmp_path_factory.mktemp("lengths"), [300, 300, 300], seed=8)
    with ix.searcher(weighting=_InMemoryLengths(_SegmentValues())) as searcher:
        yield searcher


def parse(searcher, text):
    return QueryParser("text", searcher.schema).parse(text).accept(_our_nodes)


def random_queries(searcher, seed, count=80):
    """Words, prefixes, ORs (boosted, as more-like-this asks), ANDs with words left out,
    phrases and mixes of them, as the search page and more-like-this send them."""
    rng = random.Random(seed)

    def word():
        return rng.choice(WORDS)

    shapes = [
        lambda: word(),
        lambda: f"{word()[:3]}*",
        lambda: "pri*",  # five words
        lambda: f"{word()} OR {word()} OR {word()}",
        lambda: f"{word()} OR {word()}",
        lambda: f"{word()} {word()}",
        lambda: f"{word()} {word()} {word()}",
        lambda: f"{word()} AND NOT {word()}",
        lambda: f"{word()} {word()} AND NOT {word()} AND NOT {word()}",
        lambda: f'"{word()} {word()}"',
        lambda: f'"{word()} {word()} {word()}"',
        lambda: f'"{word()} {word()}" {word()}',
        lambda: f"({word()} OR {word()}) {word()[:2]}* AND NOT {word()}",
        lambda: f"{word()} tags:{rng.choice(TAGS)}",
    ]
    queries = [parse(searcher, rng.choice(shapes)()) for _ in range(count)]
    queries = [q for q in queries if type(q) is not wq.Not]  # ("the AND NOT oil": Whoosh's)
    queries += [
        wq.Or([wq.Term("text", word(), boost=rng.uniform(0.1, 1)) for _ in range(6)])
        for _ in range(count // 4)
    ]
    return [*queries, wq.Every()]


def whoosh_search(searcher, query, limit, allowed=None, sortedby=None):
    """What the backend's own collector answers: every match scored (or sorted), the top
    ``limit``."""
    collector = _with_every_match(
        searcher.collector(limit=limit, filter=allowed, sortedby=sortedby)
    )
    searcher.search_with_collector(query, collector)
    return collector.results()


def assert_same(ours, theirs):
    assert ours is not None
    assert ours.top_n == theirs.top_n  # documents, scores (exactly) and order
    assert ours.docs() == theirs.docs() and len(ours) == len(theirs)


@pytest.mark.parametrize("segments", ["small", "large", "in_memory_lengths"])
def test_matches_scores_and_order_are_whooshs(segments, request):
    searcher = request.getfixturevalue(segments)
    matched = 0
    for query in random_queries(searcher, seed=len(segments), count=60):
        for limit in (1, 10):
            assert_same(bulk.search(searcher, query, limit), whoosh_search(searcher, query, limit))
        matched += bool(len(whoosh_search(searcher, query, 1)))
    assert matched > 45  # most queries find something


def test_filters_and_counts_are_whooshs(small):
    allowed = wq.Term("tags", "finance")
    for query in random_queries(small, seed=11, count=30):
        assert_same(bulk.search(small, query, 5, allowed), whoosh_search(small, query, 5, allowed))
        assert bulk.search(small, query, 0).docs() == set(small.docs_for_query(query))


@pytest.mark.parametrize("ranked", [False, True])
@pytest.mark.parametrize("order", [["date"], ["-date"], ["-date", "n"]])
def test_sorted_searches_are_whooshs(small, order, ranked, monkeypatch):
    """Newest or oldest first, as the search page sorts (a document without a date last);
    from every match's key, or from the segments' ranks in that order."""
    ranks = bulk.SortRanks()
    monkeypatch.setattr(bulk, "RANKS", ranks)
    sortedby = sort_facet(small.schema, order)
    name = tuple(order) if ranked else None
    for query in random_queries(small, seed=13, count=20):
        for limit in (1, 10):
            assert_same(
                bulk.search(small, query, limit, sortedby=sortedby, sort_name=name),
                whoosh_search(small, query, limit, sortedby=sortedby),
            )
    assert len(ranks.kept) == (len(small.leaf_searchers()) if ranked else 0)


@pytest.mark.parametrize("limit", [10**9, 3200])  # all kept; a few, the least recently used out
def test_postings_kept_decoded_give_the_same_answers(small, monkeypatch, limit):
    kept = bulk.DecodedPostings(limit=limit, smallest=1)
    monkeypatch.setattr(bulk, "DECODED", kept)
    for query in random_queries(small, seed=17, count=30):
        for _ in range(2):  # decoded, then (if still kept) read from what is kept
            assert_same(bulk.search(small, query, 10), whoosh_search(small, query, 10))
    assert kept.kept and (kept.bytes <= limit or len(kept.kept) == 1)
    assert kept.bytes == sum(map(bulk._bytes, kept.kept.values()))


@pytest.mark.parametrize("segments", ["small", "in_memory_lengths"])
def test_phrases_of_common_words_are_matched_on_kept_positions(segments, request, monkeypatch):
    """Phrases of words kept decoded with their positions: in ANDs, beside a word left out,
    filtered, with deleted documents; the same answers when read again from what is kept."""
    searcher = request.getfixturevalue(segments)
    kept = bulk.DecodedPostings(limit=10**9, smallest=1)
    monkeypatch.setattr(bulk, "DECODED", kept)
    allowed = wq.Term("tags", "finance")
    found = 0
    for text in (
        '"united states"',
        '"oil price rose"',
        '"rates fell" bank',
        '"trade deal" AND NOT gold',
        '"the market rose"',  # (a stop word: the phrase of the other two)
        '"oil oil"',
    ):
        query = parse(searcher, text)
        for _ in range(2):
            assert_same(bulk.search(searcher, query, 10), whoosh_search(searcher, query, 10))
            assert_same(
                bulk.search(searcher, query, 5, allowed),
                whoosh_search(searcher, query, 5, allowed),
            )
        found += len(whoosh_search(searcher, query, 1)) > 0
    assert found >= 5
    assert any(type(entry) is bulk.WordPositions for entry in kept.kept.values())


def test_more_like_this_neither_keeps_nor_reads_decoded_postings(small, monkeypatch):
    kept = bulk.DecodedPostings(limit=10**9, smallest=1)
    monkeypatch.setattr(bulk, "DECODED", kept)
    query = wq.Or([wq.Term("text", word, boost=0.5) for word in ("oil", "gold", "bank")])
    answer = bulk.search(small, query, 6, keep_decoded=False)
    assert_same(answer, whoosh_search(small, query, 6))
    assert not kept.kept


def test_queries_it_cannot_score_as_whoosh_are_left_to_whoosh(small):
    for query in (
        wq.Every("text"),
        wq.FuzzyTerm("text", "banks"),
        wq.Not(wq.Term("text", "oil")),
        wq.Or([wq.Term("text", "oil"), wq.Term("text", "gold")], scale=0.5),
        wq.And([wq.Term("text", "oil"), wq.FuzzyTerm("text", "golds")]),
        wq.Phrase("text", ["oil", "price"], slop=2),
    ):
        assert bulk.search(small, query, 10) is None, query


def test_deleted_documents_are_never_found(small):
    found = bulk.search(small, parse(small, "oil OR gold OR bank"), 0)
    stored = {small.stored_fields(docnum)["n"] for docnum in found.docs()}
    assert stored and not {str(n) for n in range(0, 900, 7)} & stored  # (every 7th deleted)
