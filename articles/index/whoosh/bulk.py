"""A search's matches scored a block of postings at a time, as Lucene's ``BulkScorer`` does.

Whoosh scores one document at a time through a tree of matchers: several µs of Python calls
a match, 300-900 ms for a word or a phrase found in half of 100,000 articles. The queries
the search page sends most are scored here a segment at a time instead:

- a word, and words OR'd (a prefix such as ``bank*`` is its words OR'd);
- words AND'd, some of them left out (``oil -opec``);
- a phrase of adjacent words (Whoosh's ``Phrase`` with ``slop=1``).

A word's postings are read as whole blocks (the ids, weights and positions Whoosh stores
together); the blocks of an AND's other parts that hold none of its candidates are skipped
unread, as Whoosh's ``skip_to`` skips them. Each match is scored with Whoosh's BM25F,
operation for operation, and the scores are added up in the order of the tree of matchers
Whoosh would build, so the matches, their scores and their order (score, then document
number) are Whoosh's: ``tests/test_bulk_scoring.py`` compares them on random indexes. Any
other query, or another scorer, gets ``None``: Whoosh's matchers run it as before.

The blocks are read through ``W3LeafMatcher``'s block methods (``_read_ids``,
``_next_block``...): Whoosh 2.7.4 is pinned and no longer changes.
"""

import heapq
import pickle
import threading
from array import array
from bisect import bisect_right, insort
from collections import OrderedDict
from contextlib import suppress
from itertools import accumulate
from operator import add
from typing import NamedTuple

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.formats import Positions
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25FScorer, WeightScorer
from whoosh.searching import Results
from whoosh.sorting import MultiFacet
from whoosh.system import _INT_SIZE

#: What a ``Not`` inside an AND adds to each match's score (its ``InverseMatcher``'s weight).
NOT_SCORE = 1.0
#: An OR of more than two parts is Whoosh's binary tree of unions in a segment of more
#: documents than this, and its array of scores (``PreloadedOr``) in a smaller one.
OR_TREE_ABOVE = 5000


class _Unsupported(Exception):
    """The query has a part not scored here as Whoosh would score it: Whoosh runs it."""


def search(searcher, query, limit, allowed=None, sortedby=None, sort_name=None, keep_decoded=True):
    """Whoosh ``Results`` of ``query``: the ``limit`` best (by score, then document number)
    and every match (``results.docs()``, ``len(results)``); None when Whoosh must run it.

    ``limit=0`` asks for the matches alone (a count, facets): nothing is scored.
    ``allowed`` is a filter query, as ``Searcher.search(filter=...)`` takes it.
    ``sortedby`` (a Whoosh sort facet) orders the matches by their keys instead, unscored,
    as Whoosh's ``SortingCollector`` does (the key in the place of the score); with
    ``sort_name`` (what names that order, e.g. ``("-pub_date",)``), by each segment's ranks
    in that order, kept (``RANKS``).
    ``keep_decoded=False`` neither keeps nor reads the common words' decoded postings
    (``DECODED``): more-like-this, whose words differ from article to article.
    """
    try:
        allow = searcher._filter_to_comb(allowed) if allowed is not None else None
        keys = _sort_keys(searcher, sortedby) if limit and sortedby is not None else None
        everything, best = set(), []
        for subsearcher, offset in searcher.leaf_searchers():
            scored = limit > 0 and keys is None
            segment = _Segment(searcher, subsearcher, scored, DECODED if keep_decoded else None)
            found = segment.evaluate(query)
            for docnum in segment.deleted:
                found.pop(docnum, None)
            if allow is not None:
                found = {d: s for d, s in found.items() if d + offset in allow}
            everything.update(map(offset.__add__, found))
            if keys is not None:
                if sort_name is not None:  # the first ``limit`` by rank: the same, sooner
                    ranks = RANKS.ranks(searcher, subsearcher, offset, sort_name, sortedby)
                    found = heapq.nsmallest(limit, found, key=ranks.__getitem__)
                key_for = keys(subsearcher, offset)
                best += [(key_for(None, d), d + offset) for d in found]
            elif limit:
                best += _best(found, limit, offset)
    except _Unsupported:
        return None
    if keys is not None:
        top = heapq.nsmallest(limit, best)  # (sorted(best)[:limit], as Whoosh sorts)
    elif limit:
        top = [(score, -negated) for score, negated in heapq.nlargest(limit, best)]
    else:
        top = []
    results = Results(searcher, query, top, docset=everything)
    results._total = len(everything)  # (Whoosh's own results ask their collector)
    return results


