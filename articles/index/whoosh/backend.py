"""Our haystack engine: haystack's Whoosh backend, made fast and safe where the archive needs it.

What differs from ``haystack.backends.whoosh_backend`` (and why):

- **Schema** (``build_schema``): one analyzer for all text (words, lower case, accents folded,
  English stop words, Porter stems); the document field is neither stored, sortable nor copied
  into a spelling field; exact fields (``Facet*Field``) are Whoosh ``KEYWORD``/``ID`` terms;
  lists are indexed and stored as lists, so a comma inside a value does not split it.
- **Searcher** kept open per process (per thread) and refreshed only when the index changed;
  segments are written uncompounded, so opening a refreshed searcher costs ~1 ms.
- **Writes** (``write``) take one writer under a process-wide lock (``write_lock``), delete and
  add in one commit, with ``procs``/``limitmb``/``multisegment`` for bulk work; every error is
  raised, none is logged and dropped. Commits never merge segments: ``compaction``
  does, in the background.
- **Facets** over the whole result set from per-segment value tables that live as long as the
  segment, so a facet costs one pass over the matching documents (or, when they are many,
  one pass of numpy over arrays of every document's values).
- **Scoring** in bulk (``bulk``) for the queries it scores as Whoosh does; Whoosh's matchers
  for the rest.
- **Highlights** from the stored body with a regex scan and a cached stemmer rather than
  re-running the analyzer, and ``<mark>`` around matches with everything else escaped.
- **Spelling suggestions** only when a query finds little, from the vocabulary of the indexed
  titles and names (no copy of the body).
"""

import functools
import logging
import os
import threading
import time
from array import array
from collections import Counter
from collections.abc import Sequence
from contextlib import suppress
from datetime import date, datetime
from itertools import chain
from math import log2

import numpy as np
from django.conf import settings
from django.utils.encoding import force_str
from haystack.backends import BaseEngine, log_query
from haystack.backends.whoosh_backend import WhooshSearchBackend, WhooshSearchQuery
from haystack.constants import DJANGO_CT, DJANGO_ID, ID
from haystack.fields import FacetField
from haystack.models import SearchResult
from haystack.utils import get_identifier, get_model_ct
from whoosh import fields as wf
from whoosh import query as wq
from whoosh.collectors import FilterCollector, TopCollector, UnsortedCollector
from whoosh.filedb.filestore import FileStorage
from whoosh.formats import Positions
from whoosh.index import EmptyIndexError
from whoosh.matching.binary import IntersectionMatcher
from whoosh.qparser import FuzzyTermPlugin, QueryParser
from whoosh.query.spans import Span, SpanNear2
from whoosh.scoring import BM25F, BM25FScorer
from whoosh.sorting import FieldFacet, MultiFacet, TranslateFacet

from articles.index.documents import PART_SEPARATOR
from articles.index.engines import BULK_THRESHOLD, SearchUnavailable
from articles.index.whoosh import bulk, spelling
from articles.index.whoosh.analysis import (
    exact_word_analyzer,
    highlight,
    text_analyzer,
)
from articles.index.whoosh.answers import KeptAnswers, answer_key
from articles.index.whoosh.locks import file_lock, write_lock_path
from articles.index.whoosh.writer import IndexBatch

#: Fields whose (unstemmed) vocabulary spelling suggestions come from.
SPELLING_FIELDS = ("title", "person_names", "tag_names")
MORE_LIKE_THIS_LEDE = 1000  # characters of the body that more-like-this draws terms from
MORE_LIKE_THIS_TERMS = 6
#: The kinds of field whose values ``warm`` tables (the facets: people, tags, year, month).
TABLED_KINDS = ("exact", "integer")
#: Facets of fewer documents than 1 in this many are counted one by one (see ``counts``).
FACETS_ONE_BY_ONE = 50
#: Terms whose frequency a segment's table keeps (more-like-this asks for a lede's words).
FREQUENCIES_KEPT = 200_000

log = logging.getLogger(__name__)


def _our_nodes(node):
    """Match-all as every document (not a walk over every word); phrases by positions alone."""
    if isinstance(node, wq.Every):
        return wq.Every()
    if type(node) is wq.Phrase:
        return _Phrase(node.fieldname, node.words, node.slop, node.boost, node.char_ranges)
    return node


