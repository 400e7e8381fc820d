"""The query language parser: pure, no index (the search tests run the same queries for real)."""

import pytest
from django.http import QueryDict

from articles.search.params import SearchParams
from articles.search.presenting import _toggle, search_url, toggle_urls
from articles.search.query import MAX_CLAUSES, MAX_QUERY_LENGTH, Clause, parse_query


def parsed(text):
    return parse_query(text).groups


@pytest.mark.parametrize(
    ("text", "groups"),
    [
        ("budget tax", [(Clause("budget"),), (Clause("tax"),)]),
        ('"health care"', [(Clause("health care", phrase=True),)]),
        ("-trump", [(Clause("trump", negated=True),)]),
        ("tax OR budget", [(Clause("tax"), Clause("budget"))]),
        ("a OR b OR c d", [(Clause("a"), Clause("b"), Clause("c")), (Clause("d"),)]),
        ("presid*", [(Clause("presid", prefix=True),)]),
        ("title:budget", [(Clause("budget", field="title"),)]),
        ("TITLE:budget", [(Clause("budget", field="title"),)]),
        ('person:"Vladimir Putin"', [(Clause("Vladimir Putin", field="person", phrase=True),)]),
        ("tag:russia", [(Clause("russia", field="tag"),)]),
        ('-title:"a b"', [(Clause("a b", field="title", phrase=True, negated=True),)]),
        ("-tag:russia*", [(Clause("russia", field="tag", prefix=True, negated=True),)]),
        ('"one"', [(Clause("one"),)]),
        ("or and", [(Clause("or"),), (Clause("and"),)]),
        ("“smart quotes”", [(Clause("smart quotes", phrase=True),)]),
        ("U.S. (election)", [(Clause("U.S."),), (Clause("election"),)]),
        ("anti-trust", [(Clause("anti-trust"),)]),
        ("10:30", [(Clause("10:30"),)]),
        ("Zürich", [(Clause("Zürich"),)]),
    ],
)
def test_syntax(text, groups):
    query = parse_query(text)
    assert query.groups == groups
    assert query.messages == []


@pytest.mark.parametrize(
    ("text", "groups", "message"),
    [
        ('"unbalanced quote', [(Clause("unbalanced"),), (Clause("quote"),)], "not closed"),
        ('tax "health care', [(Clause("tax"),), (Clause("health"),), (Clause("care"),)], "closed"),
        ("-", [], "minus sign"),
        ("tax - budget", [(Clause("tax"),), (Clause("budget"),)], "lone “-”"),
        ("title:", [], "“title:” must be followed"),
        ("tax person:", [(Clause("tax"),)], "“person:” must be followed"),
        ('tag:""', [], "“tag:” must be followed"),
        ("OR tax", [(Clause("tax"),)], "OR goes between"),
        ("tax OR", [(Clause("tax"),)], "OR goes between"),
        ("tax OR OR budget", [(Clause("tax"), Clause("budget"))], "OR goes between"),
        ("*", [], "A * goes at the end"),
        ("a*", [(Clause("a"),)], "at least 2 letters"),
        (
            "tax\x00bud\x1bget\u200b",
            [(Clause("tax"),), (Clause("bud"),), (Clause("get"),)],
            "Control",
        ),
    ],
)
def test_bad_syntax_gets_a_message_and_a_best_effort_query(text, groups, message):
    query = parse_query(text)
    assert query.groups == groups
    assert any(message in m for m in query.messages), query.messages


def test_too_many_clauses_are_cut():
    query = parse_query(" ".join(f"w{i}" for i in range(MAX_CLAUSES + 5)))
    assert len(query.groups) == MAX_CLAUSES
    assert "first 30" in query.messages[0]


def test_any_junk_parses_without_raising():
    junk = "".join(chr(c) for c in range(0x250)) * 3 + '-"title: OR * -- ::: """ person:"'
    query = parse_query(junk)
    assert query.messages
    str(query)
    query.to_sq()


def test_canonical_text_round_trips():
    text = 'tax OR budget -"health care" title:putin* person:"Vladimir Putin"'
    assert str(parse_query(text)) == text
    assert parse_query(str(parse_query(text))).groups == parse_query(text).groups


def test_positive_words_are_what_names_a_person():
    query = parse_query('vladimir -trump title:x person:"V Putin"')
    assert query.positive_words == ["vladimir", "V", "Putin"]


