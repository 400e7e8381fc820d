"""Parse one seed file into a `ParsedArticle`.

The format, every decision below and every message, for the people who write the
files: docs/seed-format.md (keep it in step with this docstring).

Pure functions: no database, no Django. `parse_article` either returns a
complete `ParsedArticle` (possibly with `warnings`) or raises `ParseError`
naming the file and line, so a caller never half-ingests a file. What a file
may hold is bounded by `ParseLimits` (the caller passes them in); a file over a
limit is rejected. Every step takes time linear in the file's size.

Format decisions
----------------
Decoding
    UTF-8, with or without a BOM. A UTF-16 file is accepted only with a BOM
    (without one it is full of NUL bytes and is rejected). Data that is not
    UTF-8 is decoded as Windows-1252 with a warning on the line of the first
    bad byte; data with NUL bytes, or that is not Windows-1252 either, is
    "not a text file". Lines end in LF, CRLF or CR (only those: `str.splitlines`
    would also split on U+2028, U+0085 and friends and shift line numbers);
    the final newline is optional.
Control characters
    Unicode category Cc other than tab, LF and CR (C0, DEL, C1) are removed
    from every line, with one warning naming the lines; those that separate
    words (vertical tab, form feed, U+001C-U+001F, U+0085) become a space.
    Format characters stay: zero-width (non-)joiners, direction marks and
    soft hyphens belong to names and words in many scripts.
Line 1
    The identifier: an ``http(s)://`` URL or a ``urn:NID:...`` URN, with no
    spaces. Anything else means the file is not an article.
Line 2
    The title. The text after the *last* " - " is removed as the publication
    only when it is one of `KNOWN_PUBLICATIONS`; otherwise (a title with its
    own " - ", a title without a suffix) the whole line is the title.
Line 3
    Comma-separated keywords. NYT wrote people as "Last, First M" and the
    comma became a double space, so a keyword with a run of two or more
    spaces inside it is a person, anything else a tag. A person written
    without a comma at the source ("Kim Jong-un", "Xi Jinping") has no double
    space and so stays a tag: the file does not say it is a person.
Line 4
    "July 7, 2017"; also "Jul 7, 2017", "Sept. 7, 2017", "July 7 2017".
    An empty or malformed date, or one outside `EARLIEST_PUB_DATE` to
    `LATEST_PUB_DATE`, is a warning, not a reject; the date in an NYT-style
    URL (/YYYY/MM/DD/) is used instead when there is one in that range.
Line 5
    An integer of unknown meaning, kept as is. "3,652" (correct thousands
    grouping) is accepted as 3652. Something number-like but malformed
    ("36,52", "-3", "3652.0") or above 2,147,483,647 (the largest value
    every database's integer column takes) is dropped with a warning; a
    number longer than the digit limit is a reject (no source writes one).
    A line with any other text means the number is missing and the body
    starts on line 5.
Body (line 6 on, or 5)
    Each source line is a paragraph break; within a line, `restore_paragraphs`
    finds the breaks lost when the source joined paragraphs with no
    separator. Whitespace runs inside a paragraph collapse to one space.
    `body` is the paragraphs joined by a blank line; `word_count` counts
    whitespace-separated words of the restored body, so "House.Mr." counts
    as the two words it is.
Limits (`ParseLimits`)
    Over one, the file is rejected on the line concerned: its size (line 1,
    before decoding; callers check it before reading), the URL's and the
    title's lengths, the number of keywords and each keyword's stored forms
    (checked before nameparser sees it), the digits on line 5 (before any
    int()), and the restored body's length.
"""

from __future__ import annotations

import codecs
import datetime
import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass

from nameparser import HumanName

from articles.dates import EARLIEST_PUB_DATE, LATEST_PUB_DATE
from articles.text import CONTROL_CHARACTERS, remove_control_characters

__all__ = [
    "DEFAULT_LIMITS",
    "EARLIEST_PUB_DATE",
    "KNOWN_PUBLICATIONS",
    "LATEST_PUB_DATE",
    "ParseError",
    "ParseLimits",
    "ParseWarning",
    "ParsedArticle",
    "PersonName",
    "check_file_size",
    "normalize_key",
    "parse_article",
    "parse_date",
    "parse_keywords",
    "person_from_keyword",
    "read_identifier",
    "restore_paragraphs",
    "split_title",
]

