"""The archive's query language: text -> clauses -> backend-neutral haystack ``SQ``.

Documented for readers on ``/search/help/``::

    budget tax          both words (stemmed, case- and accent-insensitive)
    "health care"       the exact phrase
    -trump              articles without the word
    tax OR budget       either word
    presid*             words beginning with "presid"
    title:budget        the word in the title; also person: and tag:
    person:"Vladimir Putin"  a phrase in a field

``parse_query`` turns the text into a ``ParsedQuery`` (never raising: bad syntax gives
messages and a best-effort query), whose ``to_sq`` builds the ``SQ`` any haystack backend
understands.
"""

import re
from dataclasses import dataclass, field, replace

from haystack.inputs import Clean, Exact
from haystack.query import SQ

from articles.text import fold, strip_control_characters

MAX_QUERY_LENGTH = 500
MAX_CLAUSES = 30
MIN_PREFIX_LENGTH = 2

#: Field prefixes of the query language -> index fields.
QUERY_FIELDS = {"title": "title", "person": "person_names", "tag": "tag_names"}

_FIELD_RE = re.compile(r"(title|person|tag):", re.IGNORECASE)
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"'})
# Punctuation a word may not start or end with (inner punctuation such as U.S. or AT&T stays).
_EDGE_PUNCTUATION = "()[]{}<>,;:!?'’‘`~^=+|\\/@#$&"


@dataclass(frozen=True)
class Clause:
    """One searchable thing: a word or a phrase, perhaps in a field, a prefix, or excluded."""

    value: str
    field: str | None = None
    phrase: bool = False
    prefix: bool = False
    negated: bool = False

    @property
    def spellable(self):
        """A plain word: not a phrase, a prefix, in a field or excluded."""
        return not (self.phrase or self.prefix or self.negated or self.field)

    def __str__(self):
        text = f'"{self.value}"' if self.phrase else self.value + ("*" if self.prefix else "")
        return ("-" if self.negated else "") + (f"{self.field}:" if self.field else "") + text

    def to_sq(self, also=()):
        """The backend-neutral ``SQ`` for this clause (negated if it is excluded); ``also``:
        ``SQ``s that match it too (e.g. the survivor of a merged-away tag it names)."""
        index_field = QUERY_FIELDS.get(self.field, "content")
        if self.phrase:
            sq = SQ(**{index_field: Exact(self.value, clean=True)})
        elif self.prefix:
            sq = SQ(**{f"{index_field}__startswith": fold(self.value)})
        else:
            sq = SQ(**{index_field: Clean(self.value)})
        for other in also:
            sq |= other
        return ~sq if self.negated else sq