def _sort_keys(searcher, sortedby):
    """``keys(subsearcher, offset)``: the ``key_for(matcher, docnum)`` of a segment, from the
    categorizer Whoosh's ``SortingCollector`` makes of ``sortedby``."""
    categorizer = MultiFacet.from_sortedby(sortedby).categorizer(searcher)
    if categorizer.needs_current:  # (a key read from the matcher: Whoosh's)
        raise _Unsupported

    def keys(subsearcher, offset):
        categorizer.set_searcher(subsearcher, offset)
        return categorizer.key_for

    return keys


class SortRanks:
    """Each segment's documents ranked in a sort order, once per process: an array of 4 bytes
    a document, in which document ``d``'s rank is its place in ``sorted((key, d))``, the order
    of Whoosh's ``SortingCollector``. A sorted search then picks its first N by rank and reads
    only their keys, where Whoosh reads every match's key from the disk (~2 µs each: 110 ms
    for "election" newest first at 100,000 articles)."""

    def __init__(self):
        self.kept, self.lock = {}, threading.Lock()

    def ranks(self, searcher, subsearcher, offset, sort_name, sortedby):
        reader = subsearcher.reader()
        key = (_segment_id(reader), sort_name)
        ranks = self.kept.get(key)
        if ranks is None:
            key_for = _sort_keys(searcher, sortedby)(subsearcher, offset)
            count = reader.doc_count_all()
            keys = [key_for(None, d) for d in range(count)]
            ranks = array("I", bytes(4 * count))
            for rank, docnum in enumerate(sorted(range(count), key=keys.__getitem__)):
                ranks[docnum] = rank  # (a stable sort: equal keys in document order)
            live = {_segment_id(s.reader()) for s, _ in searcher.leaf_searchers()}
            with self.lock:  # (and those of segments merged away dropped)
                self.kept = {k: v for k, v in self.kept.items() if k[0] in live}
                self.kept[key] = ranks
        return ranks


#: Each process's ranks of the segments' documents in the orders searches ask.
RANKS = SortRanks()


def _segment_id(reader):
    """The id of the segment ``reader`` reads (not one segment's reader: unsupported)."""
    segment = reader.segment() if hasattr(reader, "segment") else None
    if segment is None:
        raise _Unsupported
    return segment.segment_id()


def _best(found, limit, offset):
    """The ``limit`` best ``(score, -global document number)`` of a segment's matches; the
    scores that can be among them picked first, without a tuple for every match."""
    if len(found) > limit:
        lowest = heapq.nlargest(limit, found.values())[-1]
        found = {d: s for d, s in found.items() if s >= lowest}
    return heapq.nlargest(limit, ((s, -(d + offset)) for d, s in found.items()))


def positions(value):
    """Whoosh's ``Positions.decode_positions`` (a count, then the pickled list of gaps between
    positions), with the gaps summed in C: a phrase of two common words decodes tens of
    thousands of lists a search."""
    if not value.endswith(b"."):
        value += b"."
    return accumulate(pickle.loads(value[_INT_SIZE:]))