def test_with_words_replaced_keeps_the_rest():
    query = parse_query('budgte -trump "health care" presid*')
    assert str(query.with_words_replaced({"budgte": "budget"})) == (
        'budget -trump "health care" presid*'
    )


def test_sq_structure():
    """AND of groups, OR inside a group, NOT for excluded; field prefixes map to index fields."""
    sq = parse_query("tax OR budget -trump title:x person:y tag:z pre*").to_sq()
    assert repr(sq) == (
        "<SQ: AND ((content__content=tax OR content__content=budget) "
        "AND NOT (content__content=trump) AND title__content=x AND person_names__content=y "
        "AND tag_names__content=z AND content__startswith=pre)>"
    )
    assert parse_query("").to_sq() is None


def test_prefix_is_folded_like_the_index():
    assert repr(parse_query("Zür*").to_sq()) == "<SQ: AND content__startswith=zur>"


def params(query_string):
    return SearchParams.from_querydict(QueryDict(query_string))


def test_params_valid():
    p = params(
        "q=tax&person=vladimir-v-putin&person=donald-j-trump&tag=russia&from=2017-01-01"
        "&to=2017-12-31&sort=newest&page=3"
    )
    assert (p.q, p.people, p.tags, p.sort, p.page) == (
        "tax",
        ["vladimir-v-putin", "donald-j-trump"],
        ["russia"],
        "newest",
        3,
    )
    assert (str(p.date_from), str(p.date_to)) == ("2017-01-01", "2017-12-31")
    assert p.errors == []


@pytest.mark.parametrize(
    ("query_string", "message"),
    [
        ("from=2017-13-01", "“2017-13-01” is not a date"),
        ("to=yesterday", "“yesterday” is not a date; give the end date as YYYY-MM-DD"),
        ("from=2017-1-1", "not a date"),
        ("person=not%20a%20slug", "is not a valid person"),
        ("tag=%3Cscript%3E", "is not a valid tag"),
        ("sort=random", "is not a sort order"),
        ("page=abc", "“abc” is not a page number"),
        ("page=0", "is not a page number"),
        ("page=-1", "is not a page number"),
        ("page=%D9%A3", "is not a page number"),
    ],
)
def test_params_invalid_values_are_dropped_with_a_message(query_string, message):
    p = params(query_string)
    assert any(message in e for e in p.errors), p.errors
    assert (p.date_from, p.date_to, p.people, p.tags, p.sort, p.page) == (None, None, [], [], "", 1)


def test_params_dates_in_the_wrong_order_are_swapped():
    p = params("from=2017-12-31&to=2017-01-01")
    assert (str(p.date_from), str(p.date_to)) == ("2017-01-01", "2017-12-31")
    assert "swapped" in p.errors[0]


def test_params_too_long_query_is_refused():
    p = params("q=" + "a" * 10_000)
    assert p.refused
    assert "10,000 characters long; the limit is 500" in p.errors[0]
    assert len(p.q) == MAX_QUERY_LENGTH


def test_params_huge_page_number_is_kept_as_a_big_number():
    assert params("page=" + "9" * 40).page == 10**9


def test_params_default_sort():
    assert params("q=tax").effective_sort == "relevance"
    assert params("").effective_sort == "oldest"
    assert params("sort=relevance").effective_sort == "oldest"
    assert params("q=tax&sort=oldest").effective_sort == "oldest"


def test_params_links_keep_every_parameter_and_reset_the_page():
    p = params("q=a b&person=x&person=y&tag=t&from=2017-01-01&sort=newest&page=4")
    assert p.query_string() == ("q=a+b&person=x&person=y&tag=t&from=2017-01-01&sort=newest")
    assert p.query_string(page=5).endswith("&page=5")
    assert p.query_string(person=["x"], q="") == "person=x&tag=t&from=2017-01-01&sort=newest"


@pytest.mark.parametrize(
    "query_string",
    [
        "",
        "q=oil prices",
        "q=é&person=x&tag=t&tag=ü-1&from=2017-01-01&to=2017-12-31&sort=newest&exact=1&page=3",
        "person=x&person=y",
        "tag=t&undated=1",
    ],
)
def test_facet_toggle_links_are_the_search_links(query_string):
    """The facets' fast path (the unchanged parameters encoded once) gives the same links."""
    p = params(query_string)
    for param, selected in (("person", p.people), ("tag", p.tags)):
        values = [*selected, "new", "zoë-2", "a b"]
        expected = [search_url(p, **{param: _toggle(selected, v)}) for v in values]
        assert list(toggle_urls(p, param, selected, values)) == expected
