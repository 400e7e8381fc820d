"""Correcting misspelt query words from the archive's own vocabulary, weighted by frequency.

As Meilisearch and Typesense tolerate typos: a query word is compared with the index's words
by Damerau-Levenshtein distance (two letters swapped count as one edit), up to one edit for
words of 4 to 7 letters and two for longer ones. Among the candidates, the fewest edits win,
then a person's or a tag's name, then a title word, then the most frequent word.

Candidates tied on edits are told apart by the rest of the query: one found in documents
with the query's other words ("smill" among "contracts seen as too" is "small", not
"still") wins. A word is left alone when it is a stop word, shorter than 4 letters, or
known to the archive, unless it is rare (in at most ``RARE`` documents), occurs in no
document with the query's other words, and a candidate one edit away is at least
``FREQUENCY_RATIO`` times as frequent: a typo that happens to occur in a document or two
("bugdet") is still corrected, a rare word the documents spell so ("oustanding") is not.

The words come from the index: the unstemmed words of titles and names, and the stemmed
terms of the whole text (a stem is shown as a word found in a document that has it).
Vocabularies are built once per segment (segments never change) and merged per searcher;
RapidFuzz computes the distances in C++ (~10 ms a word over 20,000 articles' vocabulary).
"""

import threading
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein
from whoosh import query as wq
from whoosh.analysis import STOP_WORDS

from articles.index.whoosh.analysis import folded, match_spans, word_key

MIN_LENGTH = 4
LONG_WORD = 8  # letters from which two edits are allowed
RARE = 2
FREQUENCY_RATIO = 3
#: Candidates tied on edits that are told apart by the rest of the query.
TIED_CANDIDATES = 6
NAME_FIELDS = ("person_names", "tag_names")
TITLE_FIELD = "title"


@dataclass
class Vocabulary:
    """Document frequencies of the words (and stems) of one set of segments."""

    names: dict[str, int]  # unstemmed words of people's and tags' names
    titles: dict[str, int]  # unstemmed words of titles
    stems: dict[str, int]  # stemmed terms of the whole text

    @cached_property
    def choices(self):
        """The words of each kind as lists, in the order candidates are preferred."""
        return [list(self.names), list(self.titles), list(self.stems)]

    @cached_property
    def title_word_for_stem(self):
        """The most frequent title word of each stem."""
        best = {}
        for word, count in self.titles.items():
            stem = word_key(word)
            if count > self.titles.get(best.get(stem), 0):
                best[stem] = word
        return best

    @classmethod
    def of_segment(cls, reader, text_field):
        def frequencies(fieldnames):
            found = {}
            for fieldname in fieldnames:
                if fieldname in reader.schema:
                    for term, info in reader.iter_field(fieldname):
                        word = term.decode() if isinstance(term, bytes) else term
                        found[word] = found.get(word, 0) + info.doc_frequency()
            return found

        return cls(frequencies(NAME_FIELDS), frequencies([TITLE_FIELD]), frequencies([text_field]))

    @classmethod
    def merged(cls, vocabularies):
        merged = cls({}, {}, {})
        for vocabulary in vocabularies:
            for name in ("names", "titles", "stems"):
                into = getattr(merged, name)
                for word, count in getattr(vocabulary, name).items():
                    into[word] = into.get(word, 0) + count
        return merged


class Vocabularies:
    """Per segment vocabularies, and their merge per set of segments (see ``_SegmentValues``
    in the backend for the same life cycle)."""

    def __init__(self):
        self.segments, self.merged, self.lock = {}, {}, threading.Lock()

    def of(self, readers, text_field):
        key = tuple(segment_id for _, segment_id in readers)
        merged = self.merged.get(key)
        if merged is None:
            parts = []
            for reader, segment_id in readers:
                part = self.segments.get(segment_id)
                if part is None:
                    part = Vocabulary.of_segment(reader, text_field)
                parts.append(part)
                with self.lock:
                    self.segments[segment_id] = part
            merged = Vocabulary.merged(parts)
            with self.lock:
                self.merged = {key: merged}  # only the current searcher's is worth keeping
                self.segments = {sid: self.segments[sid] for _, sid in readers}
        return merged


def correct(words, vocabulary, searcher, text_field):
    """``words`` with the misspelt ones corrected (a new list), or None if none is."""
    stems = [word_key(folded(word)) for word in words]
    known = [stem for stem in stems if stem in vocabulary.stems]
    corrected = [
        _correction(word, [s for s in known if s != stem], vocabulary, searcher, text_field) or word
        for word, stem in zip(words, stems, strict=True)
    ]
    return corrected if corrected != list(words) else None


def _together(searcher, text_field, stems):
    """Whether any document has all the ``stems``. The first one found answers, and the
    matcher skips through the postings (a segment's postings leave out its deleted
    documents), where counting them all would read every posting of each common word."""
    query = wq.And([wq.Term(text_field, stem) for stem in stems])
    return any(query.matcher(sub).is_active() for sub, _ in searcher.leaf_searchers())


def _correction(word, others, vocabulary, searcher, text_field):
    """The word ``word`` was meant to be, or None to leave it as it is; ``others`` are the
    stems of the query's other words that the archive knows."""
    plain = folded(word)
    if len(plain) < MIN_LENGTH or plain in STOP_WORDS or not plain.isalpha():
        return None
    stem = word_key(plain)
    known = max(vocabulary.stems.get(stem, 0), vocabulary.titles.get(plain, 0))
    if known > RARE or (known and others and _together(searcher, text_field, [stem, *others])):
        return None
    most = 1 if len(plain) < LONG_WORD else 2
    candidates = []  # (edits, preference, -frequency, word)
    frequencies = (vocabulary.names, vocabulary.titles, vocabulary.stems)
    for preference, choices in enumerate(vocabulary.choices):
        asked = word_key(plain) if choices is vocabulary.choices[2] else plain
        for candidate, edits, _ in process.extract(
            asked, choices, scorer=DamerauLevenshtein.distance, score_cutoff=most, limit=None
        ):
            if candidate != asked and candidate not in STOP_WORDS:
                frequency = frequencies[preference][candidate]
                candidates.append((edits, preference, -frequency, candidate))
    if not candidates:
        return None
    fewest = min(candidates)[0]
    tied = sorted(c for c in candidates if c[0] == fewest)[:TIED_CANDIDATES]
    if others and len(tied) > 1:
        tied.sort(key=lambda c: (not _together(searcher, text_field, [_stem(c), *others]), c))
    edits, preference, negative_frequency, best = tied[0]
    if known and not (edits == 1 and -negative_frequency >= FREQUENCY_RATIO * known):
        return None
    if known and others and not _together(searcher, text_field, [_stem(tied[0]), *others]):
        return None  # a known word is only replaced by one that fits the rest of the query
    if preference == 2:  # a stem: show a word a document has
        return _word_for_stem(best, vocabulary, searcher.reader(), text_field)
    return best


def _stem(candidate):
    """The index term of a candidate (a word, or already a stem)."""
    _, preference, _, word = candidate
    return word if preference == 2 else word_key(word)


def _word_for_stem(stem, vocabulary, reader, text_field):
    """A word that has the stem ``stem``: from a title if one has it, else from a document."""
    if stem in vocabulary.title_word_for_stem:
        return vocabulary.title_word_for_stem[stem]
    postings = reader.postings(text_field, stem)
    body = reader.stored_fields(postings.id()).get("body", "")
    spans = match_spans(body, frozenset([stem]), frozenset())
    return folded(body[spans[0][0] : spans[0][1]]) if spans else stem