class _Segment:
    """One segment's matches of a query: ``{document number in the segment: score}``."""

    def __init__(self, searcher, subsearcher, scored, decoded):
        self.searcher, self.subsearcher, self.scored = searcher, subsearcher, scored
        self.decoded = decoded  # (a ``DecodedPostings``, or None)
        self.reader = subsearcher.reader()
        self.schema = self.reader.schema
        self.segment_id = _segment_id(self.reader)
        self.deleted = ()
        if self.reader.has_deletions():  # (the set a segment's own postings leave out)
            self.deleted = getattr(self.reader, "deleted_docs_set", None)
            if self.deleted is None:
                raise _Unsupported

    def evaluate(self, query, among=None):
        """The matches of ``query`` (only those in the sorted list ``among``, if given)."""
        kind = type(query)
        if query is wq.NullQuery:  # (e.g. only stop words)
            return {}
        if kind is wq.Every and query.fieldname in (None, "", "*"):
            # Every document: Whoosh's ``ListMatcher`` with the boost as every weight.
            return dict.fromkeys(self.reader.all_doc_ids(), query.boost)
        if kind in (wq.Prefix, wq.Wildcard):
            # Whoosh ORs a pattern's words in each segment, "constant score" asked: the words
            # are scored all the same (``Searcher.postings`` falls back to its weighting) but
            # for the array of a small segment, which counts 1 a match.
            words = [wq.Term(query.fieldname, w) for w in query._btexts(self.reader) if w]
            if len(words) < 2:  # no word, or the word's own matcher (not boosted)
                return self.evaluate(words[0], among) if words else {}
            return self._any(words, among, query.boost, constant=True)
        if kind in (wq.And, wq.Or) and len(query.subqueries) == 1:
            return self.evaluate(query.subqueries[0], among)  # (Whoosh drops its boost)
        if kind is wq.Or and not query.scale and not query.minmatch:
            return self._any(query.subqueries, among, query.boost, constant=False)
        if kind is wq.Term:
            found = self._word(query.fieldname, query.text, among)
        elif kind is wq.And:
            found = self._all(query.subqueries, among)
        elif isinstance(query, wq.Phrase) and query.slop == 1:
            found = self._phrase(query.fieldname, query.words, among)
        else:
            raise _Unsupported
        if query.boost != 1.0:  # Whoosh's ``WrappingMatcher``: the score times the boost
            boost = query.boost
            found = {d: s * boost for d, s in found.items()}
        return found

    def _any(self, queries, among, boost, constant):
        """Whoosh's OR: a match of any part, scored the sum of the parts matching it."""
        parts = [self.evaluate(query, among) for query in queries]
        if len(parts) >= wq.Or.TOO_MANY_CLAUSES or (
            len(parts) > 2 and self.reader.doc_count_all() <= OR_TREE_ABOVE
        ):
            # ``PreloadedOr``: each part's scores, boosted, added in turn into an array.
            found = {}
            for part in parts:
                if constant:
                    found.update(dict.fromkeys(part, 1))
                else:
                    for docnum, score in part.items():
                        found[docnum] = found.get(docnum, 0) + score * boost
            return found
        sizes = [query.estimate_size(self.reader) for query in queries]
        found = _weighted_tree(parts, sizes, _union)  # ``DefaultOr``
        if boost != 1.0:
            found = {d: s * boost for d, s in found.items()}
        return found

    def _all(self, queries, among):
        """Whoosh's AND: each part read only in the matches of the rarer ones, each ``Not``
        leaving its matches out and adding ``NOT_SCORE`` (as its ``InverseMatcher`` does)."""
        if all(type(q) is wq.Not for q in queries):
            raise _Unsupported  # only words left out: every document but them
        sizes = [q.estimate_size(self.reader) for q in queries]
        parts, found = [None] * len(queries), None
        for i in sorted(range(len(queries)), key=lambda i: (type(queries[i]) is wq.Not, sizes[i])):
            query = queries[i]
            if type(query) is wq.Not:
                found.difference_update(self.evaluate(query.query, sorted(found)))
                parts[i] = NOT_SCORE
            else:
                parts[i] = self.evaluate(query, among if found is None else sorted(found))
                found = set(parts[i]) if found is None else found & parts[i].keys()
            if not found:
                return {}
        return _weighted_tree(
            parts, [-size for size in sizes], lambda a, b: _intersection(a, b, found)
        )

    def _word(self, fieldname, text, among, with_positions=False):
        """A word's ``{document: score}`` (``with_positions``, ``{document: (score, value)}``)."""
        if fieldname not in self.schema:
            return {}
        field = self.schema[fieldname]
        try:
            btext = field.to_bytes(text)
        except ValueError:
            return {}
        if (fieldname, btext) not in self.reader:
            return {}
        matcher = self._postings(fieldname, btext)
        scores = self._scores(fieldname, btext)
        if with_positions or self.decoded is None:
            blocks = _blocks(matcher, among, with_values=with_positions)
        else:
            key = (self.segment_id, fieldname, btext)
            frequency = self.reader.doc_frequency(fieldname, btext)
            blocks = self.decoded.blocks(key, matcher, among, frequency)
        ids, weights, values = _joined(blocks)
        scored = scores(ids, weights)
        if with_positions:
            scored = zip(scored, values, strict=True)
        return dict(zip(ids, scored, strict=True))

    def _postings(self, fieldname, btext):
        """The word's postings in the segment, deleted documents included (``search`` drops
        them)."""
        matcher = self.reader.postings(fieldname, btext)
        if type(matcher) is FilterMatcher:
            matcher = matcher.child
        if type(matcher) is not W3LeafMatcher:
            raise _Unsupported
        return matcher

    def _scores(self, fieldname, btext):
        """``scores(ids, weights)``: the word's score in each of those documents as Whoosh's
        scorer gives it (BM25F operation for operation, or the weight of a word in a field
        without lengths), or zeros when nothing is scored."""
        if not self.scored:
            return lambda ids, weights: [0.0] * len(ids)
        scorer = self.searcher.weighting.scorer(self.subsearcher, fieldname, btext)
        if type(scorer) is WeightScorer:
            return lambda ids, weights: list(weights)
        if type(scorer) is not BM25FScorer:
            raise _Unsupported
        idf, avgfl, b, k1, length = scorer.idf, scorer.avgfl, scorer.B, scorer.K1, scorer.dfl
        lengths = getattr(scorer, "lengths", None)  # (an array of the segment's, if given)
        k1_plus_1 = k1 + 1

        def scores(ids, weights):
            # whoosh.scoring.bm25, idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl))),
            # operation for operation on arrays of doubles (each rounded as Python rounds it).
            if lengths is not None:
                fl = lengths[np.asarray(ids, dtype=np.intp)].astype(np.float64)
            else:
                fl = np.fromiter(map(length, ids), dtype=np.float64, count=len(ids))
            tf = np.asarray(weights, dtype=np.float64)
            return (idf * ((tf * k1_plus_1) / (tf + k1 * ((1 - b) + b * fl / avgfl)))).tolist()

        return scores

    def _phrase(self, fieldname, words, among):
        """Documents with ``words`` one after another, scored the sum of the words' scores.
        The rarest word is read first, each other only in the documents holding those before."""
        if fieldname not in self.schema:
            return {}
        field = self.schema[fieldname]
        if type(field.format) is not Positions:
            raise _Unsupported  # no positions (Whoosh raises), or with characters
        try:
            btexts = [field.to_bytes(word) for word in words]
        except ValueError:
            return {}
        frequency = self.reader.doc_frequency
        if self.decoded is not None and all(
            frequency(fieldname, btext) >= self.decoded.smallest for btext in btexts
        ):
            return self._kept_phrase(fieldname, btexts, among)
        postings = [None] * len(words)
        for i in sorted(range(len(words)), key=lambda i: frequency(fieldname, btexts[i])):
            postings[i] = self._word(fieldname, words[i], among, with_positions=True)
            if not postings[i]:
                return {}
            among = sorted(postings[i])
        if len(postings) == 2:
            with suppress(pickle.UnpicklingError, EOFError):  # (a value not a whole pickle)
                return _adjacent(*postings, among)
        first, *others = postings
        matches = {}
        for docnum in among:
            starts = set(positions(first[docnum][1]))
            for offset, other in enumerate(others, 1):
                starts.intersection_update(map((-offset).__add__, positions(other[docnum][1])))
            if starts:  # the words' scores added as Whoosh's binary tree of intersections
                matches[docnum] = _binary_tree_sum([word[docnum][0] for word in postings])
        return matches

    def _kept_phrase(self, fieldname, btexts, among):
        """``_phrase`` of common words from their positions kept decoded (``DECODED``): the
        starts of the phrase found by a search of sorted arrays, and only the matches scored."""
        words = [
            self.decoded.positions(
                (self.segment_id, fieldname, btext),
                lambda btext=btext: self._postings(fieldname, btext),
            )
            for btext in btexts
        ]
        starts = words[0].places
        for offset, word in enumerate(words[1:], 1):
            starts = starts[_among_sorted(starts + offset, word.places)]
        docs = _distinct(starts >> 32)
        if among is not None:
            docs = docs[_among_sorted(docs, np.asarray(among, dtype=np.int64))]
        matched = docs.tolist()
        scores = [
            self._scores(fieldname, btext)(
                matched, word.weights[np.searchsorted(word.ids, docs)].tolist()
            )
            for btext, word in zip(btexts, words, strict=True)
        ]
        if len(scores) == 2:
            return dict(zip(matched, map(add, *scores), strict=True))
        summed = map(_binary_tree_sum, map(list, zip(*scores, strict=True)))
        return dict(zip(matched, summed, strict=True))