#: Publication names recognised after the last " - " of a title (canonical spelling).
KNOWN_PUBLICATIONS: tuple[str, ...] = (
    "The New York Times",
    "New York Times",
    "NYTimes.com",
    "International New York Times",
    "The International New York Times",
    "International Herald Tribune",
    "The New York Times Magazine",
    "Reuters",
    "The Associated Press",
    "Associated Press",
    "Agence France-Presse",
    "Bloomberg",
    "The Washington Post",
    "The Wall Street Journal",
    "Los Angeles Times",
    "The Guardian",
    "BBC News",
)

#: Largest source number kept (signed 32-bit: fits every database's integer column).
MAX_SOURCE_NUMBER = 2**31 - 1


@dataclass(frozen=True)
class ParseLimits:
    """What one file may hold; over a limit, the file is rejected (docs/seed-format.md).

    The lengths of URL, title and names are the database columns' (``articles.ingest``
    reads them from the model); the others are settings (``ARCHIVE_MAX_*``).
    """

    max_file_bytes: int = 8_000_000
    max_url_chars: int = 500
    max_title_chars: int = 500
    #: Every stored form of a person or tag: source form, display and sort name, key.
    max_name_chars: int = 200
    max_keywords: int = 100
    max_source_number_digits: int = 20
    max_body_chars: int = 1_000_000


DEFAULT_LIMITS = ParseLimits()


class ParseError(ValueError):
    """A file that cannot be ingested."""

    path: str
    line: int
    message: str

    def __init__(self, path: str, line: int, message: str):
        super().__init__(path, line, message)
        self.path = path
        self.line = line
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class ParseWarning:
    """Something odd about an ingested file; rendered as f"{path}:{line}: {message}"."""

    line: int
    message: str


@dataclass(frozen=True)
class PersonName:
    """A person keyword: source form, matching key, display and sort names."""

    source: str
    key: str
    name: str
    sort_name: str


@dataclass(frozen=True)
class ParsedArticle:
    """Everything read from one seed file."""

    url: str
    title: str
    publication: str
    people: tuple[PersonName, ...]
    tags: tuple[str, ...]
    pub_date: datetime.date | None
    source_number: int | None
    body: str
    word_count: int
    warnings: tuple[ParseWarning, ...]

    @property
    def paragraphs(self) -> list[str]:
        """The body's paragraphs."""
        return self.body.split("\n\n") if self.body else []


# --------------------------------------------------------------------------- helpers


def normalize_key(text: str) -> str:
    """Case- and space-insensitive matching key: NFKC, casefold, collapsed whitespace."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(folded.split())


def _collapse(text: str) -> str:
    """Strip and collapse every whitespace run to one space."""
    return " ".join(text.split())


def _shorten(text: str, limit: int = 60) -> str:
    """`text` cut to `limit` characters for messages, quoted with repr()."""
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def _too_long(what: str, limit: int, length: int, unit: str = "characters") -> str:
    """The message for a limit exceeded: "title longer than 500 characters (612)"."""
    return f"{what} longer than {limit:,} {unit} ({length:,})"


_PUBLICATIONS_BY_KEY = {normalize_key(name): name for name in KNOWN_PUBLICATIONS}

# Line ends: exactly CRLF, CR and LF (see the module docstring).
_LINE_END = re.compile(r"\r\n|\r|\n")
_LINE_END_BYTES = re.compile(rb"\r\n|\r|\n")

# Line 1: an http(s) URL with a host, or a URN (RFC 8141: urn:<NID>:<NSS>); no spaces.
# Possessive quantifiers: a long line with a space fails at once, without backtracking.
_IDENTIFIER = re.compile(r"(?:https?://[^\s/?#]++\S*+|urn:[a-z0-9][a-z0-9-]{0,31}:\S++)", re.I)
# The date in an NYT-style URL path: .../2017/07/07/...
_URL_DATE = re.compile(r"/(\d{4})/(\d{2})/(\d{2})/")


# --------------------------------------------------------------------------- decoding


def _split_lines(text: str) -> list[str]:
    """`text` split at its line ends; without a CR, a plain (faster) split at LF."""
    return _LINE_END.split(text) if "\r" in text else text.split("\n")


def _line_of(data: bytes, offset: int) -> int:
    """1-based line number of byte `offset` in `data`."""
    return len(_LINE_END_BYTES.findall(data, 0, offset)) + 1


def check_file_size(size: int, path: str, limits: ParseLimits = DEFAULT_LIMITS) -> None:
    """Raise `ParseError` for a file of `size` bytes over the limit (check before reading it)."""
    if size > limits.max_file_bytes:
        raise ParseError(path, 1, f"file larger than {limits.max_file_bytes:,} bytes ({size:,})")


def _decode(data: bytes, path: str) -> tuple[str, list[ParseWarning]]:
    """Bytes to text per the module docstring; raises ParseError for non-text."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise ParseError(path, 1, "not a text file: bad UTF-16 after a UTF-16 BOM") from None
        if "\x00" in text:
            line = len(_LINE_END.findall(text, 0, text.index("\x00"))) + 1
            raise ParseError(path, line, "not a text file: contains NUL characters")
        return text, []
    if b"\x00" in data:
        line = _line_of(data, data.index(b"\x00"))
        raise ParseError(path, line, "not a text file: contains NUL bytes")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as utf8_error:
        bad = utf8_error.start
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as error:
        line = _line_of(data, error.start)
        byte = data[error.start]
        message = f"not a text file: neither UTF-8 nor Windows-1252 (byte 0x{byte:02X})"
        raise ParseError(path, line, message) from None
    message = f"not valid UTF-8 (byte 0x{data[bad]:02X}); decoded as Windows-1252"
    return text, [ParseWarning(_line_of(data, bad), message)]


