"""Tests for articles.parsing: pure functions, no database."""

import datetime

import pytest

from articles.parsing import (
    DEFAULT_LIMITS,
    EARLIEST_PUB_DATE,
    KNOWN_PUBLICATIONS,
    LATEST_PUB_DATE,
    ParseError,
    ParseLimits,
    ParseWarning,
    PersonName,
    check_file_size,
    normalize_key,
    parse_article,
    parse_date,
    parse_keywords,
    person_from_keyword,
    read_identifier,
    restore_paragraphs,
    split_title,
)
from articles.text import remove_control_characters
from tests.conftest import REAL_SEED

SEED = REAL_SEED
NYT_URL = "https://www.nytimes.com/2017/07/07/world/europe/trump-putin-g20.html"


def article_bytes(*lines, end="\n", encoding="utf-8"):
    """A seed file made of `lines`, joined by `end` and ending with it."""
    return (end.join(lines) + end).encode(encoding)


def well_formed(**changes):
    """The lines of a small well-formed file, with some replaced."""
    lines = {
        "url": NYT_URL,
        "title": "A Story - The New York Times",
        "keywords": "Trump  Donald J,Russia",
        "date": "July 7, 2017",
        "number": "12",
        "body": "WASHINGTON — Something happened.Mr. Trump said so.",
    }
    lines.update(changes)
    return [line for line in lines.values() if line is not None]


def parse(*lines, path="x.txt", limits=DEFAULT_LIMITS, **kwargs):
    return parse_article(article_bytes(*lines, **kwargs), path, limits)


def reject(data, path="bad.txt", limits=DEFAULT_LIMITS):
    with pytest.raises(ParseError) as caught:
        parse_article(data, path, limits)
    return caught.value


# --------------------------------------------------------------------------- the real seed


@pytest.fixture(scope="module")
def seed():
    return parse_article(SEED.read_bytes(), str(SEED))


# The opening words of every restored paragraph, checked by reading all 41 of
# them: each starts a new thought, none is cut inside a sentence.
SEED_PARAGRAPH_OPENINGS = [
    "HAMBURG, Germany — President",
    "Mr. Putin denied any meddlin",
    "The meeting, which lasted fo",
    "Rex W. Tillerson, the secret",
    "Both aides were trying to pr",
    "The relationship between the",
    "Mr. Trump entered the meetin",
    "Neither got what they wanted",
    "By the end of the day, the t",
    "Mr. Trump knew that any conc",
    "It is far too early to know ",
    "And Mr. Trump exited the mee",
    "The Trump-Putin meeting ecli",
    "The meeting itself was darke",
    "For Mr. Trump, however, the ",
    "American intelligence agenci",
    "In a stark shift, Mr. Trump,",
    "“The president’s rightly foc",
    "“There was not a lot of reli",
    "Russian officials provided a",
    "Mr. Lavrov told reporters th",
    "Mr. Trump, according to Mr. ",
    "Both sides agreed that the t",
    "While such a step in Syria w",
    "“I think this is our first i",
    "Trump administration officia",
    "Announcing it on Friday gave",
    "And some signaled they were ",
    "Senator Jack Reed of Rhode I",
    "“Putin and Trump may both wi",
    "Mr. Putin is known to prepar",
    "White House officials had be",
    "Before they spoke privately,",
    "“President Putin and I have ",
    "“We look forward to a lot of",
    "Mr. Putin said he was happy ",
    "He added, “I hope that, as y",
    "Officials from both sides ma",
    "There was no word on whether",
    "But just as the lengthy clos",
    "“There’s so much for us to t",
]


def test_seed_header(seed):
    assert seed.url == NYT_URL
    assert seed.title == "Trump Questions Putin on Election Meddling at Eagerly Awaited Encounter"
    assert seed.publication == "The New York Times"
    assert seed.pub_date == datetime.date(2017, 7, 7)
    assert seed.source_number == 3652
    assert seed.warnings == ()


def test_seed_people_and_tags(seed):
    assert seed.people == (
        PersonName("Trump, Donald J", "trump, donald j", "Donald J. Trump", "Trump, Donald J."),
        PersonName(
            "Putin, Vladimir V", "putin, vladimir v", "Vladimir V. Putin", "Putin, Vladimir V."
        ),
    )
    assert seed.tags == (
        "Russia",
        "United States International Relations",
        "Russian Interference in 2016 US Elections and Ties to Trump Associates",
        "Group of Twenty",
    )