def _among_sorted(values, ordered):
    """Which of ``values`` are in the sorted array ``ordered`` (a boolean array)."""
    if not len(ordered):
        return np.zeros(len(values), dtype=bool)
    found = np.searchsorted(ordered, values)
    found[found == len(ordered)] = 0
    return ordered[found] == values


def _distinct(ordered):
    """The distinct values of the sorted array ``ordered``."""
    if not len(ordered):
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _adjacent(first, second, among):
    """``_phrase`` of two words: the documents of ``among`` where one follows the other,
    scored the sum of the two (``{document: (score, positions value)}`` each), with the
    values read as the whole pickles Whoosh's ``Positions.encode`` writes."""
    matches, before = {}, (-1).__add__
    for docnum in among:
        first_score, first_value = first[docnum]
        second_score, second_value = second[docnum]
        starts = set(accumulate(pickle.loads(first_value[_INT_SIZE:])))
        if not starts.isdisjoint(map(before, accumulate(pickle.loads(second_value[_INT_SIZE:])))):
            matches[docnum] = first_score + second_score
    return matches


def _binary_tree_sum(scores):
    """``scores`` added up as ``whoosh.util.make_binary_tree`` pairs them: first half + second."""
    if len(scores) == 1:
        return scores[0]
    half = len(scores) // 2
    return _binary_tree_sum(scores[:half]) + _binary_tree_sum(scores[half:])