class _Phrase(wq.Phrase):
    """Whoosh's phrase, with the check of each candidate document made on word positions."""

    def matcher(self, searcher, context=None):
        matcher = super().matcher(searcher, context)
        if (
            type(matcher) is SpanNear2.SpanNear2Matcher
            and (matcher.slop, matcher.ordered, matcher.mindist) == (1, True, 1)
            and not any(m.supports("characters") for m in matcher.ms)
        ):
            formats = [_posting_format(m) for m in matcher.ms]
            if None not in formats:
                decoders = [
                    bulk.positions if type(f) is Positions else f.decoder("positions")
                    for f in formats
                ]
                return _adjacent_words(matcher, decoders)  # the same matcher, faster checks
        return matcher


def _posting_format(matcher):
    """The postings format under ``matcher`` and its wrappers (e.g. the one that skips
    deleted documents), or None when it is not a single word's postings."""
    while not hasattr(matcher, "format") and hasattr(matcher, "child"):
        matcher = matcher.child
    return getattr(matcher, "format", None)


class _AdjacentWords(SpanNear2.SpanNear2Matcher):
    """Whoosh's matcher of adjacent words in order, with ``_get_spans`` on sets of positions.

    Whoosh builds a ``Span`` per occurrence of each word in each document holding all the
    words, then pairs them up; most such documents do not hold the phrase (13,000 candidates
    for 343 matches of "united states" at 20,000 articles). The starts of the phrase are a
    set intersection, and the spans the same as Whoosh's. ``decoders`` (one per word, set by
    ``_Phrase``) read each word's positions from its postings. For two words (``_pair``), the
    two postings are walked here, not through Whoosh's intersection matcher ("united states":
    101.6 → 91.4 ms in-process).
    """

    def next(self):
        if self._pair is None:
            return super().next()
        moved = self._pair[0].next()
        return self._find_next() or moved

    def _find_next(self):
        """Whoosh's, with a phrase of two words' postings walked in one loop here rather than
        through the intersection matcher's (two levels of calls less per candidate)."""
        if self._pair is None:
            return super()._find_next()
        a, b = self._pair
        moved = False
        while a.is_active() and b.is_active():
            a_id, b_id = a.id(), b.id()
            if a_id < b_id:
                moved = a.skip_to(b_id) or moved
            elif b_id < a_id:
                moved = b.skip_to(a_id) or moved
            elif spans := self._get_spans():
                self._spans = spans
                return moved
            else:
                moved = a.next() or moved
        return moved

    def _get_spans(self):
        (first, *others), (decode_first, *decode_others) = self.ms, self.decoders
        starts = set(decode_first(first.value()))
        for offset, (matcher, decode) in enumerate(zip(others, decode_others, strict=True), 1):
            starts.intersection_update(map((-offset).__add__, decode(matcher.value())))
            if not starts:
                return []
        return [Span(start, start + len(others)) for start in sorted(starts)]


def _adjacent_words(matcher, decoders):
    """Whoosh's ``SpanNear2Matcher`` of adjacent words, made an ``_AdjacentWords`` (the same
    matcher and state, faster checks)."""
    matcher.__class__ = _AdjacentWords
    matcher.decoders = decoders
    child = matcher.child
    two_words = type(child) is IntersectionMatcher and len(matcher.ms) == 2
    matcher._pair = (child.a, child.b) if two_words else None
    return matcher


def _retried(opener, *args, **kwargs):
    """Open an index; retried while a commit replaces the table of contents being read."""
    for attempt in range(20):
        try:
            return opener(*args, **kwargs)
        except FileNotFoundError:
            if attempt == 19:
                raise
            time.sleep(0.02)


def _folder_id(path):
    """The index folder's identity: it changes when the folder is replaced."""
    stat = os.stat(path)
    return stat.st_dev, stat.st_ino


def unavailable(exc):
    """The ``SearchUnavailable`` an error reading the index means, saying what to do."""
    if isinstance(exc, SearchUnavailable):
        return exc
    if isinstance(exc, FileNotFoundError | EmptyIndexError):
        return SearchUnavailable("the search index is missing: run manage.py reindex")
    return SearchUnavailable(
        f"the search index cannot be read ({type(exc).__name__}: {exc}): "
        "run manage.py check_index, then manage.py reindex"
    )