def test_seed_paragraphs(seed):
    paragraphs = seed.paragraphs
    assert len(paragraphs) == 41
    assert [p[:28] for p in paragraphs] == SEED_PARAGRAPH_OPENINGS
    assert paragraphs[0].endswith("a vexing political issue for the White House.")
    assert paragraphs[1].startswith("Mr. Putin denied any meddling")
    # ".”Mr." and the nested ".’ ”Mr." keep their closing quotes.
    assert paragraphs[20].endswith("and that he accepts these statements.”")
    assert paragraphs[29].endswith("how to protect ourselves from repeat offenses.’ ”")
    assert (
        paragraphs[40]
        == "“There’s so much for us to talk about,” Mr. Tillerson said. “And it was a good start.”"
    )
    # The traps inside the seed stay whole.
    assert "Rex W. Tillerson, the secretary of state" in paragraphs[3]
    assert "certain circles in the U.S. are still exaggerating" in paragraphs[21]
    assert seed.body == "\n\n".join(paragraphs)


def test_seed_word_count(seed):
    raw_body = SEED.read_text(encoding="utf-8").split("\n")[5]
    # SEED_FORMAT.md's 1,763 is the whitespace-split count of the raw line 6,
    # where each of the 40 lost breaks glues a paragraph's last word to the
    # next one's first ("House.Mr.", and "”Mr." after the nested ".’ ”"):
    # restored, those are 40 more words.
    assert len(raw_body.split()) == 1763
    assert seed.word_count == 1763 + 40 == 1803
    assert seed.word_count == sum(len(p.split()) for p in seed.paragraphs)


# --------------------------------------------------------------------------- restore_paragraphs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Real joins: period, closing quotes, nested quotes, opening quote.
        ("for the White House.Mr. Putin denied", ["for the White House.", "Mr. Putin denied"]),
        ("as stated.”Mr. Trump, according", ["as stated.”", "Mr. Trump, according"]),
        ("from offenses.’ ”Mr. Putin is", ["from offenses.’ ”", "Mr. Putin is"]),
        ("for the White House.“We will", ["for the White House.", "“We will"]),
        ("never enough.”“We agree,” he said.", ["never enough.”", "“We agree,” he said."]),
        ("What now?The answer", ["What now?", "The answer"]),
        ("We won!They lost", ["We won!", "They lost"]),
        ("(See below.)Next up", ["(See below.)", "Next up"]),
        ("as follows:Gold rose", ["as follows:", "Gold rose"]),
        # Straight quotes: closing when the paragraph has an open one, else opening.
        ('he "stated."Mr. Trump', ['he "stated."', "Mr. Trump"]),
        ('the dollar."Research is', ["the dollar.", '"Research is']),
        ('now predict.""The strategy', ['now predict."', '"The strategy']),
        # A paragraph may start with a number after a word.
        ("19 cts a share.1986 net loss", ["19 cts a share.", "1986 net loss"]),
        ("the meeting.1. The ministers", ["the meeting.", "1. The ministers"]),
        ("he said.”2017 was", ["he said.”", "2017 was"]),
    ],
)
def test_restore_paragraphs_finds_joins(text, expected):
    assert restore_paragraphs(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "the U.S. election",
        "U.S.-Russian relations",
        "the U.S.A. and Canada",
        "Rex W. Tillerson",
        "at 10 p.m. on Friday",
        "at 9 a.m. sharp",
        "No.1 seed",
        "rose 0.1% in May",
        "3.5 billion dollars",
        "read it on nytimes.com today",
        "NYTimes.com reported",
        "a Ph.D. student",
        "the U.N. Security Council",
        "Washington, D.C. officials",
        "Mr.Trump said",
        "in 1986.1987 was",
        "Version C.14 ships",
        "IBM <IBM.F> and KLM <KLM.AS> (IBM.N)",
        "NYSE:IBM at 10:30 on http://example.com",
        "the U.S, Canada and the U.S/Japan talks and the U.S seeks",
        "Washington, D.C.D.C. officials",
        "he said “yes.” Then",
        "so...and then",
        "a stray space .Then",
    ],
)
def test_restore_paragraphs_leaves_traps_whole(text):
    assert restore_paragraphs(text) == [text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Each trap next to a real break: the trap stays whole, the break is found.
        ("in the U.S.Mr. Trump said", ["in the U.S.", "Mr. Trump said"]),
        ("the U.S. election.U.S.-Russian ties", ["the U.S. election.", "U.S.-Russian ties"]),
        ("the U.S.A. is big.The U.S.A.Next", ["the U.S.A. is big.", "The U.S.A.", "Next"]),
        ("Rex W. Tillerson said.Rex W. Tillerson", ["Rex W. Tillerson said.", "Rex W. Tillerson"]),
        ("at 10 p.m.The meeting", ["at 10 p.m.", "The meeting"]),
        ("at 9 a.m.A new day", ["at 9 a.m.", "A new day"]),
        ("in Washington, D.C.I think", ["in Washington, D.C.", "I think"]),
        ("No.1 seed.No.1 again", ["No.1 seed.", "No.1 again"]),
        ("rose 0.1%.The rate", ["rose 0.1%.", "The rate"]),
        ("3.5 billion.3.5 billion", ["3.5 billion.", "3.5 billion"]),
        ("on nytimes.com.NYTimes.com said", ["on nytimes.com.", "NYTimes.com said"]),
        ("a Ph.D. student.A Ph.D.The end", ["a Ph.D. student.", "A Ph.D.", "The end"]),
        ("the U.N.The U.N. said", ["the U.N.", "The U.N. said"]),
        ("Washington, D.C.Officials said", ["Washington, D.C.", "Officials said"]),
        ("Funaro said.U.S. banks", ["Funaro said.", "U.S. banks"]),
        ("Pearson Plc <PSON.L>.The company", ["Pearson Plc <PSON.L>.", "The company"]),
        ("its partner (DD).U.S. imports", ["its partner (DD).", "U.S. imports"]),
        ("in the 1970s.A new era", ["in the 1970s.", "A new era"]),
        ("than Mexico's.A deal", ["than Mexico's.", "A deal"]),
    ],
)
def test_restore_paragraphs_traps_next_to_breaks(text, expected):
    assert restore_paragraphs(text) == expected