def _weighted_tree(parts, weights, combine):
    """``parts`` combined as ``whoosh.util.make_weighted_tree`` combines matchers: the two
    lightest (then the first given) again and again, ``combine(lighter, other)``."""
    trees = sorted(zip(weights, range(len(parts)), parts, strict=True))
    made = len(trees)
    while len(trees) > 1:
        (weight_a, _, a), (weight_b, _, b) = trees.pop(0), trees.pop(0)
        insort(trees, (weight_a + weight_b, made, combine(a, b)))
        made += 1
    return trees[0][2]


def _union(a, b):
    """Whoosh's ``UnionMatcher`` scores: ``a``'s or ``b``'s, ``a + b`` where both match (the
    larger of the two dicts, which no one else holds, updated with the smaller)."""
    if len(a) <= len(b):
        for docnum, score in a.items():
            known = b.get(docnum)
            b[docnum] = score if known is None else score + known
        return b
    for docnum, score in b.items():
        known = a.get(docnum)
        a[docnum] = score if known is None else known + score
    return a


def _intersection(a, b, found):
    """Whoosh's ``IntersectionMatcher`` scores, ``a + b``, for each of ``found``; each side
    a ``{document: score}`` or one score for all (a ``Not``)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return {d: a[d] + b[d] for d in found}
    if isinstance(a, dict):
        return {d: a[d] + b for d in found}
    if isinstance(b, dict):
        return {d: a + b[d] for d in found}
    return a + b


def _joined(blocks):
    """The ``(ids, weights, values)`` of ``blocks`` end to end (a single block as it is)."""
    blocks = list(blocks)
    if len(blocks) == 1:
        return blocks[0]
    ids, weights, values = [], [], []
    for block_ids, block_weights, block_values in blocks:
        ids.extend(block_ids)
        weights.extend(block_weights)
        values.extend(block_values)
    return ids, weights, values


def _blocks(matcher, among, with_values=False):
    """``(ids, weights, values)`` of each block of a word's postings, read from the disk; with
    ``among`` (sorted document numbers), only the postings of those documents, and the blocks
    holding none of them are not read."""
    wanted = set(among) if among is not None else None
    previous_max = -1
    while matcher.is_active():
        block_max = matcher.block_max_id()
        if wanted is not None and not _any_between(among, previous_max, block_max):
            previous_max = block_max
            matcher._next_block()
            continue
        previous_max = block_max
        matcher._read_ids()
        matcher._read_weights()
        ids, weights = matcher._ids, matcher._weights
        values = ()
        if with_values:
            matcher._read_values()
            values = matcher._values
        yield _kept(ids, weights, values, wanted)
        matcher._next_block()


def _any_between(ordered, after, up_to):
    """Whether the sorted list ``ordered`` has a number in ``(after, up_to]``."""
    return bisect_right(ordered, up_to) != bisect_right(ordered, after)


def _kept(ids, weights, values, wanted):
    """The postings of the documents in the set ``wanted`` (all of them if it is None)."""
    if wanted is None:
        return ids, weights, values
    keep = [i for i, docnum in enumerate(ids) if docnum in wanted]
    ids = [ids[i] for i in keep]
    weights = [weights[i] for i in keep]
    return ids, weights, [values[i] for i in keep] if values else ()


class WordPositions(NamedTuple):
    """A word's postings in a segment with their positions, as arrays: its documents (in
    order), its weight in each, and each position as ``document << 32 | position``, in order."""

    ids: np.ndarray
    weights: np.ndarray
    places: np.ndarray


class DecodedPostings:
    """Common words' postings, decoded once per process and kept until ``limit`` bytes are
    kept, the least recently used dropped first; a segment's postings never change.

    - ids and weights (arrays, 8 bytes a posting), for words and their ORs and ANDs;
    - with their positions (``WordPositions``, 8 bytes more a posting and 8 a position),
      for phrases.

    Decoding a block (zlib, then pickle) is most of the cost of a word in half of 100,000
    articles: ~75 ms of the ~125 of "said"; a phrase also decodes a pickled list of positions
    in each document of each word (~1 µs each). Words in fewer than ``smallest`` documents
    are read from the disk each time (little to decode).
    """

    def __init__(self, limit, smallest):
        self.limit, self.smallest = limit, smallest
        self.kept, self.bytes = OrderedDict(), 0
        self.lock = threading.Lock()

    def blocks(self, key, matcher, among, frequency):
        """``(ids, weights, ())`` of the blocks of a word in ``frequency`` documents (see
        ``_blocks``), decoded or kept."""
        kept = self._get(key)
        if kept is None:
            if frequency < self.smallest:
                return _blocks(matcher, among)
            kept = self._keep(key, _decoded(matcher))
        return self._blocks_of(kept, among)

    def positions(self, key, postings):
        """The ``WordPositions`` of the word ``key`` names (segment, field, word): kept, or
        decoded from ``postings()`` (its matcher, asked for only then)."""
        key = (*key, "positions")
        kept = self._get(key)
        if kept is None:
            kept = self._keep(key, _decoded_positions(postings()))
        return kept

    def _get(self, key):
        kept = self.kept.get(key)
        if kept is not None:
            with self.lock:
                if key in self.kept:
                    self.kept.move_to_end(key)
        return kept

    def _keep(self, key, kept):
        with self.lock:
            if key not in self.kept:
                self.kept[key] = kept
                self.bytes += _bytes(kept)
            while self.bytes > self.limit and len(self.kept) > 1:
                _, dropped = self.kept.popitem(last=False)
                self.bytes -= _bytes(dropped)
        return kept

    @staticmethod
    def _blocks_of(kept, among):
        ids, weights, block_ends, block_maxes = kept
        if among is None:
            yield ids, weights, ()
            return
        wanted, start, previous_max = set(among), 0, -1
        for end, block_max in zip(block_ends, block_maxes, strict=True):
            if _any_between(among, previous_max, block_max):
                yield _kept(ids[start:end], weights[start:end], (), wanted)
            start, previous_max = end, block_max


def _bytes(kept):
    """The bytes of what is kept of a word: its arrays (its lists of block bounds are small)."""
    return sum(part.itemsize * len(part) for part in kept if hasattr(part, "itemsize"))


def _decoded(matcher):
    """``(ids, weights, block_ends, block_maxes)`` of every block of a word's postings."""
    ids, weights, block_ends, block_maxes = array("I"), array("f"), [], []
    for block_ids, block_weights, _ in _blocks(matcher, None):
        ids.extend(block_ids)
        weights.extend(block_weights)
        block_ends.append(len(ids))
        block_maxes.append(block_ids[-1])
    return ids, weights, block_ends, block_maxes


