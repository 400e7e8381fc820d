"""Text helpers shared by parsing, search and browsing (pure functions, no Django).

``fold`` is the one way the archive compares words: case and accents ignored. The search
engine's analyzer folds with it too, so a query word and an indexed word fold alike.
(``parsing.normalize_key`` is a different idea: the identity of a person or tag, where
accents matter and only case and spacing do not.)

``strip_control_characters`` makes a query plain text (every invisible character separates
words); ``remove_control_characters`` cleans text that is stored (only control characters go,
invisible characters that carry meaning, such as zero-width joiners in names, stay).
"""

import re
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
    if text.isprintable():  # none of them (checked in C): most titles, names and ledes
        return text
    return "".join(" " if unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp"} else c for c in text)


#: Control characters (Unicode category Cc: C0, DEL and C1) other than tab, line feed and
#: carriage return.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _control_replacement(match: re.Match) -> str:
    return " " if match[0].isspace() else ""


def remove_control_characters(text: str) -> tuple[str, int]:
    """``text`` without ``CONTROL_CHARACTERS``, and how many there were.

    Those that separate words (``str.isspace``: vertical tab, form feed, the information
    separators U+001C-U+001F, next line U+0085) become a space; the others are removed.
    """
    return CONTROL_CHARACTERS.subn(_control_replacement, text)
