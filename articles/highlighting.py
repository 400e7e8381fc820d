"""Search words marked in an article's text (``?highlight=...`` from a search result).

The words are read with the search's own query language (``articles.search.query``): the
words and phrases looked for, not the excluded ones; a ``prefix*`` marks every word it begins.
A word matches case- and accent-insensitively (``articles.text.fold``) and in its other
common English forms (a light suffix stemmer: "election" marks "elections"), as the search
engine's stemming does. Everything but the marks is escaped.
"""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.search.query import parse_query
from articles.text import fold

MAX_HIGHLIGHT_LENGTH = 200
MAX_TERMS = 12
_WORD = re.compile(r"\w+(?:['’]\w+)*")
_SUFFIXES = ("'s", "’s", "ings", "ing", "edly", "ed", "ies", "es", "s", "ly")


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def highlight_terms(text: str) -> list[tuple[str, bool]]:
    """``(folded word, is a prefix)`` for the words ``text`` (a search query) looks for."""
    text = (text or "")[:MAX_HIGHLIGHT_LENGTH]
    terms = []
    for clause in parse_query(text).clauses:
        if clause.negated:
            continue
        for word in _WORD.findall(clause.value):
            term = (fold(word), clause.prefix)
            if len(term[0]) >= 2 and term not in terms:
                terms.append(term)
    return terms[:MAX_TERMS]


def matches(word: str, terms) -> bool:
    folded = fold(word)
    stem = _stem(folded)
    return any(
        folded.startswith(term) if prefix else folded == term or stem == _stem(term)
        for term, prefix in terms
    )


def highlighted(text: str, terms) -> SafeString:
    """``text`` escaped, its words matching ``terms`` in ``<mark>``."""
    if not terms:
        return escape(text)
    html, pos = [], 0
    for found in _WORD.finditer(text):
        if matches(found.group(), terms):
            html += [escape(text[pos : found.start()]), "<mark>", escape(found.group()), "</mark>"]
            pos = found.end()
    html.append(escape(text[pos:]))
    return mark_safe("".join(html))