# The control characters below U+0080 as bytes: each is that byte in UTF-8 and Windows-1252,
# and makes a NUL byte in UTF-16. Every C1 control (U+0080-U+009F) starts with byte 0xC2 in
# UTF-8, and Windows-1252 decodes to none.
_CONTROL_BYTES = bytes(byte for byte in range(0x80) if CONTROL_CHARACTERS.match(chr(byte)))


def _may_hold_control_characters(data: bytes) -> bool:
    """False when the text decoded from `data` surely has no control characters: a check of
    the raw bytes, four times faster than searching the text."""
    return len(data.translate(None, _CONTROL_BYTES)) != len(data) or b"\xc2" in data


def _remove_control_characters(lines: list[str]) -> list[ParseWarning]:
    """Remove control characters from `lines`, in place; one warning naming the lines."""
    removed, numbers = 0, []
    for index, line in enumerate(lines):
        lines[index], count = remove_control_characters(line)
        if count:
            removed += count
            numbers.append(index + 1)
    if not numbers:
        return []
    message = f"removed {removed} control character{'s' if removed > 1 else ''}"
    if len(numbers) > 1:
        shown = ", ".join(map(str, numbers[: min(5, len(numbers) - 1)]))
        rest = len(numbers) - 5
        last = f"{rest} more" if rest > 1 else str(numbers[-1])
        message += f" (lines {shown} and {last})"
    return [ParseWarning(numbers[0], message)]


# --------------------------------------------------------------------------- line 1


def _identifier(line: str, path: str, limits: ParseLimits) -> str:
    """The identifier on line 1 (control characters removed); raises `ParseError`."""
    url = line.strip()
    if not _IDENTIFIER.fullmatch(url):
        message = f"expected the article's URL or urn: identifier, found {_shorten(url)}"
        raise ParseError(path, 1, message)
    if len(url) > limits.max_url_chars:
        raise ParseError(path, 1, _too_long("URL", limits.max_url_chars, len(url)))
    return url


def read_identifier(data: bytes, limits: ParseLimits = DEFAULT_LIMITS) -> str | None:
    """The identifier on line 1 as `parse_article` reads it, or None where it would reject
    line 1 (or the whole file as not text). Decodes the file; parses nothing else."""
    try:
        text, _ = _decode(data, "")
        first_line, _ = remove_control_characters(_LINE_END.split(text, maxsplit=1)[0])
        return _identifier(first_line, "", limits)
    except ParseError:
        return None


# --------------------------------------------------------------------------- line 2