def reading(method):
    """A backend method that reads the index: an error makes search unavailable and drops the
    searcher, so that the next search reopens the index (rebuilt meanwhile, perhaps)."""

    @functools.wraps(method)
    def read(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:
            if not isinstance(exc, SearchUnavailable):
                log.warning("Reading the search index failed", exc_info=True)
            self.close_searcher()
            raise unavailable(exc) from exc

    return read


def _segment_id(reader):
    segment = reader.segment()
    return segment.segment_id() if segment is not None else None


class _SegmentValues:
    """Per segment, the values each document has in each exact field (for facet counting, with
    the counts of each value over all documents), and the frequencies of the terms asked
    about (for more-like-this).

    A segment never changes once written (deletions only hide documents), so its tables are
    built once per process and dropped when the segment is merged away.
    """

    def __init__(self):
        self.tables = {}
        self.joined = {}
        self.frequencies = {}
        self.lock = threading.Lock()

    def lengths(self, reader, fieldname):
        """The length of ``fieldname`` in each document of the segment of ``reader``."""
        key = (_segment_id(reader), f"length:{fieldname}")
        table = self.tables.get(key)
        if table is None:
            table = array(
                "I",  # at most 106,374 (Whoosh keeps lengths in a byte)
                (
                    reader.doc_field_length(docnum, fieldname, 1) or 0
                    for docnum in range(reader.doc_count_all())
                ),
            )
            with self.lock:
                self.tables[key] = table
        return table

    def frequency(self, reader, fieldname, btext):
        """The term's total weight in the segment of ``reader`` (0 if it has none)."""
        key = (_segment_id(reader), fieldname)
        known = self.frequencies.get(key)
        if known is None or len(known) > FREQUENCIES_KEPT:
            known = self.frequencies[key] = {}
        weight = known.get(btext)
        if weight is None:
            weight = known[btext] = reader.frequency(fieldname, btext)
        return weight

    def table(self, reader, fieldname):
        key = (_segment_id(reader), fieldname)
        table = self.tables.get(key)
        if table is None:
            table = [()] * reader.doc_count_all()
            field = reader.schema[fieldname]
            for btext in field.sortable_terms(reader, fieldname):
                value = field.from_bytes(btext)
                for docnum in reader.postings(fieldname, btext).all_ids():
                    table[docnum] = (*table[docnum], value)
            with self.lock:
                self.tables[key] = table
        return table

    def global_table(self, readers, fieldname):
        """The values of every document of a searcher (its segments' tables end to end)."""
        key = (tuple(_segment_id(r) for r, _ in readers), fieldname)
        table = self.joined.get(key)
        if table is None:
            table = []
            for reader, _ in readers:
                table.extend(self.table(reader, fieldname))
            with self.lock:
                self.joined[key] = table
        return table

    def coded_table(self, readers, fieldname):
        """``global_table`` as arrays, to count the values of many documents at once:
        ``(values, codes, owners)``, each value of each document in turn given as its number
        in the list of distinct ``values`` (``codes``) and its document (``owners``)."""
        key = (tuple(_segment_id(r) for r, _ in readers), f"coded:{fieldname}")
        coded = self.joined.get(key)
        if coded is None:
            table = self.global_table(readers, fieldname)
            numbers = {}
            codes = np.fromiter(
                (numbers.setdefault(value, len(numbers)) for values in table for value in values),
                dtype=np.int32,
            )
            owners = np.repeat(np.arange(len(table), dtype=np.int32), list(map(len, table)))
            coded = (list(numbers), codes, owners)
            with self.lock:
                self.joined[key] = coded
        return coded

    def counts(self, readers, fieldnames, docs):
        """``{fieldname: {value: how many of docs have it}}`` for ``docs``, global document
        numbers: a few counted one by one, more at once from the coded tables, with one mask
        of the matching documents for every field."""
        counted, chosen = {}, None
        for fieldname in fieldnames:
            table = self.global_table(readers, fieldname)
            if len(docs) * FACETS_ONE_BY_ONE <= len(table):
                counted[fieldname] = Counter(chain.from_iterable(map(table.__getitem__, docs)))
                continue
            if chosen is None:
                chosen = np.zeros(len(table), dtype=bool)
                chosen[np.fromiter(docs, dtype=np.int64, count=len(docs))] = True
            values, codes, owners = self.coded_table(readers, fieldname)
            tally = np.bincount(codes[chosen[owners]], minlength=len(values))
            counted[fieldname] = {values[i]: int(tally[i]) for i in np.flatnonzero(tally).tolist()}
        return counted

    def forget_except(self, segment_ids):
        with self.lock:
            for key in [k for k in self.tables if k[0] not in segment_ids]:
                del self.tables[key]
            for key in [k for k in self.joined if not set(k[0]) <= segment_ids]:
                del self.joined[key]
            for key in [k for k in self.frequencies if k[0] not in segment_ids]:
                del self.frequencies[key]


class _InMemoryLengths(BM25F):
    """Whoosh's BM25F, reading each document's field length from a table kept per segment.

    Whoosh reads the length of every document it scores from the disk (a seek and a read):
    a fifth of the time of a search matching most of the archive.
    """

    def __init__(self, values):
        super().__init__()
        self.values = values

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if isinstance(scorer, BM25FScorer):
            lengths = self.values.lengths(searcher.reader(), fieldname)
            scorer.dfl = lengths.__getitem__
            scorer.lengths = np.frombuffer(lengths, dtype=np.uint32)  # (for ``bulk``)
        return scorer


class ArchiveWhooshBackend(WhooshSearchBackend):
    """Haystack's Whoosh backend with the archive's schema, searcher, writer and facets."""

    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self._searcher = self._folder = None
        self._searcher_lock = threading.Lock()
        self._values = _SegmentValues()
        self._vocabularies = spelling.Vocabularies()
        self._answers = KeptAnswers(settings.SEARCH_ANSWERS_KEPT)
        self.field_kinds = {}

    # -- schema ------------------------------------------------------------------

    def build_schema(self, fields):
        schema = {
            ID: wf.ID(stored=True, unique=True),
            DJANGO_CT: wf.ID(stored=True),
            DJANGO_ID: wf.ID(stored=True),
        }
        content_field_name = ""
        kinds = {}
        for field in fields.values():
            name = field.index_fieldname
            if field.document:
                content_field_name = name
                schema[name] = wf.TEXT(analyzer=text_analyzer(), stored=False)
                kind = "text"
            elif not field.indexed:
                schema[name] = wf.STORED()
                kind = "stored"
            elif field.field_type == "edge_ngram":
                schema[name] = wf.NGRAMWORDS(minsize=2, maxsize=15, at="start")
                kind = "text"
            elif field.field_type in ("date", "datetime"):
                schema[name] = wf.DATETIME(stored=field.stored, sortable=True)
                kind = "date"
            elif field.field_type == "integer":
                schema[name] = wf.NUMERIC(int, bits=32, stored=field.stored, sortable=True)
                kind = "integer"
            elif isinstance(field, FacetField):
                # Exact values (slugs, "YYYY-MM"): terms as given, for filters and facets.
                if field.is_multivalued:
                    schema[name] = wf.KEYWORD(stored=field.stored, commas=True)
                else:
                    schema[name] = wf.ID(stored=field.stored)
                kind = "exact"
            else:
                analyzer = exact_word_analyzer() if name in SPELLING_FIELDS else text_analyzer()
                schema[name] = wf.TEXT(
                    analyzer=analyzer, stored=field.stored, field_boost=field.boost
                )
                kind = "text"
            kinds[name] = (kind, field.is_multivalued)
        self.field_kinds = kinds
        return content_field_name, wf.Schema(**schema)

    def setup(self):
        """The schema and the parser. Reading never creates the index: a missing index makes
        search unavailable (``searcher``), and writers create it (``open_for_writing``)."""
        from haystack import connections

        fields = connections[self.connection_alias].get_unified_index().all_searchfields()
        self.content_field_name, self.schema = self.build_schema(fields)
        self.parser = QueryParser(self.content_field_name, schema=self.schema)
        self.parser.add_plugins([FuzzyTermPlugin()])
        self.storage = FileStorage(self.path)
        self.setup_complete = True

    def open_for_writing(self):
        """The index as it is now, created if there is none; call under the write lock.

        (Haystack's creates it unlocked: processes starting together on a new folder each
        create it and delete the others' files.)
        """
        if not self.setup_complete:
            self.setup()
        os.makedirs(self.path, exist_ok=True)
        try:
            return _retried(self.storage.open_index, schema=self.schema)
        except EmptyIndexError:
            return self.storage.create_index(self.schema)

    # -- the searcher --------------------------------------------------------------

    def searcher(self):
        """The process's searcher, reopened if the index changed (or was replaced) since.

        Raises ``SearchUnavailable`` when the index cannot be read (missing, unreadable);
        the next call tries again, so a rebuilt index is picked up without a restart.
        """
        if not self.setup_complete:
            self.setup()
        with self._searcher_lock:
            try:
                if self._searcher is None or self._stale():
                    self._open_searcher()
                return self._searcher
            except Exception as exc:
                self._drop_searcher()
                raise unavailable(exc) from exc

    def _stale(self):
        # Not Searcher.refresh(): it reuses segment readers whose deletions changed.
        return self._folder != _folder_id(self.path) or not self._searcher.up_to_date()

    def _open_searcher(self):
        self._drop_searcher()
        folder = _folder_id(self.path)
        self.index = _retried(self.storage.open_index, schema=self.schema)
        self._searcher = self.index.searcher(weighting=_InMemoryLengths(self._values))
        self._folder = folder
        self._values.forget_except({_segment_id(r) for r, _ in self._segment_readers()})

    def _drop_searcher(self):
        searcher, self._searcher, self._folder = self._searcher, None, None
        self._answers.forget()
        if searcher is not None:
            with suppress(Exception):
                searcher.close()

    def _segment_readers(self):
        searcher = self._searcher
        if searcher.subsearchers:
            return [(s.reader(), offset) for s, offset in searcher.subsearchers]
        return [(searcher.reader(), 0)]

    @reading
    def warm(self, step=lambda: None):
        """Build, before a search needs them, what the first searches build: the searcher,
        each segment's lengths of the text and tables of exact and numeric values (facets),
        its documents' ranks newest and oldest first, the spelling vocabularies, as Solr
        warms its first searcher. At 100,000 articles a worker's first search otherwise
        takes seconds. ``step()`` after each part (a gunicorn worker's heartbeat)."""
        searcher = self.searcher()
        readers = self._segment_readers()
        tabled = [name for name, (kind, _) in self.field_kinds.items() if kind in TABLED_KINDS]
        for reader, _ in readers:
            self._values.lengths(reader, self.content_field_name)
            step()
        for name in tabled:
            self._values.coded_table(readers, name)
            step()
        for name, (kind, _) in self.field_kinds.items():
            for order in ((f"-{name}",), (name,)) if kind == "date" else ():
                facet = sort_facet(self.schema, order)  # newest and oldest first
                for subsearcher, offset in searcher.leaf_searchers():
                    bulk.RANKS.ranks(searcher, subsearcher, offset, order, facet)
                    step()
        self._vocabularies.of([(r, _segment_id(r)) for r, _ in readers], self.content_field_name)
        step()

    def close_searcher(self):
        with self._searcher_lock:
            self._drop_searcher()

    # -- writing -------------------------------------------------------------------

    def write_lock(self, blocking=True):
        """The index's write lock (see ``file_lock``): one writer across processes."""
        if not self.setup_complete:
            self.setup()
        return file_lock(write_lock_path(self.path), blocking=blocking)

    def write(self, index, objects=(), removed_ids=(), *, clear=False, bulk=False):
        """Index ``objects`` and remove documents ``removed_ids`` (pks) in one commit."""
        with IndexBatch(self, index, clear=clear, bulk=bulk) as batch:
            batch.remove(removed_ids)
            batch.add(objects)

    def whoosh_document(self, prepared):
        """Haystack's prepared dict as Whoosh wants it: lists kept whole, no ``None``."""
        doc = {}
        for key, value in prepared.items():
            if value is None or key == "boost":
                continue
            kind, multivalued = self.field_kinds.get(key, ("exact", False))
            if multivalued:
                values = [force_str(v) for v in value]
                doc[key] = ("," if kind == "exact" else PART_SEPARATOR).join(values)
                doc[f"_stored_{key}"] = values
            elif kind == "date":
                doc[key] = datetime(value.year, value.month, value.day, *_time(value))
            elif kind in ("integer", "stored") and isinstance(value, int):
                doc[key] = value
            else:
                doc[key] = force_str(value)
        return doc

    def update(self, index, iterable, commit=True):
        self.write(index, iterable, bulk=len(iterable) >= BULK_THRESHOLD)

    def remove(self, obj_or_string, commit=True):
        with IndexBatch(self) as batch:
            batch.delete_identifiers([get_identifier(obj_or_string)])

    def clear(self, models=None, commit=True):
        """Empty the index (of ``models``) in one commit; open searchers stay valid."""
        with IndexBatch(self, clear=not models) as batch:
            for model in models or ():
                batch.writer.delete_by_term(DJANGO_CT, get_model_ct(model))

    def optimize(self):
        with self.write_lock():
            self.open_for_writing().optimize()

    @reading
    def stored_values(self, fieldname):
        """``{django_id: stored value of fieldname}`` for every document in the index."""
        return {
            int(fields[DJANGO_ID]): fields.get(fieldname)
            for fields in self.searcher().all_stored_fields()
        }

    # -- searching -----------------------------------------------------------------

    @reading
    @log_query
    def search(
        self,
        query_string,
        sort_by=None,
        start_offset=0,
        end_offset=None,
        fields="",
        highlight=False,
        facets=None,
        date_facets=None,
        query_facets=None,
        narrow_queries=None,
        spelling_query=None,
        models=None,
        result_class=None,
        **kwargs,
    ):
        query_string = force_str(query_string)
        if not query_string or (len(query_string) <= 1 and query_string != "*"):
            return {"results": [], "hits": 0, "facets": {}, "spelling_suggestion": None}
        searcher = self.searcher()
        key = None
        if end_offset is not None:  # (haystack's unsliced runs build results lazily: not kept)
            params = dict(
                kwargs,
                sort_by=sort_by,
                start_offset=start_offset,
                end_offset=end_offset,
                fields=fields,
                highlight=highlight,
                facets=facets,
                date_facets=date_facets,
                query_facets=query_facets,
                narrow_queries=narrow_queries,
                spelling_query=spelling_query,
                models=models,
            )
            key = answer_key(query_string, params)
            if (kept := self._answers.get(searcher, key)) is not None:
                return self._answer(*kept, result_class)
        # Match-all ("*") as every document, not as a walk over every word of the field.
        parsed = self.parser.parse(query_string).accept(_our_nodes)
        filters = [self.parser.parse(force_str(q)) for q in narrow_queries or ()]
        if models:
            filters.append(wq.Or([wq.Term(DJANGO_CT, get_model_ct(m)) for m in models]))
        start_offset = start_offset or 0
        limit = max(end_offset if end_offset is not None else start_offset + 1_000_000, 1)
        allowed = wq.And(filters) if filters else None
        if end_offset == 0:
            # No result asked for, only the total and the facets (``sqs[:0]``, as trends
            # count): the matches are collected unscored and unranked, about twice as fast.
            limit = 0  # and no page of results to build or highlight
        order = sort_facet(self.schema, sort_by)
        name = tuple(sort_by) if order is not None else None
        results = bulk.search(searcher, parsed, limit, allowed, order, sort_name=name)
        if results is None:  # a query or an order the bulk scorer leaves to Whoosh
            if limit:
                collector = _with_every_match(
                    searcher.collector(limit=limit, filter=allowed, sortedby=order)
                )
            else:
                collector = _stepping_through_and(searcher.collector(scored=False, filter=allowed))
            searcher.search_with_collector(parsed, collector)
            results = collector.results()
        hits = len(results)
        terms = self._highlight_terms(parsed, searcher) if highlight and limit else None
        page = results[start_offset:limit]
        # The page's stored fields and the facets before a spelling suggestion, which may
        # refresh the searcher (and the tables of its segments) when the index changed: the
        # documents found are this searcher's.
        stored = self._stored(page, terms) if key is not None else None
        counts = self._facets(results, facets) if facets else {}
        suggestion = None  # and none for a count (corrections and relaxations count many)
        if self.include_spelling and limit and hits < settings.SEARCH_SUGGEST_BELOW:
            suggestion = self.create_spelling_suggestion(spelling_query or query_string)
        if key is None:
            # Haystack runs facet_counts() and the like unsliced: build results on demand.
            found = _LazyResults(
                page, lambda hit: self._results(self._stored([hit], terms), result_class)
            )
            return {
                "results": found,
                "hits": hits,
                "facets": counts,
                "spelling_suggestion": suggestion,
            }
        answer = (stored, hits, counts, suggestion)
        self._answers.keep(searcher, key, answer)
        return self._answer(*answer, result_class)

    def _answer(self, stored, hits, counts, suggestion, result_class):
        """Haystack's answer, its results made afresh from ``stored`` (see ``_stored``) for
        each request, so that no request sees another's objects."""
        return {
            "results": self._results(stored, result_class),
            "hits": hits,
            "facets": counts,
            "spelling_suggestion": suggestion,
        }

    def _facets(self, results, requested):
        """Counts of each exact field's values over all matching documents."""
        counted = self._values.counts(self._segment_readers(), requested, results.docs())
        fields = {}
        for name, options in requested.items():
            counts = counted[name]
            ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
            limit = (options or {}).get("limit") or (options or {}).get("size")
            fields[name] = ranked[:limit] if limit else ranked
        return {"fields": fields, "dates": {}, "queries": {}}

    def _highlight_terms(self, parsed, searcher):
        """The stemmed and the unstemmed words the query matched, for highlighting."""
        stems, words = set(), set()
        for fieldname, btext in parsed.existing_terms(searcher.reader(), expand=True):
            kind = self.field_kinds.get(fieldname, ("", False))[0]
            if kind != "text" or fieldname == "autocomplete":
                continue
            text = btext.decode() if isinstance(btext, bytes) else btext
            (words if fieldname in SPELLING_FIELDS else stems).add(text)
        return frozenset(stems), frozenset(words)

    def _stored(self, hits, terms):
        """``(app label, model name, pk, score, values)`` of each hit: its stored fields and,
        with ``terms``, its highlighted text and title."""
        found = []
        for hit in hits:
            stored = hit.fields()
            app_label, model_name = stored.pop(DJANGO_CT).split(".")
            pk = stored.pop(DJANGO_ID)
            stored.pop(ID, None)
            body = stored.pop("body", "")
            values = {key: self._stored_value(key, value) for key, value in stored.items()}
            if terms is not None:
                stems, words = terms
                values["highlighted"] = {
                    self.content_field_name: [highlight(body, stems, words)],
                    "title": [highlight(values.get("title", ""), stems, words, max_chars=1000)],
                }
            found.append((app_label, model_name, pk, hit.score or 0, values))
        return found

    @staticmethod
    def _results(stored, result_class):
        result_class = result_class or SearchResult
        return [
            result_class(app_label, model_name, pk, score, **values)
            for app_label, model_name, pk, score, values in stored
        ]

    def _stored_value(self, key, value):
        if self.field_kinds.get(key, ("", False))[0] == "date" and isinstance(value, datetime):
            return value.date()
        return value

    def create_spelling_suggestion(self, query_string):
        """The query's words (separated by spaces) with the misspelt ones corrected from the
        archive's vocabulary (``articles.index.whoosh.spelling``), or None if none is."""
        searcher = self.searcher()
        readers = [(reader, _segment_id(reader)) for reader, _ in self._segment_readers()]
        vocabulary = self._vocabularies.of(readers, self.content_field_name)
        # The words as the search layer sends them (space-separated), or the words of
        # haystack's own query syntax ("(putn)", "text:(putn)"), one per space-separated part.
        words = [part.rpartition(":")[2].strip("()\"'") for part in query_string.split()]
        corrected = spelling.correct(words, vocabulary, searcher, self.content_field_name)
        return " ".join(corrected) if corrected else None

    @reading
    def more_like_this(
        self,
        model_instance,
        additional_query_string=None,
        start_offset=0,
        end_offset=None,
        models=None,
        limit_to_registered_models=None,
        result_class=None,
        **kwargs,
    ):
        searcher = self.searcher()
        docnum = searcher.document_number(**{ID: get_identifier(model_instance)})
        if docnum is None:
            return {"results": [], "hits": 0}
        filters = []
        if additional_query_string and additional_query_string != "*":
            filters.append(self.parser.parse(force_str(additional_query_string)))
        if models:
            filters.append(wq.Or([wq.Term(DJANGO_CT, get_model_ct(m)) for m in models]))
        start_offset = start_offset or 0
        top = end_offset if end_offset is not None else start_offset + 10
        # The top N + 1 with the article dropped (Whoosh's more_like() masks it out and counts
        # every match twice). Scored in bulk: at 100,000 articles 18 ms p50 where Whoosh's
        # top N, skipping the blocks that it reckons cannot reach them, takes 51 ms and gets
        # a wrong top 6 for 2 articles in 40 (benchmarks/bench_bulk.py).
        query = self.more_like_this_query(searcher, docnum)
        allowed = wq.And(filters) if filters else None
        results = bulk.search(searcher, query, top + 1, allowed, keep_decoded=False)
        if results is None:
            results = searcher.search(query, limit=top + 1, filter=allowed)
        hits = [hit for hit in results[: top + 1] if hit.docnum != docnum][:top]
        return {
            "results": self._results(self._stored(hits[start_offset:], None), result_class),
            "hits": len(hits),
        }

    def more_like_this_query(self, searcher, docnum):
        """The words that best tell document ``docnum`` from the rest, OR'd and weighted.

        A news story's lede carries its topic: key terms from the title, the names and the
        first paragraphs cost ~40 ms at 20,000 articles; from the whole body, ~150 ms.
        """
        stored = searcher.stored_fields(docnum)
        text = "\n".join(
            [
                stored.get("title", ""),
                *stored.get("person_names", []),
                stored.get("body", "")[:MORE_LIKE_THIS_LEDE],
            ]
        )
        terms = self._key_terms(text, MORE_LIKE_THIS_TERMS)
        return wq.Or([wq.Term(self.content_field_name, word, boost=w) for word, w in terms])

    def _key_terms(self, text, count):
        """The ``count`` words that best tell ``text`` from the rest of the index, weighted.

        Whoosh's ``key_terms_from_text`` (its Bo1 model, unnormalised, as ``more_like`` asks),
        with each word's frequency read once per segment rather than thrice per request.
        """
        field = self.schema[self.content_field_name]
        weights = Counter()
        for btext, _, weight, _ in field.index(text):
            weights[btext] += weight
        readers = [reader for reader, _ in self._segment_readers()]
        documents = sum(reader.doc_count_all() for reader in readers)
        scored = []
        for btext, weight in weights.items():
            frequency = sum(
                self._values.frequency(reader, self.content_field_name, btext) for reader in readers
            )
            if frequency:
                f = frequency / documents
                scored.append((weight * log2((1 + f) / f) + log2(1 + f), field.from_bytes(btext)))
        if not scored:
            return []
        top = max(score for score, _ in scored)
        scored.sort(key=lambda item: (-item[0], item[1]))
        return [(word, score / top) for score, word in scored[:count]]


class _TopAndEveryMatch(TopCollector):
    """The top N by score and every matching document, in one pass over the matches.

    Whoosh's top-N collector skips blocks that cannot reach the top N, so the total (which
    haystack always asks for) and the matching documents (for facets) each take another run
    of the query. Scoring every match costs less than those runs: at 20,000 articles a
    phrase of two common words with its total and facets takes 103 ms instead of 298 ms.
    """

    def __init__(self, limit):
        # Neither skipping blocks nor replacing matchers by ones that only find the top N.
        super().__init__(limit, usequality=False, replace=0)

    def _collect(self, global_docnum, score):
        self.docset.add(global_docnum)
        return super()._collect(global_docnum, score)

    def all_ids(self):
        return self.docset

    def results(self):
        results = super().results()
        results.docset = self.docset
        return results


def _with_every_match(collector):
    """``collector``, made to keep every matching document as it runs (if it does not)."""
    if isinstance(collector, FilterCollector):
        collector.child = _with_every_match(collector.child)
    elif isinstance(collector, TopCollector):
        collector = _TopAndEveryMatch(collector.limit)
    return collector


class _UnscoredMatches(UnsortedCollector):
    """Whoosh's unscored collector, stepping through the matches of an AND of words.

    For the matches of an unscored search Whoosh reads ``all_ids()`` of the matcher: every
    posting of every word, an intersection making a set of each side. Stepping through an
    intersection skips the common words' postings by blocks to the next document of the rarer
    ones instead: counts of a long title's words (as corrections and relaxations ask, with
    words such as "corp" and "net" in thousands of articles) read a few blocks, not all.
    """

    def matches(self):
        if isinstance(self.matcher, IntersectionMatcher):
            return self._step_through_matches()
        return super().matches()


def _stepping_through_and(collector):
    """``collector`` (Whoosh's unscored one, perhaps filtered) with ``_UnscoredMatches``."""
    if isinstance(collector, FilterCollector):
        collector.child = _stepping_through_and(collector.child)
    elif type(collector) is UnsortedCollector:
        collector = _UnscoredMatches()
    return collector


class _LazyResults(Sequence):
    """Results built from Whoosh hits when first read."""

    def __init__(self, hits, build):
        self.hits, self.build, self.built = hits, build, {}

    def __len__(self):
        return len(self.hits)

    def __getitem__(self, position):
        if isinstance(position, slice):
            return [self[i] for i in range(*position.indices(len(self)))]
        position = range(len(self))[position]
        if position not in self.built:
            self.built[position] = self.build(self.hits[position])[0]
        return self.built[position]


def sort_facet(schema, sort_by):
    """Whoosh sort facets for haystack's ``order_by``; documents without a value last."""
    facets = []
    for name in sort_by or ():
        fieldname = name.lstrip("-")
        if fieldname == "score":
            continue
        missing = getattr(schema[fieldname], "default", None)
        if name.startswith("-") and isinstance(missing, int):
            # Whoosh sorts a missing number as the largest: first when newest-first.
            facets.append(TranslateFacet(lambda v, m=missing: (v == m, -v), FieldFacet(fieldname)))
        else:
            facets.append(FieldFacet(fieldname, reverse=name.startswith("-")))
    return MultiFacet(facets) if facets else None


def _time(value):
    if isinstance(value, datetime):
        return value.hour, value.minute, value.second
    if isinstance(value, date):
        return ()
    raise TypeError(f"not a date: {value!r}")


class ArchiveWhooshSearchQuery(WhooshSearchQuery):
    """Exact filters on exact fields search the term itself (stock quotes it into a phrase)."""

    def build_query_fragment(self, field, filter_type, value):
        from haystack import connections

        if filter_type == "exact" and field != "content" and isinstance(value, str):
            fieldname = connections[self._using].get_unified_index().get_index_fieldname(field)
            if not self.backend.setup_complete:
                self.backend.setup()
            kind = self.backend.field_kinds.get(fieldname, ("", False))[0]
            if kind == "exact":
                return f"{fieldname}:({_quote_term(value)})"
        return super().build_query_fragment(field, filter_type, value)


def _quote_term(value):
    """A Whoosh single-quoted term: taken as one term, whatever it contains."""
    escaped = value.replace("'", "\\'")
    return f"'{escaped}'"


class ArchiveWhooshEngine(BaseEngine):
    backend = ArchiveWhooshBackend
    query = ArchiveWhooshSearchQuery