def test_restore_paragraphs_lines_and_whitespace():
    body = "  First  line.\r\n\r\n\tSecond\u00a0 line.Third one\rfourth\n\n"
    assert restore_paragraphs(body) == ["First line.", "Second line.", "Third one", "fourth"]
    assert restore_paragraphs("  \n \n") == []


# --------------------------------------------------------------------------- people and tags


@pytest.mark.parametrize(
    ("keyword", "source", "name", "sort_name"),
    [
        ("Trump  Donald J", "Trump, Donald J", "Donald J. Trump", "Trump, Donald J."),
        (
            "Sessions  Jefferson B III",
            "Sessions, Jefferson B III",
            "Jefferson B. Sessions III",
            "Sessions, Jefferson B. III",
        ),
        (
            "King  Martin Luther Jr",
            "King, Martin Luther Jr",
            "Martin Luther King Jr.",
            "King, Martin Luther Jr.",
        ),
        # nameparser alone reads the V as a roman-numeral suffix.
        ("Putin  Vladimir V", "Putin, Vladimir V", "Vladimir V. Putin", "Putin, Vladimir V."),
        ("Smith  John I", "Smith, John I", "John I. Smith", "Smith, John I."),
        ("de Blasio  Bill", "de Blasio, Bill", "Bill de Blasio", "de Blasio, Bill"),
        ("Bush  George H W", "Bush, George H W", "George H. W. Bush", "Bush, George H. W."),
        ("Trump  Donald J Jr", "Trump, Donald J Jr", "Donald J. Trump Jr.", "Trump, Donald J. Jr."),
        (
            "Kennedy  John F Jr.",
            "Kennedy, John F Jr.",
            "John F. Kennedy Jr.",
            "Kennedy, John F. Jr.",
        ),
        (
            "Mueller  Robert S III",
            "Mueller, Robert S III",
            "Robert S. Mueller III",
            "Mueller, Robert S. III",
        ),
        ("Macron  Emmanuel", "Macron, Emmanuel", "Emmanuel Macron", "Macron, Emmanuel"),
        (
            "Erdogan  Recep Tayyip",
            "Erdogan, Recep Tayyip",
            "Recep Tayyip Erdogan",
            "Erdogan, Recep Tayyip",
        ),
        (
            "Erdoğan  Recep Tayyip",
            "Erdoğan, Recep Tayyip",
            "Recep Tayyip Erdoğan",
            "Erdoğan, Recep Tayyip",
        ),
        ("Nieto  Enrique Pena", "Nieto, Enrique Pena", "Enrique Pena Nieto", "Nieto, Enrique Pena"),
        ("Peña Nieto  Enrique", "Peña Nieto, Enrique", "Enrique Peña Nieto", "Peña Nieto, Enrique"),
        (
            "Bin Salman  Mohammed",
            "Bin Salman, Mohammed",
            "Mohammed Bin Salman",
            "Bin Salman, Mohammed",
        ),
        # nameparser alone turns these around (a title "King", a particle "Mc").
        ("Smith  King", "Smith, King", "King Smith", "Smith, King"),
        ("Baquet  Dean", "Baquet, Dean", "Dean Baquet", "Baquet, Dean"),
        # Stray spaces go; a wider gap is still the comma.
        ("  Trump    Donald   J ", "Trump, Donald J", "Donald J. Trump", "Trump, Donald J."),
    ],
)
def test_person_from_keyword(keyword, source, name, sort_name):
    assert person_from_keyword(keyword) == PersonName(
        source, normalize_key(source), name, sort_name
    )


@pytest.mark.parametrize("keyword", ["Kim Jong-un", "Xi Jinping", "Russia", "Group of Twenty", ""])
def test_person_from_keyword_none_without_double_space(keyword):
    # NYT writes East Asian names without a comma, so nothing marks them as people.
    assert person_from_keyword(keyword) is None