def split_title(line: str) -> tuple[str, str]:
    """(title, publication): split at the last " - " when a known publication follows."""
    text = _collapse(line)
    # The leading space lets "- The New York Times" split into an empty title.
    head, sep, tail = (" " + text).rpartition(" - ")
    publication = _PUBLICATIONS_BY_KEY.get(normalize_key(tail)) if sep else None
    if publication is None:
        return text, ""
    return head.strip(), publication


# --------------------------------------------------------------------------- line 3

# A person keyword: "Last" + two or more spaces + "Given Names Suffix".
_PERSON_SPLIT = re.compile(r"\s{2,}")
_PERIOD_SUFFIXES = {"jr", "sr", "esq"}


def _is_initial(token: str) -> bool:
    return len(token) == 1 and token.isalpha()


def _name_parts(last: str, given: str) -> tuple[list[str], list[str]]:
    """Split the given-name part into (given names, suffixes) with nameparser.

    Only the suffix recognition comes from nameparser: the last name is known
    (it stands before the comma), and nameparser would otherwise rearrange
    names that look like titles ("Smith, King") or particles ("Smith, John Mc").
    A single trailing letter is a middle initial, never a roman numeral:
    nameparser reads "Putin, Vladimir V" as suffix "V". With one given name,
    or a trailing initial, there is no suffix and nameparser is not asked.
    """
    tokens = given.split()
    if len(tokens) == 1 or _is_initial(tokens[-1].strip(".,")):
        return tokens, []
    parsed = HumanName(f"{last}, {given}")
    suffix_tokens = {
        token.strip(".,").casefold()
        for suffix in parsed.suffix_list
        for token in suffix.split()
        if not _is_initial(token.strip(".,"))
    }
    end = len(tokens)
    while end > 1 and tokens[end - 1].strip(".,").casefold() in suffix_tokens:
        end -= 1
    return tokens[:end], tokens[end:]


def _display_given(token: str) -> str:
    return f"{token}." if _is_initial(token) else token


def _display_suffix(token: str) -> str:
    return f"{token}." if token.casefold() in _PERIOD_SUFFIXES else token


@functools.lru_cache(maxsize=65536)  # names repeat across articles; nameparser is slow
def person_from_keyword(keyword: str) -> PersonName | None:
    """The person in a keyword like "Trump  Donald J"; None if it has no double space."""
    parts = _PERSON_SPLIT.split(keyword.strip(), maxsplit=1)
    if len(parts) != 2:
        return None
    last, given = _collapse(parts[0]), _collapse(parts[1])
    source = f"{last}, {given}"
    given_names, suffixes = _name_parts(last, given)
    first = [_display_given(token) for token in given_names]
    after = [_display_suffix(token) for token in suffixes]
    return PersonName(
        source=source,
        key=normalize_key(source),
        name=" ".join([*first, last, *after]),
        sort_name=f"{last}, {' '.join([*first, *after])}",
    )


def _keyword_too_long(keyword: str, length: int, limit: int) -> ValueError:
    return ValueError(_too_long(f"keyword {_shorten(_collapse(keyword))}", limit, length))


def parse_keywords(
    line: str, limits: ParseLimits = DEFAULT_LIMITS
) -> tuple[tuple[PersonName, ...], tuple[str, ...]]:
    """(people, tags) from the keyword line, in order, deduplicated by normalize_key.

    Raises ValueError for a line over `limits`: too many keywords, or one too long.
    """
    keywords = [keyword for keyword in line.split(",") if keyword.strip()]
    if len(keywords) > limits.max_keywords:
        raise ValueError(f"more than {limits.max_keywords:,} keywords ({len(keywords):,})")
    limit = limits.max_name_chars
    people: dict[str, PersonName] = {}
    tags: dict[str, str] = {}
    for keyword in keywords:
        # Checked before nameparser sees it, and each form it is stored in after.
        if len(keyword) > limit and len(_collapse(keyword)) > limit:
            raise _keyword_too_long(keyword, len(_collapse(keyword)), limit)
        person = person_from_keyword(keyword)
        if person is not None:
            length = max(
                len(person.source), len(person.key), len(person.name), len(person.sort_name)
            )
            if length > limit:
                raise _keyword_too_long(keyword, length, limit)
            people.setdefault(person.key, person)
        else:
            tag = _collapse(keyword)
            key = normalize_key(tag)
            if len(tag) > limit or len(key) > limit:
                raise _keyword_too_long(keyword, max(len(tag), len(key)), limit)
            tags.setdefault(key, tag)
    return tuple(people.values()), tuple(tags.values())


