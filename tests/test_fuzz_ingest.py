"""Property-based tests (hypothesis) of the parser and the ingest on odd and hostile files.

Every file is ingested correctly or rejected with ``PATH:LINE``; parsing takes bounded time
(hypothesis's ``deadline``, per example: a step quadratic in a line's length overruns it by
far on the long lines tried); nothing is half-written (the rows match the report and the
files that won). Files tried: arbitrary bytes, and seed-like files in UTF-8, UTF-8 with a
BOM, UTF-16 and Windows-1252, with LF, CRLF or CR line ends, missing lines, control and
format characters, any Unicode, out-of-range dates and numbers, too many or too long
keywords, and long repetitive lines on each line of the file (a fragment repeated 30,000
times; ten times that in the long run).

Sized for the suite (a few seconds, the same examples every run). A long run with fresh
random examples, 40 times as many (5 times for the long lines, ten times longer there):

    HYPOTHESIS_PROFILE=long .venv/bin/pytest tests/test_fuzz_ingest.py
    .venv/bin/python benchmarks/fuzz_ingest.py      # the same, then prints the figures
"""

import datetime
import hashlib
import json
import os
import re
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.ingest import ingest_files, parse_limits
from articles.models import Article, Person, Tag
from articles.parsing import (
    EARLIEST_PUB_DATE,
    LATEST_PUB_DATE,
    MAX_SOURCE_NUMBER,
    ParseError,
    ParseLimits,
    normalize_key,
    parse_article,
    read_identifier,
)
from articles.text import CONTROL_CHARACTERS

LONG_RUN = os.environ.get("HYPOTHESIS_PROFILE") == "long"
#: Where ``benchmarks/fuzz_ingest.py`` collects the figures (files tried, by kind and outcome).
FIGURES_FILE = os.environ.get("FUZZ_FIGURES")
FIGURES = Counter()
# Linear parsing takes milliseconds per example; a step quadratic in a line's length takes
# tens of seconds on the lines tried. The long run's long lines are ten times longer: ten
# times the time for linear parsing, a hundred times for a quadratic step.
DEADLINE = datetime.timedelta(seconds=50 if LONG_RUN else 5)


def fuzz_settings(examples, long_run_examples=None):
    return settings(
        max_examples=(long_run_examples or examples * 40) if LONG_RUN else examples,
        derandomize=not LONG_RUN,
        deadline=DEADLINE,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.function_scoped_fixture,
        ],
    )


@pytest.fixture(scope="module", autouse=True)
def _figures():
    yield
    if FIGURES_FILE:
        Path(FIGURES_FILE).write_text(json.dumps(FIGURES, indent=1, sort_keys=True))


# --------------------------------------------------------------------------- files


ANY_CHARACTER = st.characters(exclude_categories=["Cs"])  # anything a text file can hold
TRICKY_CHARACTER = st.one_of(
    st.sampled_from(" .,-:?!\"'“”‘’()<>\t\u00a0\u2028\u0085\u200b\u200c\u200d\u202e\ufeff"),
    st.characters(categories=["Cc"]),
    st.sampled_from("aZé中1"),
)
# Fragments that exercise the parser's patterns when repeated on one long line.
FRAGMENTS = ['x."', '."', "a.", "U.", "A.B", "No.1", "1,", "” ", ".“", '""', "  ", "a - ", "x"]


def repeated(prefixes, tails):
    """Long lines: a prefix, a fragment repeated many times, a tail."""
    return st.builds(
        lambda prefix, fragment, count, tail: prefix + fragment * count + tail,
        st.sampled_from(prefixes),
        st.sampled_from(FRAGMENTS),
        st.sampled_from([100, 3_000, 30_000]),
        st.sampled_from(tails),
    )