def test_parse_keywords_order_dedupe_and_spaces():
    line = (
        " Trump  Donald J,Putin  Vladimir V, Russia ,russia,,  RUSSIA  ,"
        "United States International Relations,trump  donald j,Trump   Donald J,"
        "Kim Jong-un,united states\tinternational relations"
    )
    people, tags = parse_keywords(line)
    assert [p.name for p in people] == ["Donald J. Trump", "Vladimir V. Putin"]
    assert [p.source for p in people] == ["Trump, Donald J", "Putin, Vladimir V"]
    assert tags == ("Russia", "United States International Relations", "Kim Jong-un")


def test_parse_keywords_double_space_means_person():
    # The rule has no exceptions: a tag with a stray double space reads as a person.
    people, tags = parse_keywords("Russia,United States  International Relations")
    assert tags == ("Russia",)
    assert [(p.source, p.name) for p in people] == [
        ("United States, International Relations", "International Relations United States")
    ]


def test_parse_keywords_keeps_first_spelling():
    assert parse_keywords("Group of Twenty, group OF twenty ,GROUP   OF TWENTY")[1] == (
        "Group of Twenty",
    )
    assert parse_keywords("NATO,nato, Nato ")[1] == ("NATO",)
    people, _ = parse_keywords("Trump  Donald J,TRUMP  DONALD J")
    assert [p.source for p in people] == ["Trump, Donald J"]


@pytest.mark.parametrize("line", ["", "   ", ",, ,"])
def test_parse_keywords_empty(line):
    assert parse_keywords(line) == ((), ())


def test_normalize_key():
    assert normalize_key("  Trump,   Donald\tJ ") == "trump, donald j"
    assert normalize_key("STRASSE") == normalize_key("Straße")
    assert normalize_key("ﬁnance") == "finance"  # NFKC ligature
    assert normalize_key("Peña") == normalize_key("Pen\u0303a")  # composed or not


# --------------------------------------------------------------------------- title and date


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("A Story - The New York Times", ("A Story", "The New York Times")),
        ("A Story - the new york times ", ("A Story", "The New York Times")),
        ("A Story -  NYTimes.com", ("A Story", "NYTimes.com")),
        ("A Story - International New York Times", ("A Story", "International New York Times")),
        ("A Story - Reuters", ("A Story", "Reuters")),
        ("A Story - The Associated Press", ("A Story", "The Associated Press")),
        ("Left - Right - The New York Times", ("Left - Right", "The New York Times")),
        ("Rock - Paper - Scissors", ("Rock - Paper - Scissors", "")),
        ("A Story", ("A Story", "")),
        (
            "BONUS WHEAT FLOUR FOR NORTH YEMEN -- USDA",
            ("BONUS WHEAT FLOUR FOR NORTH YEMEN -- USDA", ""),
        ),
        ("The New York Times - A Story", ("The New York Times - A Story", "")),
        ("Jay-Z Plays the Garden", ("Jay-Z Plays the Garden", "")),
        ("- The New York Times", ("", "The New York Times")),
        ("  Stray   spaces  ", ("Stray spaces", "")),
    ],
)
def test_split_title(line, expected):
    assert split_title(line) == expected


def test_known_publications_are_canonical():
    assert "The New York Times" in KNOWN_PUBLICATIONS
    assert len({normalize_key(p) for p in KNOWN_PUBLICATIONS}) == len(KNOWN_PUBLICATIONS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("July 7, 2017", datetime.date(2017, 7, 7)),
        ("February 26, 1987", datetime.date(1987, 2, 26)),
        ("Feb 26, 1987", datetime.date(1987, 2, 26)),
        ("Feb. 26, 1987", datetime.date(1987, 2, 26)),
        ("Sept. 5, 2017", datetime.date(2017, 9, 5)),
        ("February 26 1987", datetime.date(1987, 2, 26)),
        ("  july   7,2017 ", datetime.date(2017, 7, 7)),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "Jully 7, 2017", "July 7", "February 30, 2017", "2017-07-07", "7 July 2017", "Ju 7, 2017"],
)
def test_parse_date_rejects(text):
    with pytest.raises(ValueError):
        parse_date(text)


# --------------------------------------------------------------------------- whole files: accepted


def test_small_file():
    article = parse(*well_formed())
    assert article.title == "A Story"
    assert article.people[0].name == "Donald J. Trump"
    assert article.tags == ("Russia",)
    assert article.source_number == 12
    assert article.paragraphs == ["WASHINGTON — Something happened.", "Mr. Trump said so."]
    assert article.word_count == 8  # the dash counts: words are whitespace-separated
    assert article.warnings == ()


def test_empty_keyword_line():
    article = parse(*well_formed(keywords=""))
    assert (article.people, article.tags, article.warnings) == ((), (), ())


def test_empty_date_uses_url_date():
    article = parse(*well_formed(date=""))
    assert article.pub_date == datetime.date(2017, 7, 7)
    assert article.warnings == (ParseWarning(4, "empty date; used 2017-07-07 from the URL"),)