# --------------------------------------------------------------------------- line 4

_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTHS = {
    name: number for number, full in enumerate(_MONTH_NAMES, start=1) for name in (full, full[:3])
} | {"sept": 9}
# "July 7, 2017", "Sept. 7, 2017", "July 7 2017".
_DATE = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2})(?:,\s*|\s+)(\d{4})")


def parse_date(text: str) -> datetime.date:
    """A date like "July 7, 2017" (month may be abbreviated, comma optional)."""
    match = _DATE.fullmatch(text.strip())
    month = _MONTHS.get(match.group(1).casefold()) if match else None
    if match is None or month is None:
        raise ValueError(f"not a date like 'July 7, 2017': {text!r}")
    return datetime.date(int(match.group(3)), month, int(match.group(2)))


def _in_range(day: datetime.date) -> bool:
    return EARLIEST_PUB_DATE <= day <= LATEST_PUB_DATE


def _date_from_url(url: str) -> datetime.date | None:
    match = _URL_DATE.search(url) if url.lower().startswith("http") else None
    if match is None:
        return None
    try:
        day = datetime.date(*map(int, match.groups()))
    except ValueError:
        return None
    return day if _in_range(day) else None


def _read_date(line: str, url: str) -> tuple[datetime.date | None, str | None]:
    """(date, warning message or None) for line 4."""
    text = _collapse(line)
    if text:
        try:
            day = parse_date(text)
        except ValueError:
            problem = f"malformed date {_shorten(text)}"
        else:
            if _in_range(day):
                return day, None
            years = f"years {EARLIEST_PUB_DATE.year} to {LATEST_PUB_DATE.year}"
            problem = f"date {_shorten(text)} out of range ({years})"
    else:
        problem = "empty date"
    fallback = _date_from_url(url)
    if fallback is None:
        return None, f"{problem}; no publication date recorded"
    return fallback, f"{problem}; used {fallback.isoformat()} from the URL"


# --------------------------------------------------------------------------- line 5

_SOURCE_NUMBER = re.compile(r"\d+|\d{1,3}(?:,\d{3})+")
# Number-like lines that are not a valid source number (not body text): signs, separators
# and at least one digit. Possessive, so that a long line that is not one fails at once.
_NUMBER_LIKE = re.compile(r"[-+]?+[.,\s]*+\d[\d.,\s]*+")


def _read_source_number(line: str, limits: ParseLimits) -> tuple[int | None, str | None, bool]:
    """(number, warning message or None, whether the line is body text) for line 5.

    Raises ValueError for a number longer than the digit limit.
    """
    text = line.strip()
    if not text:
        return None, "empty source number", False
    if _SOURCE_NUMBER.fullmatch(text):
        digits = len(text) - text.count(",")
        if digits > limits.max_source_number_digits:
            limit = limits.max_source_number_digits
            raise ValueError(_too_long("source number", limit, digits, "digits"))
        number = int(text.replace(",", ""))
        if number > MAX_SOURCE_NUMBER:
            return None, f"source number {text} out of range; ignored", False
        return number, None, False
    if _NUMBER_LIKE.fullmatch(text):
        return None, f"malformed source number {_shorten(text)}; ignored", False
    return None, "no source number; the body starts here", True


# --------------------------------------------------------------------------- body

