"""Text helpers shared by parsing, search and browsing (pure functions, no Django).

``fold`` is the one way the archive compares words: case and accents ignored. The search
engine's analyzer folds with it too, so a query word and an indexed word fold alike.
(``parsing.normalize_key`` is a different idea: the identity of a person or tag, where
accents matter and only case and spacing do not.)
"""

import unicodedata


def _accent_table():
    """Accented characters -> their base letters (compatibility decomposition, marks dropped);
    combining marks on their own -> nothing."""
    table = {}
    for code in range(0x80, 0x3000):
        char = chr(code)
        if unicodedata.combining(char):
            table[code] = None
            continue
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        if base and base != char:
            table[code] = base
    return table


_ACCENTS = _accent_table()


def fold(text: str) -> str:
    """``text`` case-folded and without accents (``"José"`` -> ``"jose"``); one C pass each."""
    return text.casefold().translate(_ACCENTS)


#: Put before a sort key that does not start with a letter: such names (digits, signs) come
#: first, as one group, before every letter (``#`` sorts below the folded letters).
NON_LETTER_PREFIX = "#"


def sort_key(text: str) -> str:
    """The A-Z sort key of a name: folded (case and accents ignored), spaces collapsed, and
    ``#`` before a name that does not start with a letter (``"Émile"`` -> ``"emile"``,
    ``"3M"`` -> ``"#3m"``). Compared as plain code points (byte by byte in UTF-8)."""
    key = " ".join(fold(text).split())
    return key if key[:1].isalpha() else NON_LETTER_PREFIX + key


def strip_control_characters(text: str) -> str:
    """``text`` with control and format characters replaced by spaces (tabs, newlines too)."""
    return "".join(" " if unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp"} else c for c in text)