def test_empty_date_without_url_date():
    article = parse(*well_formed(url="urn:reuters-21578:newid:8", date="  "))
    assert article.pub_date is None
    assert article.warnings == (ParseWarning(4, "empty date; no publication date recorded"),)


def test_malformed_date_uses_url_date():
    article = parse(*well_formed(date="Jully 7"))
    assert article.pub_date == datetime.date(2017, 7, 7)
    assert article.warnings == (
        ParseWarning(4, "malformed date 'Jully 7'; used 2017-07-07 from the URL"),
    )


def test_malformed_date_without_url_date():
    url = "https://www.nytimes.com/interactive/world/trump-putin.html"
    article = parse(*well_formed(url=url, date="Jully 7"))
    assert article.pub_date is None
    assert article.warnings == (
        ParseWarning(4, "malformed date 'Jully 7'; no publication date recorded"),
    )


def test_url_date_that_is_not_a_date_is_ignored():
    url = "https://www.nytimes.com/2017/02/30/world/x.html"
    article = parse(*well_formed(url=url, date=""))
    assert article.pub_date is None


def test_missing_line_5_body_starts_there():
    article = parse(*well_formed(number=None))
    assert article.source_number is None
    assert article.paragraphs == ["WASHINGTON — Something happened.", "Mr. Trump said so."]
    assert article.warnings == (ParseWarning(5, "no source number; the body starts here"),)


def test_body_starting_with_a_number_on_line_5():
    article = parse(*well_formed(number=None, body="3,652 people came.They left."))
    assert article.source_number is None
    assert article.paragraphs == ["3,652 people came.", "They left."]


@pytest.mark.parametrize(
    ("line", "number", "warning"),
    [
        ("3652", 3652, None),
        (" 3652 ", 3652, None),
        ("3,652", 3652, None),
        ("0", 0, None),
        ("2147483647", 2147483647, None),
        ("", None, "empty source number"),
        ("2147483648", None, "source number 2147483648 out of range; ignored"),
        ("36,52", None, "malformed source number '36,52'; ignored"),
        ("-3", None, "malformed source number '-3'; ignored"),
        ("3652.0", None, "malformed source number '3652.0'; ignored"),
    ],
)
def test_source_number(line, number, warning):
    article = parse(*well_formed(number=line))
    assert article.source_number == number
    assert article.warnings == ((ParseWarning(5, warning),) if warning else ())
    assert article.paragraphs[0] == "WASHINGTON — Something happened."


def test_body_over_several_lines():
    article = parse(
        *well_formed(body="First paragraph.Second one."),
        "",
        "  Third   paragraph.  ",
        "",
        "",
        "Fourth.",
    )
    assert article.paragraphs == ["First paragraph.", "Second one.", "Third paragraph.", "Fourth."]
    assert article.body == "First paragraph.\n\nSecond one.\n\nThird paragraph.\n\nFourth."
    assert article.word_count == 7


def test_title_without_suffix():
    article = parse(*well_formed(title="A Story Without Its Publication"))
    assert (article.title, article.publication) == ("A Story Without Its Publication", "")


def test_title_with_dash_that_is_not_a_publication():
    article = parse(*well_formed(title="Trump - Putin: The Meeting - The New York Times"))
    assert (article.title, article.publication) == (
        "Trump - Putin: The Meeting",
        "The New York Times",
    )
    article = parse(*well_formed(title="Trump - Putin: The Meeting"))
    assert (article.title, article.publication) == ("Trump - Putin: The Meeting", "")


def test_urn_identifier():
    article = parse(*well_formed(url=" urn:reuters-21578:newid:8 "))
    assert article.url == "urn:reuters-21578:newid:8"
    assert article.pub_date == datetime.date(2017, 7, 7)


def test_windows_1252_file():
    lines = well_formed(body="It’s “quoted” — café.")
    data = article_bytes(*lines, encoding="cp1252")
    article = parse_article(data, "old.txt")
    assert article.paragraphs == ["It’s “quoted” — café."]
    assert article.warnings == (
        ParseWarning(6, "not valid UTF-8 (byte 0x92); decoded as Windows-1252"),
    )


def test_windows_1252_warning_names_the_first_bad_line():
    data = article_bytes(*well_formed(title="Café Society"), encoding="cp1252")
    article = parse_article(data, "old.txt")
    assert article.title == "Café Society"
    assert [w.line for w in article.warnings] == [2]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom(encoding):
    text = "\n".join(well_formed(body="Café — “ok”.Next."))
    bom = "\ufeff" if encoding != "utf-16" else ""  # the "utf-16" codec writes its own BOM
    article = parse_article((bom + text).encode(encoding), "wide.txt")
    assert article.paragraphs == ["Café — “ok”.", "Next."]
    assert article.warnings == ()


def test_utf8_bom():
    article = parse_article(b"\xef\xbb\xbf" + article_bytes(*well_formed()), "bom.txt")
    assert article.url == NYT_URL
    assert article.warnings == ()