def _decoded_positions(matcher):
    """The ``WordPositions`` of a word's postings (Whoosh's ``Positions``: in each posting, a
    count, then the pickled list of gaps between positions)."""
    ids, weights, gaps, counts = array("I"), array("f"), [], array("I")
    for block_ids, block_weights, values in _blocks(matcher, None, with_values=True):
        ids.extend(block_ids)
        weights.extend(block_weights)
        for value in values:
            value = value[_INT_SIZE:] if value.endswith(b".") else value[_INT_SIZE:] + b"."
            these = pickle.loads(value)
            gaps.extend(these)
            counts.append(len(these))
    ids, counts = np.frombuffer(ids, dtype=np.uint32), np.frombuffer(counts, dtype=np.uint32)
    if not counts.all():
        raise _Unsupported  # (a posting without positions)
    gaps = np.asarray(gaps, dtype=np.int64)
    # Each document's gaps summed from its first: the running total less the total before it.
    totals = np.cumsum(gaps)
    firsts = np.cumsum(counts, dtype=np.int64) - counts
    places = totals - np.repeat(totals[firsts] - gaps[firsts], counts)
    places |= np.repeat(ids.astype(np.int64) << 32, counts)
    return WordPositions(ids, np.frombuffer(weights, dtype=np.float32), places)


#: Each process's decoded postings: up to 48 MiB, of words in 1,000 documents or more of a
#: segment.
DECODED = DecodedPostings(limit=48 * 2**20, smallest=1_000)
