"""Titles as readers see them: ALL-CAPS wire headlines in title case, search words marked.

The stored title never changes (citations and the article page show it as the source gave
it); ``display_title`` is only how lists and headings show it::

    display_title("USX <X> DEBT DOWGRADED BY MOODY'S")  # "USX <X> Debt Dowgraded by Moody's"
    display_title("Trump Wins the Presidency")           # unchanged: not all capitals

Title case is John Gruber's rules (the ``titlecase`` library: small words lower case,
"U.S." and words without vowels kept) plus what wire copy needs: known acronyms stay in
capitals, ticker symbols (``<UPCO>``) stay as they are, and the wire's abbreviations are
capitalised (``Mln``, ``Dlrs``, ``Pct``).
"""

import re
from functools import lru_cache
from html import unescape

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from titlecase import titlecase

#: Share of capitals among the letters above which a title is "ALL CAPS".
CAPS_SHARE = 0.9
MIN_LETTERS = 6
ACRONYMS = frozenset(
    """
    ABC AFL AG AIDS AMEX ANC AT&T BBC BHP BP CBS CEO CIA CNN EC ECU EEC EMS EU FAO FBI FDIC FRG
    GAF GAO GATT GDP GE GM GMT GNP IBM ICO IEA IMF IRA IRS ITT KGB LDC LDCS NASA NATO NBC NYSE
    OAS OECD OK OPEC OTC PLC PLO RCA SA SEC TV TWA UAE UAW UK UN UNCTAD UPI US USA USDA USSR USX
    WHO MITI NWA
    """.split()  # noqa: SIM905
)
#: The wire's abbreviations, capitalised rather than shouted.
ABBREVIATIONS = {
    "MLN": "Mln", "BLN": "Bln", "DLR": "Dlr", "DLRS": "Dlrs", "STG": "Stg", "PCT": "Pct",
    "CTS": "Cts", "QTR": "Qtr", "SHR": "Shr", "YR": "Yr", "MTH": "Mth", "MTHS": "Mths",
    "LTD": "Ltd", "CORP": "Corp", "INC": "Inc", "CO": "Co", "BPD": "BPD", "NET": "Net",
}  # fmt: skip
_TICKER = re.compile(r"^<[^<>]+>$")
_BRACKETED = re.compile(r"(<[^<>]*>)")
_MARK = re.compile(r"(</?mark>)")


def is_all_caps(title: str) -> bool:
    letters = [c for c in title if c.isalpha()]
    if len(letters) < MIN_LETTERS:
        return False
    return sum(c.isupper() for c in letters) / len(letters) >= CAPS_SHARE


def _known_form(bare):
    """An acronym's or an abbreviation's form, or ``None``."""
    upper = bare.upper()
    if upper in ACRONYMS:
        return upper
    return ABBREVIATIONS.get(upper)


def _wire_word(word, all_caps=True, **kwargs):
    """``titlecase`` callback: the form of ``word`` to keep, or ``None`` to apply the rules."""
    if "<" in word or ">" in word:
        # Tickers (<UPCO>) as they are; around them, and in a bracketed name (<DALE BURDETT
        # INC>), each piece capitalised.
        pieces = []
        for piece in _BRACKETED.split(word):
            if _TICKER.match(piece) or not piece:
                pieces.append(piece)
                continue
            bare = piece.strip("<>")
            shown = _known_form(bare) or bare.capitalize()
            pieces.append(piece.replace(bare, shown) if bare else piece)
        return "".join(pieces)
    bare = word.strip(".,:;!?\"'()")
    known = _known_form(bare) if bare else None
    return word.replace(bare, known) if known else None


@lru_cache(maxsize=8192)
def display_title(title: str) -> str:
    """``title`` in title case if it is ALL CAPS, else unchanged (see the module docstring)."""
    if not is_all_caps(title):
        return title
    shown = titlecase(title, callback=_wire_word)
    return shown[:1].upper() + shown[1:]


def highlighted_title(title: str, highlighted: str | None) -> SafeString:
    """The display title as safe HTML, with the ``<mark>``s the search engine put in the stored
    ``title`` (``highlighted``: escaped text and marks) moved onto the display form.

    Title case changes only the case of letters, so the marks keep their places; if the two do
    not line up (a title the engine cut short), the display title is shown unmarked.
    """
    shown = display_title(title)
    if not highlighted or "<mark>" not in highlighted:
        return escape(shown)
    spans, plain, inside, start = [], [], False, 0
    for part in _MARK.split(highlighted):
        if part in ("<mark>", "</mark>"):
            if part == "<mark>":
                inside, start = True, sum(map(len, plain))
            elif inside:
                inside = False
                spans.append((start, sum(map(len, plain))))
            continue
        plain.append(unescape(part))
    if "".join(plain) != title or len(shown) != len(title):
        return escape(shown)
    html, pos = [], 0
    for first, last in spans:
        html += [escape(shown[pos:first]), "<mark>", escape(shown[first:last]), "</mark>"]
        pos = last
    html.append(escape(shown[pos:]))
    return mark_safe("".join(html))
