"""How our Whoosh index reads text: words, folding, stop words, stems; and highlighting.

One analyzer for all text fields (``WordAnalyzer``), and snippets highlighted by finding
the words the index would match in the stored body (``highlight``), without re-running
the analyzer over it.
"""

import re
from functools import lru_cache
from html import escape

from whoosh.analysis import STOP_WORDS, Token, Tokenizer
from whoosh.lang.porter import stem

from articles.index.documents import PART_SEPARATOR
from articles.text import fold

WORD_RE = re.compile(r"\w+(?:\.?\w+)*")  # Whoosh's default tokenizer expression
#: How far ``PART_SEPARATOR`` (between the title, each name and the body) moves the next
#: word's position, so that no phrase spans two parts.
PART_GAP = 100
SNIPPET_CHARS = 240


class WordAnalyzer(Tokenizer):
    """Words, lower case, accents folded, English stop words dropped, Porter stems (optional).

    The same tokens as ``RegexTokenizer() | LowercaseFilter() | CharsetFilter(...) |
    StopFilter() | StemFilter()`` (folding with ``articles.text.fold``), in one pass over text
    folded once and with cached stems: about twice as fast, and analysis is most of the cost
    of indexing. Each
    ``PART_SEPARATOR`` in the text moves the next word's position ``PART_GAP`` further on.
    """

    def __init__(self, stemming=True):
        self.stemming = stemming

    def __eq__(self, other):
        return self.__class__ is other.__class__ and self.stemming == other.stemming

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost, token.stopped = 1.0, False
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        key = word_key if self.stemming else str
        pos = start_pos
        for part in value.split(PART_SEPARATOR):
            folded_part = fold(part)
            same_offsets = len(folded_part) == len(part)
            for match in WORD_RE.finditer(folded_part if same_offsets else part):
                word = match.group() if same_offsets else folded(match.group())
                stopped = len(word) < 2 or word in STOP_WORDS
                if stopped and removestops:
                    continue
                token.stopped = stopped
                token.text = word if stopped else key(word)
                token.boost = 1.0
                if keeporiginal:
                    token.original = part[match.start() : match.end()] if same_offsets else word
                if positions:
                    token.pos = pos
                    pos += not stopped
                if chars:
                    token.startchar = start_char + match.start()
                    token.endchar = start_char + match.end()
                yield token
            pos += PART_GAP
            start_char += len(part) + len(PART_SEPARATOR)


def text_analyzer():
    """Words, lower case, accents folded, stop words dropped, Porter stems."""
    return WordAnalyzer()


def exact_word_analyzer():
    """Like ``text_analyzer`` without stemming: titles and names keep real words (for spelling)."""
    return WordAnalyzer(stemming=False)


@lru_cache(maxsize=200_000)
def word_key(word):
    """The term ``text_analyzer`` makes of one word (what highlighting compares)."""
    return stem(fold(word))


folded = lru_cache(maxsize=100_000)(fold)


@lru_cache(maxsize=256)
def candidate_pattern(stems, words):
    """A regex for the words that may analyse to ``stems`` or fold to ``words``.

    A Porter stem differs from its words at most in its last letter, so the stem less that
    letter is a prefix of every word it comes from; candidates are verified exactly.
    """
    prefixes = {stem[:-1] if len(stem) > 3 else stem for stem in stems} | set(words)
    if not prefixes:
        return None
    alternation = "|".join(sorted(map(re.escape, prefixes), key=len, reverse=True))
    return re.compile(rf"\b(?:{alternation})\w*(?:\.\w+)*", re.IGNORECASE)


def match_spans(text, stems, words):
    """Where in ``text`` the words are that the index would match to the terms."""
    pattern = candidate_pattern(stems, words)
    if pattern is None:
        return []
    searched = text
    if not text.isascii():
        searched = fold(text)
        if len(searched) != len(text):  # folding moved the offsets: check every word
            pattern, searched = WORD_RE, text
    return [
        m.span()
        for m in pattern.finditer(searched)
        if word_key(m.group()) in stems or folded(m.group()) in words
    ]


def highlight(text, stems, words=frozenset(), max_chars=SNIPPET_CHARS):
    """An HTML snippet of ``text`` around its best run of matches, matches in ``<mark>``.

    ``stems`` are stemmed terms, ``words`` unstemmed ones (from exact-word fields). Without a
    match the snippet is the start of the text. Everything but the marks is escaped.
    """
    if not text:
        return ""
    spans = match_spans(text, stems, words)
    if spans:
        # The window of max_chars holding the most matches, started a little before the first.
        best, best_count, j = 0, 0, 0
        for i, (start, _) in enumerate(spans):
            while j < len(spans) and spans[j][1] - start <= max_chars:
                j += 1
            if j - i > best_count:
                best, best_count = i, j - i
        start = max(0, spans[best][0] - max_chars // 6)
    else:
        start = 0
    end = min(len(text), start + max_chars)
    if start:
        space = text.find(" ", start, spans[best][0] if spans else end)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    parts, pos = [], start
    for s, e in spans:
        if s < start or e > end:
            continue
        parts.append(escape(text[pos:s]))
        parts.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    parts.append(escape(text[pos:end]))
    html = "".join(parts).replace("\n\n", " ¶ ").replace("\n", " ")
    return ("…" if start else "") + html + ("…" if end < len(text) else "")