# A candidate paragraph join: a sentence end, optionally closing quotes or
# brackets, then text with no space in between. Whether it is a break is
# decided in `_is_break`.
#   term   one or more of . ? ! … after a non-space; or a colon right after a
#          lowercase letter ("as follows:Gold", but not "NYSE:IBM", "10:30",
#          "http://")
#   close  closing quotes and brackets; nested quotes may have one space
#          between them, as in .’ ”Mr.
# The pattern starts with a character class, not a look-behind, so that the
# regex engine skips to the candidates instead of trying every position.
_JOIN = re.compile(
    r"""
    (?P<term>[.?!…:](?:(?<=\S[.?!…])[.?!…]*|(?<=[a-z]:)))
    (?P<close>[”’"')\]](?:\ ?[”’"')\]])*)?
    (?=\S)
    """,
    re.VERBOSE,
)
_OPENING_QUOTES = "“‘"
# Words whose period is an abbreviation that never ends a paragraph when
# followed directly by a capital ("Mr.Trump" is a missing space, not a break).
_HONORIFICS = frozenset(
    {
        *("Mr", "Mrs", "Ms", "Messrs", "Mmes", "Dr", "Prof", "Rev", "Msgr", "Hon"),
        *("Gen", "Lt", "Col", "Maj", "Capt", "Cmdr", "Adm", "Sgt", "Cpl", "Pvt"),
        *("Gov", "Sen", "Sens", "Rep", "Reps", "Pres", "Supt", "Atty", "Amb"),
    }
)
# Words whose period is an abbreviation when a digit follows ("No.1", "Jan.5").
_NUMBERING = frozenset(
    {
        *("no", "nos", "vol", "vols", "fig", "figs", "pp", "pg", "para", "art", "arts"),
        *("sec", "secs", "ch", "chap", "op", "ver", "ext", "tel", "approx", "ca"),
        *("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"),
    }
)


_TICKER_TAIL = re.compile(r"[A-Z]{1,5}[>)]")


def _word_before(text: str, end: int) -> str:
    """The run of letters ending at `end`."""
    start = end
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    return text[start:end]


def _is_lone_letter(text: str, word: str, end: int) -> bool:
    """Whether `word` (ending at `end`) is a lone letter, as in "U." or "W.", not "1970s"."""
    before = end - len(word) - 1
    return len(word) == 1 and (before < 0 or not (text[before].isalnum() or text[before] in "'’"))


def _letters_at(text: str, start: int) -> int:
    """How many letters run from `start`."""
    end = start
    while end < len(text) and text[end].isalpha():
        end += 1
    return end - start


def _is_break(text: str, term: str, term_start: int, at: int) -> bool:
    """Whether a paragraph starts at `at`, right after terminator `term` (and closers).

    Rules, in order:
    1. A capital letter starts a paragraph ("House.Mr. Putin", "U.S.Mr. Trump",
       "p.m.The", "said.U.S. officials"), except after a bare period when
       a. the period is an honorific's ("Mr.Trump" is a missing space);
       b. it starts a ticker's exchange code ("<IBM.F>", "<KLM.AS>", "(IBM.N)");
       c. a lone letter follows a lone letter: inside an abbreviation
          ("U.S.A.", "U.N.", and the typos "U.S," "U.S/Japan", "U.S seeks"),
          unless it is the word "A" or "I" ("a.m.A new day", "D.C.I think");
       d. a lone letter and period follow a word, unless a second one does:
          "Ph.D." is not a break, "said.U.S. officials" is.
    2. An opening curly quote starts a paragraph ("House.“We will").
    3. A digit starts a paragraph only after a closing quote/bracket, ? ! or …,
       or a word of 2+ letters that is not a numbering abbreviation
       ("a share.1986 net"); never after a number ("0.1%", "3.5") or "No.1".
    """
    char = text[at]
    closed = at > term_start + len(term)
    word = _word_before(text, term_start)
    if char.isupper():
        if term != "." or closed:
            return True
        if word in _HONORIFICS or _TICKER_TAIL.match(text, at):
            return False
        if _letters_at(text, at) == 1:
            if _is_lone_letter(text, word, term_start):
                return char in "AI" and text[at + 1 : at + 2] == " "
            if text[at + 1 : at + 2] == ".":
                return _letters_at(text, at + 2) == 1 and text[at + 3 : at + 4] == "."
        return True
    if char in _OPENING_QUOTES:
        return True
    if char.isdigit() and term != ":":
        if closed or term[-1] in "?!…":
            return True
        return len(word) >= 2 and word.casefold() not in _NUMBERING
    return False