@dataclass
class ParsedQuery:
    """A query as clauses: every group must match; a group matches if one of its clauses does."""

    groups: list[tuple[Clause, ...]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    #: ``{clause: [SQ, ...]}``: what else matches a clause (``articles.search.aliases``).
    also: dict = field(default_factory=dict)

    def __bool__(self):
        return bool(self.groups)

    def __str__(self):
        return " ".join(" OR ".join(map(str, group)) for group in self.groups)

    @property
    def clauses(self):
        return [clause for group in self.groups for clause in group]

    @property
    def positive_words(self):
        """The words the reader is looking for (not excluded), in order, e.g. for names."""
        return [
            word
            for clause in self.clauses
            if not clause.negated and clause.field in {None, "person"}
            for word in clause.value.split()
        ]

    @property
    def spellable_words(self):
        """The plain words (not phrases, prefixes, fields or excluded words): what a spelling
        correction may replace."""
        return [clause.value for clause in self.clauses if clause.spellable]

    def to_sq(self):
        """The query as one ``SQ``, or ``None`` when nothing is left to search for."""
        combined = None
        for group in self.groups:
            group_sq = group[0].to_sq(self.also.get(group[0], ()))
            for clause in group[1:]:
                group_sq |= clause.to_sq(self.also.get(clause, ()))
            combined = group_sq if combined is None else combined & group_sq
        return combined

    def with_words_replaced(self, replacements):
        """A copy of the query with plain words replaced (``{word: new}``): corrections."""
        groups = [
            tuple(
                replace(c, value=replacements.get(c.value, c.value)) if c.spellable else c
                for c in group
            )
            for group in self.groups
        ]
        return ParsedQuery(groups)

    def corrected(self, suggestion):
        """A copy with the plain words replaced by the engine's ``suggestion`` (the same words,
        space-separated, some corrected), or None when it changes nothing."""
        words, better = self.spellable_words, (suggestion or "").split()
        if not better or len(better) != len(words):
            return None
        replacements = {w: b for w, b in zip(words, better, strict=True) if fold(w) != fold(b)}
        return self.with_words_replaced(replacements) if replacements else None

    def with_last_word_completed(self):
        """A copy whose last plain word also matches the words it begins (``rea`` -> ``rea*``),
        or None when the query does not end with one long enough."""
        last = self.clauses[-1] if self.groups else None
        if last is None or not last.spellable or len(last.value) < MIN_PREFIX_LENGTH:
            return None
        groups = [*self.groups[:-1], (*self.groups[-1][:-1], replace(last, prefix=True))]
        return ParsedQuery(groups)

    def without_group(self, index):
        """A copy without the ``index``-th group: what dropping a word would find."""
        return ParsedQuery([g for n, g in enumerate(self.groups) if n != index])


_OR = object()


def parse_query(text):
    """Parse the query language; never raises: problems become messages and are skipped."""
    messages = []
    cleaned = strip_control_characters(text)
    if cleaned != text:
        messages.append("Control characters in the query were removed.")
    cleaned = cleaned.translate(_QUOTES)
    items = _lex(cleaned, messages)
    groups = _group(items, messages)
    if len(groups) > MAX_CLAUSES:
        messages.append(
            f"Only the first {MAX_CLAUSES} words or phrases of the query were searched for."
        )
        groups = groups[:MAX_CLAUSES]
    return ParsedQuery(groups, messages)


def _lex(text, messages):
    """``text`` as a list of ``Clause`` objects and ``_OR`` markers."""
    items = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        negated = text[i] == "-"
        i += negated
        prefix_field = None
        if match := _FIELD_RE.match(text, i):
            prefix_field, i = match.group(1).lower(), match.end()
        if i < n and text[i] == '"':
            end = text.find('"', i + 1)
            if end != -1:
                phrase = " ".join(filter(None, map(_clean_word, text[i + 1 : end].split())))
                i = end + 1
                clause = (
                    Clause(phrase, prefix_field, phrase=" " in phrase, negated=negated)
                    if phrase
                    else _word_clause("", prefix_field, negated, messages)
                )
                items.extend([clause] if clause else [])
                continue
            messages.append(
                "A quotation mark was not closed, so the words after it were searched "
                'for one by one. Put a phrase between two quotation marks: "health care".'
            )
            i += 1
        end = i
        while end < n and not text[end].isspace() and text[end] != '"':
            end += 1
        raw, i = text[i:end], end
        if raw == "OR" and not (negated or prefix_field):
            items.append(_OR)
        elif clause := _word_clause(raw, prefix_field, negated, messages):
            items.append(clause)
    return items


def _clean_word(raw):
    """``raw`` without stray ``*`` and edge punctuation."""
    return raw.replace("*", "").strip(_EDGE_PUNCTUATION + "-")


def _word_clause(raw, prefix_field, negated, messages):
    """The clause for one word (or ``None`` with a message when there is nothing to search)."""
    prefix = raw.endswith("*")
    word = _clean_word(raw)
    if not word:
        if prefix_field:
            messages.append(
                f"“{prefix_field}:” must be followed by a word or a phrase, e.g. "
                f"{prefix_field}:{'budget' if prefix_field != 'person' else 'putin'} or "
                f'{prefix_field}:"two words"; it was left out.'
            )
        elif negated:
            messages.append(
                "A minus sign excludes the word right after it, e.g. -budget; "
                "the lone “-” was left out."
            )
        elif "*" in raw:
            messages.append(
                "A * goes at the end of the beginning of a word, e.g. presid*; "
                "the lone “*” was left out."
            )
        return None
    if prefix and len(word) < MIN_PREFIX_LENGTH:
        messages.append(
            f"A prefix search needs at least {MIN_PREFIX_LENGTH} letters before the *; "
            f"“{raw}” was searched for as a word."
        )
        prefix = False
    return Clause(word, prefix_field, prefix=prefix, negated=negated)


def _group(items, messages):
    """Join clauses around ``OR`` markers into groups; a misplaced ``OR`` is left out."""
    groups = []
    pending_or = False
    misplaced = False
    for item in items:
        if item is _OR:
            if not groups or pending_or:
                misplaced = True
            pending_or = True
            continue
        if pending_or and groups:
            groups[-1] = (*groups[-1], item)
        else:
            groups.append((item,))
        pending_or = False
    if pending_or or misplaced:
        messages.append(
            "OR goes between two words or phrases, e.g. tax OR budget; a misplaced OR was left out."
        )
    return groups