PATHOLOGICAL = repeated(["", "x"], ["", " b", "x", "\x01"])
MESSY = st.one_of(
    st.text(ANY_CHARACTER, max_size=60),
    st.text(TRICKY_CHARACTER, max_size=60),
    PATHOLOGICAL,
)
URLS = st.one_of(
    st.builds("urn:x:{}".format, st.integers(0, 4)),  # few: files share URLs
    st.builds("https://example.com/2017/07/07/{}.html".format, st.integers(0, 4)),
    MESSY,
    repeated(["https://", "urn:x:"], ["", " b"]),
)
MONTHS = ["July", "Sept.", "Feb", "december", "Jully"]
DATES = st.one_of(
    st.builds(
        "{} {}, {:04}".format, st.sampled_from(MONTHS), st.integers(0, 32), st.integers(0, 9999)
    ),
    MESSY,
)
NUMBERS = st.one_of(
    st.none(),
    st.builds(lambda digits: "9" * digits, st.integers(1, 30)),
    st.integers(0, 2**40).map("{:,}".format),
    MESSY,
    repeated(["1", "-"], ["", "x"]),
)
WORD = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzéüßçñ"), min_size=1, max_size=12)
KEYWORD = st.one_of(
    st.builds("{}  {}".format, WORD, WORD),  # a person
    WORD.map(str.title),  # a tag
    st.builds(lambda word, count: word * count, WORD, st.integers(10, 40)),  # maybe too long
    MESSY,
)