@pytest.mark.parametrize("end", ["\r\n", "\r"])
def test_crlf_and_cr_line_ends(end):
    article = parse(*well_formed(), "Another paragraph.", end=end)
    assert article == parse(*well_formed(), "Another paragraph.")
    assert article.paragraphs[-1] == "Another paragraph."


def test_no_final_newline():
    data = "\n".join(well_formed()).encode()
    assert not data.endswith(b"\n")
    assert parse_article(data, "x.txt") == parse(*well_formed())


def test_line_numbers_ignore_unicode_line_separators():
    # U+2028 and U+0085 are line breaks to str.splitlines, not to the format:
    # here they are whitespace inside lines 2 and 4, so line 5 is still line 5.
    article = parse(*well_formed(title="A\u2028Story", date="July 7,\x852017"))
    assert article.title == "A Story"
    assert article.pub_date == datetime.date(2017, 7, 7)
    assert article.source_number == 12


def test_paragraphs_property():
    article = parse(*well_formed())
    assert article.paragraphs == article.body.split("\n\n")


# --------------------------------------------------------------------------- whole files: rejected


@pytest.mark.parametrize(
    "data", [b"", b"   \n\n\t\r\n", b"\xef\xbb\xbf", b"\xff\xfe", b"\xef\xbb\xbf \n"]
)
def test_empty_file(data):
    error = reject(data, "seeds/empty.txt")
    assert (error.path, error.line, error.message) == ("seeds/empty.txt", 1, "empty file")
    assert str(error) == "seeds/empty.txt:1: empty file"
    assert isinstance(error, ValueError)


def test_binary_file():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"
    error = reject(png, "seeds/picture.txt")
    assert str(error) == "seeds/picture.txt:3: not a text file: contains NUL bytes"


def test_utf16_without_bom_is_binary():
    data = "\n".join(well_formed()).encode("utf-16-le")
    assert str(reject(data, "w.txt")) == "w.txt:1: not a text file: contains NUL bytes"


def test_bad_utf16():
    error = reject(b"\xff\xfeh\x00i", "w.txt")  # odd length
    assert str(error) == "w.txt:1: not a text file: bad UTF-16 after a UTF-16 BOM"


def test_neither_utf8_nor_windows_1252():
    # 0x81 is undefined in Windows-1252.
    data = article_bytes(*well_formed()) + b"caf\xe9 \x81\n"
    error = reject(data, "bad.txt")
    assert str(error) == "bad.txt:7: not a text file: neither UTF-8 nor Windows-1252 (byte 0x81)"


def test_non_article_text_file():
    readme = b"# News archive\n\nA searchable archive of news articles.\n"
    error = reject(readme, "seeds/README.md")
    assert str(error) == (
        "seeds/README.md:1: expected the article's URL or urn: identifier, found '# News archive'"
    )


@pytest.mark.parametrize(
    ("first_line", "shown"),
    [
        ("", "''"),
        ("www.nytimes.com/2017/07/07/x.html", "'www.nytimes.com/2017/07/07/x.html'"),
        ("http://", "'http://'"),
        ("https://www.nytimes.com/a story.html", "'https://www.nytimes.com/a story.html'"),
        ("ftp://example.com/x", "'ftp://example.com/x'"),
        ("urn:", "'urn:'"),
        ("x" * 100, repr("x" * 57 + "...")),
    ],
)
def test_bad_identifier(first_line, shown):
    error = reject(article_bytes(first_line, *well_formed()[1:]))
    assert error.line == 1
    assert error.message == f"expected the article's URL or urn: identifier, found {shown}"


@pytest.mark.parametrize(
    ("count", "message"),
    [
        (1, "x.txt:2: missing title"),
        (2, "x.txt:3: missing keywords line"),
        (3, "x.txt:4: missing date line"),
        (4, "x.txt:5: missing source number and body"),
        (5, "x.txt:6: missing body"),
    ],
)
def test_missing_lines(count, message):
    error = reject(article_bytes(*well_formed()[:count]), "x.txt")
    assert str(error) == message


def test_empty_source_number_and_no_body():
    error = reject(article_bytes(*well_formed(body=None, number="")), "x.txt")
    assert str(error) == "x.txt:6: missing body"


def test_empty_body():
    error = reject(article_bytes(*well_formed(body=" "), "", "\t"), "x.txt")
    assert str(error) == "x.txt:6: empty body"


@pytest.mark.parametrize("title", ["", "   ", "- The New York Times", " - NYTimes.com"])
def test_empty_title(title):
    error = reject(article_bytes(*well_formed(title=title)), "x.txt")
    assert str(error) == "x.txt:2: empty title"


def test_parse_error_pickles():
    import pickle

    error = ParseError("a.txt", 3, "boom")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.path, copy.line, copy.message, str(copy)) == ("a.txt", 3, "boom", "a.txt:3: boom")


# --------------------------------------------------------------------------- control characters