def _breaks(text: str) -> list[int]:
    """Offsets in one whitespace-normalised line where a lost paragraph break was."""
    breaks = []
    paragraph_start = 0
    # The parity of the straight double quotes in text[counted_from:counted_to], brought up
    # to an offset when asked (offsets only grow): counting from the paragraph's start at
    # every join would take time quadratic in the line's length.
    counted_from = counted_to = 0
    odd = False

    def balanced_before(offset: int) -> bool:
        """Whether the paragraph's straight double quotes before `offset` are balanced."""
        nonlocal counted_from, counted_to, odd
        if counted_from != paragraph_start:
            counted_from = counted_to = paragraph_start
            odd = False
        odd ^= text.count('"', counted_to, offset) % 2 == 1
        counted_to = offset
        return not odd

    for match in _JOIN.finditer(text):
        term, term_start, at = match["term"], match.start(), match.end()
        # A straight double quote among the closers opens the next paragraph
        # rather than closing this one when the quotes before it in the
        # paragraph are balanced ('dollar."Research' vs 'stated."Mr. Trump');
        # of two in a row ('growth."" The'), the second opens.
        pair = text.find('""', term_start, at)
        opening = next(
            (i for i in range(term_start, at) if text[i] == '"' and balanced_before(i)),
            None,
        )
        if pair != -1:
            opening = pair + 1
        if opening is not None:
            following = text[opening + 1 : opening + 2]
            if following.isupper() or following.isdigit() or following in _OPENING_QUOTES:
                breaks.append(opening)
                paragraph_start = opening
        elif _is_break(text, term, term_start, at):
            breaks.append(at)
            paragraph_start = at
    return breaks


def _split_line(text: str) -> list[str]:
    """Split one whitespace-normalised line at its lost paragraph breaks."""
    bounds = [0, *_breaks(text), len(text)]
    return [text[a:b].strip() for a, b in itertools.pairwise(bounds)]


def restore_paragraphs(body: str) -> list[str]:
    """Paragraphs of a body: every line break, plus breaks lost by no-separator joins.

    Whitespace inside paragraphs is collapsed; blank lines are dropped.
    """
    paragraphs = []
    for line in _split_lines(body):
        text = _collapse(line)
        if text:
            paragraphs.extend(p for p in _split_line(text) if p)
    return paragraphs


# --------------------------------------------------------------------------- the file

_LINE_NAMES = {2: "title", 3: "keywords line", 4: "date line", 5: "source number and body"}


def parse_article(data: bytes, path: str, limits: ParseLimits = DEFAULT_LIMITS) -> ParsedArticle:
    """Parse one seed file's bytes; `path` is only used in messages. Raises ParseError."""
    check_file_size(len(data), path, limits)
    text, warnings = _decode(data, path)
    if not text.strip():
        raise ParseError(path, 1, "empty file")
    lines = _split_lines(text)
    if lines[-1] == "":
        lines.pop()  # the final newline
    if _may_hold_control_characters(data) and CONTROL_CHARACTERS.search(text):
        warnings += _remove_control_characters(lines)

    url = _identifier(lines[0], path, limits)
    for number, name in _LINE_NAMES.items():
        if len(lines) < number:
            raise ParseError(path, number, f"missing {name}")

    title, publication = split_title(lines[1])
    if not title:
        raise ParseError(path, 2, "empty title")
    if len(title) > limits.max_title_chars:
        raise ParseError(path, 2, _too_long("title", limits.max_title_chars, len(title)))
    try:
        people, tags = parse_keywords(lines[2], limits)
    except ValueError as exc:
        raise ParseError(path, 3, str(exc)) from None

    pub_date, problem = _read_date(lines[3], url)
    if problem:
        warnings.append(ParseWarning(4, problem))

    try:
        source_number, problem, body_on_line_5 = _read_source_number(lines[4], limits)
    except ValueError as exc:
        raise ParseError(path, 5, str(exc)) from None
    if problem:
        warnings.append(ParseWarning(5, problem))
    body_start = 5 if body_on_line_5 else 6
    if len(lines) < body_start:
        raise ParseError(path, body_start, "missing body")
    paragraphs = restore_paragraphs("\n".join(lines[body_start - 1 :]))
    if not paragraphs:
        raise ParseError(path, body_start, "empty body")
    body = "\n\n".join(paragraphs)
    if len(body) > limits.max_body_chars:
        raise ParseError(path, body_start, _too_long("body", limits.max_body_chars, len(body)))

    return ParsedArticle(
        url=url,
        title=title,
        publication=publication,
        people=people,
        tags=tags,
        pub_date=pub_date,
        source_number=source_number,
        body=body,
        word_count=len(body.split()),
        warnings=tuple(sorted(warnings, key=lambda warning: warning.line)),
    )