@st.composite
def encoded(draw, lines, kind):
    """``lines`` as a file: some line end, maybe no final newline, some encoding."""
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = end.join(lines) + draw(st.sampled_from([end, ""]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        encoding, data = "utf-8", text.encode()
    features = {f"encoding {encoding}", f"line ends {end!r}"}
    if CONTROL_CHARACTERS.search(text):
        features.add("control characters")
    if max(map(len, lines), default=0) >= 1_000:
        features.add("pathological line")
    return kind, data, features


@st.composite
def seed_like(draw):
    """A file shaped like a seed file whose every line may be odd."""
    lines = [
        draw(URLS),
        draw(st.one_of(MESSY, st.builds("{} - Reuters".format, MESSY))),
        ",".join(draw(st.lists(KEYWORD, max_size=12))),
        draw(DATES),
        *([number] if (number := draw(NUMBERS)) is not None else []),
        *draw(st.lists(MESSY, min_size=1, max_size=4)),
    ]
    if draw(st.integers(0, 9)) == 0:
        lines = lines[: draw(st.integers(0, len(lines)))]  # a file cut short
    return draw(encoded(lines, "seed-like"))


@st.composite
def well_formed(draw):
    """A valid seed file and what it says: (kind, bytes, features, expected fields)."""
    sentences = draw(st.lists(st.lists(WORD, min_size=1, max_size=8), min_size=1, max_size=6))
    expected = {
        "url": draw(st.builds("urn:x:{}".format, st.integers(0, 4))),
        "title": " ".join(draw(st.lists(WORD, min_size=1, max_size=8))),
        "pub_date": draw(st.dates(EARLIEST_PUB_DATE, LATEST_PUB_DATE)),
        "source_number": draw(st.integers(0, MAX_SOURCE_NUMBER)),
        "body": " ".join(" ".join(words).capitalize() + "." for words in sentences),
        "tags": draw(st.lists(WORD, max_size=5)),
    }
    date = expected["pub_date"]
    lines = [
        expected["url"],
        f"{expected['title']} - The New York Times",
        ",".join(expected["tags"]),
        f"{date:%B} {date.day}, {date.year:04}",
        str(expected["source_number"]),
        expected["body"],
    ]
    kind, data, features = draw(encoded(lines, "well-formed"))
    return kind, data, features, expected


ARBITRARY = st.builds(lambda data: ("arbitrary bytes", data, set()), st.binary(max_size=2_000))
ANY_FILE = st.one_of(ARBITRARY, seed_like(), well_formed().map(lambda file: file[:3]))


def record(kind, features, outcome):
    FIGURES[f"files: {kind}"] += 1
    FIGURES[f"outcome: {outcome}"] += 1
    for feature in features:
        FIGURES[f"feature: {feature}"] += 1


def line_count(data):
    return data.count(b"\n") + data.count(b"\r") + 1  # at least the file's lines, at most 2x


# --------------------------------------------------------------------------- the parser

SMALL_LIMITS = ParseLimits(
    max_url_chars=100,
    max_title_chars=80,
    max_name_chars=60,
    max_keywords=8,
    max_source_number_digits=12,
    max_body_chars=20_000,
)


def assert_within_limits(article, limits):
    """What the parser returns holds no control character and keeps to the limits."""
    names = [part for p in article.people for part in (p.source, p.key, p.name, p.sort_name)]
    texts = [article.url, article.title, article.body, *names, *article.tags]
    assert not any(CONTROL_CHARACTERS.search(text) for text in texts)
    assert 0 < len(article.url) <= limits.max_url_chars
    assert 0 < len(article.title) <= limits.max_title_chars
    assert 0 < len(article.body) <= limits.max_body_chars
    assert all("" not in (p, p.strip()) for p in article.paragraphs)
    assert all(len(name) <= limits.max_name_chars for name in [*names, *article.tags])
    assert len(article.people) + len(article.tags) <= limits.max_keywords
    assert article.pub_date is None or EARLIEST_PUB_DATE <= article.pub_date <= LATEST_PUB_DATE
    assert article.source_number is None or 0 <= article.source_number <= MAX_SOURCE_NUMBER
    assert article.word_count == len(article.body.split())


def check_parse(kind, data, features):
    """``data`` is parsed into an article within the limits, or rejected with PATH:LINE."""
    FIGURES["examples: parser"] += 1
    try:
        article = parse_article(data, "fuzz/file.txt", SMALL_LIMITS)
    except ParseError as error:
        assert (error.path, str(error)) == (
            "fuzz/file.txt",
            f"fuzz/file.txt:{error.line}: {error.message}",
        )
        assert 1 <= error.line <= line_count(data) + 1
        record(kind, features, "rejected")
        return
    except Exception:
        FIGURES["unexpected errors"] += 1
        raise
    assert_within_limits(article, SMALL_LIMITS)
    assert read_identifier(data, SMALL_LIMITS) == article.url
    record(kind, features, "parsed")


@fuzz_settings(100)
@given(ANY_FILE)
def test_any_file_is_parsed_or_rejected_with_path_and_line(file):
    check_parse(*file)


# For each line: prefixes, fragments and tails that lead its patterns furthest before a
# mismatch. Repeated this often, a step quadratic in the line's length overruns the deadline
# many times over.
LINE_SHAPES = {
    1: (["https://", "urn:x:"], ["a", 'x."', "U."], [" b"]),
    2: (["", "A - "], ["a - ", "x", "  "], ["", " - Reuters"]),
    3: (["", "Last  "], ["a,", "x  y,", "ß", ", "], [""]),
    4: (["July "], ["7", " "], [" 2017", ""]),
    5: (["1", "-"], ["1,", "1", " ."], ["x", ""]),
    6: (
        ["", "He said."],
        ['x."', '."', "a.", "U.", "A.B", "No.1", "” ", ".“", '""'],
        ["", " End."],
    ),
}
LONG_LINE_REPEATS = 300_000 if LONG_RUN else 30_000


@st.composite
def pathological_file(draw, number):
    """A small valid file whose line ``number`` is a long repetitive one."""
    prefixes, fragments, tails = LINE_SHAPES[number]
    lines = ["urn:x:1", "A Story", "Russia", "July 7, 2017", "12", "Body."]
    lines[number - 1] = (
        draw(st.sampled_from(prefixes))
        + draw(st.sampled_from(fragments)) * LONG_LINE_REPEATS
        + draw(st.sampled_from(tails))
    )
    return draw(encoded(lines, f"pathological line {number}"))


@pytest.mark.parametrize("number", sorted(LINE_SHAPES))
@fuzz_settings(8, long_run_examples=40)  # the long run's lines are ten times longer
@given(data=st.data())
def test_a_long_repetitive_line_is_parsed_in_bounded_time(number, data):
    check_parse(*data.draw(pathological_file(number)))


@fuzz_settings(50)
@given(well_formed())
def test_a_well_formed_file_is_read_exactly_in_any_encoding(file):
    kind, data, features, expected = file
    FIGURES["examples: well-formed"] += 1
    article = parse_article(data, "fuzz/file.txt")
    assert article.url == expected["url"]
    assert (article.title, article.publication) == (expected["title"], "The New York Times")
    assert article.pub_date == expected["pub_date"]
    assert article.source_number == expected["source_number"]
    assert article.body == expected["body"]
    first_spellings = {}
    for tag in expected["tags"]:
        first_spellings.setdefault(normalize_key(tag), tag)
    assert article.tags == tuple(first_spellings.values())
    assert all("UTF-8" in w.message for w in article.warnings)  # at most: read as cp1252
    record(kind, features, "parsed exactly")


# --------------------------------------------------------------------------- the ingest


INGEST_LIMITS = {
    "max_file_bytes": 300_000,
    "max_keywords": 8,
    "max_source_number_digits": 12,
    "max_body_chars": 20_000,
}


def stored_articles():
    return {a.url: a for a in Article.objects.prefetch_related("people", "tags").order_by("pk")}


@pytest.mark.django_db
@fuzz_settings(30)
@given(files=st.lists(ANY_FILE, min_size=1, max_size=6))
def test_an_ingest_writes_each_file_whole_or_not_at_all(files, settings):
    settings.INGEST_LIMITS = INGEST_LIMITS
    limits = parse_limits()
    FIGURES["examples: ingest runs"] += 1
    with tempfile.TemporaryDirectory() as folder, transaction.atomic():
        paths = [Path(folder) / f"{n:03}.txt" for n in range(len(files))]
        for path, (_, data, _) in zip(paths, files, strict=True):
            path.write_bytes(data)

        try:
            report = ingest_files(paths)
        except Exception:
            FIGURES["unexpected errors"] += 1
            raise

        # Every file is accounted for once; a rejection names its file and a line.
        assert report.files == len(files)
        named = re.compile(rf"^{re.escape(folder)}/(\d{{3}})\.txt:[1-9]\d*: \S")
        rejected = {named.match(message)[1] for message in report.rejected}
        assert len(rejected) == len(report.rejected)

        # The files that won their URL are stored whole, exactly as parsed; nothing else is.
        winners = {}
        for path, (_, data, _) in zip(paths, files, strict=True):
            identifier = read_identifier(data, limits)
            winners[identifier if identifier is not None else path] = (path, data)
        stored = stored_articles()
        lost = 0
        for path, data in winners.values():
            if path.stem in rejected:
                continue
            parsed = parse_article(data, str(path), limits)
            article = stored.get(parsed.url)
            lost += article is None or (
                (article.title, article.body, article.pub_date, article.source_number)
                != (parsed.title, parsed.body, parsed.pub_date, parsed.source_number)
                or article.source_fingerprint != hashlib.sha256(data).hexdigest()
                or {p.key for p in article.people.all()} != {p.key for p in parsed.people}
                or {t.key for t in article.tags.all()} != {normalize_key(t) for t in parsed.tags}
            )
        FIGURES["data lost"] += lost
        assert lost == 0
        assert len(stored) == report.created
        # No row from a rejected or superseded file: people and tags are those of the articles.
        assert Person.objects.count() == len(
            {p.pk for a in stored.values() for p in a.people.all()}
        )
        assert Tag.objects.count() == len({t.pk for a in stored.values() for t in a.tags.all()})

        for (kind, _, features), path in zip(files, paths, strict=True):
            superseded = any(m.startswith(f"{path}:1: superseded") for m in report.superseded)
            outcome = (
                "rejected" if path.stem in rejected else "superseded" if superseded else "ingested"
            )
            record(kind, features, outcome)

        # Again: nothing changes, and the same file wins.
        again = ingest_files(paths)
        assert (again.created, again.updated, again.unchanged) == (0, 0, report.created)
        assert (again.rejected, again.superseded) == (report.rejected, report.superseded)
        assert stored_articles().keys() == stored.keys()
        transaction.set_rollback(True)