def test_remove_control_characters():
    text = "a\x01b\x1ec\x85d\u200de\tf\r\ng\x7fh\x9bi"
    # Separators become a space, the others go; tab and line ends stay, and so does the
    # zero-width joiner (a format character, not a control character).
    assert remove_control_characters(text) == ("ab c d\u200de\tf\r\nghi", 5)
    assert remove_control_characters("plain") == ("plain", 0)


def test_control_characters_are_removed_with_a_warning_naming_the_line():
    article = parse(*well_formed(title="A\x01 Story\x7f\x1b - The New York Times"))
    assert article.title == "A Story"
    assert article.warnings == (ParseWarning(2, "removed 3 control characters"),)


def test_control_characters_on_several_lines_are_one_warning():
    lines = well_formed(
        url="\x02urn:x:1",
        keywords="Tr\x1bump  Donald J,Rus\x01sia",
        number="1\x0e2",
        body="Some\x02thing happened.\x03",
    )
    article = parse(*lines, "Next\x04 line.", "\x05", "More\x06.", "Yet\x07 more.", "End\x08.")
    assert article.url == "urn:x:1"
    assert [p.name for p in article.people] == ["Donald J. Trump"]
    assert article.tags == ("Russia",)
    assert article.source_number == 12
    assert article.paragraphs == [
        "Something happened.",
        "Next line.",
        "More.",
        "Yet more.",
        "End.",
    ]
    assert article.warnings[0] == ParseWarning(
        1, "removed 11 control characters (lines 1, 3, 5, 6, 7 and 4 more)"
    )
    assert "\\x" not in ascii(article.body + article.title + article.url)


def test_control_characters_that_separate_words_become_a_space():
    article = parse(*well_formed(title="Left\x1eRight", body="One\x0btwo\x0cthree\x85four."))
    assert article.title == "Left Right"
    assert article.paragraphs == ["One two three four."]
    assert article.warnings == (ParseWarning(2, "removed 4 control characters (lines 2 and 6)"),)


def test_format_characters_that_carry_meaning_stay():
    # A zero-width non-joiner in a Persian name, a joiner in an emoji sequence, a
    # right-to-left mark, a soft hyphen.
    keywords = "Mohammadi  Narges\u200c,\U0001f469\u200d\U0001f52c,\u200fשלום,co\u00adop"
    article = parse(*well_formed(keywords=keywords))
    assert article.people[0].name == "Narges\u200c Mohammadi"
    assert article.tags == ("\U0001f469\u200d\U0001f52c", "\u200fשלום", "co\u00adop")
    assert article.warnings == ()


def test_utf16_control_characters_are_removed_too():
    text = "\n".join(well_formed(title="A\x01Story"))
    article = parse_article(text.encode("utf-16"), "wide.txt")
    assert (article.title, article.warnings) == (
        "AStory",
        (ParseWarning(2, "removed 1 control character"),),
    )


# --------------------------------------------------------------------------- plausible dates


@pytest.mark.parametrize(
    ("date", "accepted"),
    [
        ("January 1, 1600", True),
        ("December 31, 2100", True),
        ("December 31, 1599", False),
        ("January 1, 2101", False),
        ("December 31, 9999", False),
        ("January 1, 0001", False),
    ],
)
def test_dates_outside_the_plausible_range_are_not_recorded(date, accepted):
    article = parse(*well_formed(url="urn:x:1", date=date))
    if accepted:
        assert article.pub_date == parse_date(date)
        assert article.warnings == ()
    else:
        assert article.pub_date is None
        assert article.warnings == (
            ParseWarning(
                4,
                f"date {date!r} out of range (years 1600 to 2100); no publication date recorded",
            ),
        )


def test_a_date_out_of_range_falls_back_on_the_url():
    article = parse(*well_formed(date="December 31, 9999"))
    assert article.pub_date == datetime.date(2017, 7, 7)
    assert article.warnings[0].message.endswith("; used 2017-07-07 from the URL")


def test_a_url_date_out_of_range_is_not_used():
    url = "https://www.nytimes.com/9999/12/31/world/x.html"
    article = parse(*well_formed(url=url, date=""))
    assert article.pub_date is None


def test_the_date_range_constants():
    assert datetime.date(1600, 1, 1) == EARLIEST_PUB_DATE
    assert datetime.date(2100, 12, 31) == LATEST_PUB_DATE


# --------------------------------------------------------------------------- limits


def test_a_source_number_of_5000_digits_is_rejected_not_a_crash():
    error = reject(article_bytes(*well_formed(number="1" * 5000)), "x.txt")
    assert str(error) == "x.txt:5: source number longer than 20 digits (5,000)"


