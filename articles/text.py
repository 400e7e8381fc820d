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


def strip_control_characters(text: str) -> str:
    """``text`` with control and format characters replaced by spaces (tabs, newlines too)."""
    return "".join(" " if unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp"} else c for c in text)