@pytest.mark.parametrize(
    ("line", "outcome"),
    [
        ("9" * 20, "source number 99999999999999999999 out of range; ignored"),
        (
            "99,999,999,999,999,999,999",
            "source number 99,999,999,999,999,999,999 out of range; ignored",
        ),
        ("1" * 21, "x.txt:5: source number longer than 20 digits (21)"),
        ("111,111,111,111,111,111,111", "x.txt:5: source number longer than 20 digits (21)"),
    ],
)
def test_source_number_digit_limit(line, outcome):
    data = article_bytes(*well_formed(number=line))
    if outcome.startswith("x.txt"):
        assert str(reject(data, "x.txt")) == outcome
    else:
        assert parse_article(data, "x.txt").warnings == (ParseWarning(5, outcome),)
    limits = ParseLimits(max_source_number_digits=2)
    assert str(reject(article_bytes(*well_formed(number="123")), "x.txt", limits)) == (
        "x.txt:5: source number longer than 2 digits (3)"
    )


def test_default_limits():
    assert ParseLimits() == ParseLimits(
        max_file_bytes=8_000_000,
        max_url_chars=500,
        max_title_chars=500,
        max_name_chars=200,
        max_keywords=100,
        max_source_number_digits=20,
        max_body_chars=1_000_000,
    )


def test_file_size_limit():
    data = article_bytes(*well_formed())
    limits = ParseLimits(max_file_bytes=len(data) - 1)
    assert str(reject(data, "x.txt", limits)) == (
        f"x.txt:1: file larger than {len(data) - 1:,} bytes ({len(data):,})"
    )
    assert parse_article(data, "x.txt", ParseLimits(max_file_bytes=len(data))).url == NYT_URL
    with pytest.raises(ParseError, match=r"^big\.txt:1: file larger than 8,000,000 bytes"):
        check_file_size(5 * 2**30, "big.txt", ParseLimits())
    check_file_size(8_000_000, "big.txt", ParseLimits())


def test_url_length_limit():
    url = "https://example.com/" + "a" * 480
    assert parse(*well_formed(url=url)).url == url
    error = reject(article_bytes(*well_formed(url=url + "b")), "x.txt")
    assert str(error) == "x.txt:1: URL longer than 500 characters (501)"


def test_title_length_limit():
    title = "T" * 500
    assert parse(*well_formed(title=title + " - Reuters")).title == title
    error = reject(article_bytes(*well_formed(title="T" * 501)), "x.txt")
    assert str(error) == "x.txt:2: title longer than 500 characters (501)"


def test_keyword_count_limit():
    keywords = ",".join(f"tag {n}" for n in range(100))
    assert len(parse(*well_formed(keywords=keywords + ",, ,")).tags) == 100
    error = reject(article_bytes(*well_formed(keywords=keywords + ",one more")), "x.txt")
    assert str(error) == "x.txt:3: more than 100 keywords (101)"


@pytest.mark.parametrize(
    ("keyword", "length"),
    [
        ("t" * 201, 201),
        ("  " + "t" * 100 + "   " + "t" * 100, 201),  # stray spaces do not count
        # A person whose display name grows past the limit: each initial gains a period.
        ("Smith  " + "A " * 97, 297),
        # Case-folding can lengthen a name: "ß" becomes "ss" in its matching key.
        ("ß" * 101, 202),
    ],
)
def test_keyword_length_limit(keyword, length):
    error = reject(article_bytes(*well_formed(keywords=f"Russia,{keyword}")), "x.txt")
    assert error.line == 3
    assert error.message.startswith("keyword '")
    assert error.message.endswith(f"longer than 200 characters ({length})")


def test_keyword_length_limit_leaves_names_at_the_limit():
    article = parse(*well_formed(keywords=f"{'t' * 200},{'T' * 195}  Ann"))
    assert article.tags == ("t" * 200,)
    assert article.people[0].sort_name == f"{'T' * 195}, Ann"


def test_body_length_limit():
    body = "x" * 30
    limits = ParseLimits(max_body_chars=30)
    assert parse(*well_formed(body=body), limits=limits).body == body
    error = reject(article_bytes(*well_formed(body=body + "y")), "x.txt", limits)
    assert str(error) == "x.txt:6: body longer than 30 characters (31)"


# --------------------------------------------------------------------------- the identifier alone


@pytest.mark.parametrize(
    ("data", "identifier"),
    [
        (article_bytes(*well_formed()), NYT_URL),
        ("\n".join(well_formed(url=" urn:x:1\x01 ")).encode("utf-16"), "urn:x:1"),
        (b"\xef\xbb\xbf" + article_bytes(*well_formed(), end="\r\n"), NYT_URL),
        # Windows-1252, decoded as the whole file is.
        (article_bytes(*well_formed(url="urn:x:café"), encoding="cp1252"), "urn:x:café"),
        (b"# A README\n", None),
        (b"\x89PNG\r\n\x1a\n\x00\x00", None),
        (b"", None),
        (("https://example.com/" + "a" * 481).encode(), None),
    ],
)
def test_read_identifier_reads_line_1_as_parse_article_does(data, identifier):
    assert read_identifier(data) == identifier
    if identifier is not None:
        assert parse_article(data, "x.txt").url == identifier
