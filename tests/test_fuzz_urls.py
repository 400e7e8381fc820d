"""Every public URL, with any parameters a person or a robot may send: never a 500.

Property-based (hypothesis) over a small real archive and index: paths built from each URL
pattern with arbitrary segments, and every parameter the pages read with arbitrary values
(control characters, other scripts, huge numbers, malformed dates, repeated keys). A few
hundred requests per run; ``HYPOTHESIS_PROFILE=long`` runs thousands (see README, Tests).
"""

import datetime
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_index import make_article

PAGES_WITH_PARAMETERS = [
    "/search/",
    "/api/search/",
    "/search/feed/",
    "/api/autocomplete/",
    "/tags/",
    "/people/",
    "/articles/",
    "/",
    "/search/help/",
    "/opensearch.xml",
    "/sitemap.xml",
    "/feeds/latest/",
    "/trends/",
    "/api/trends/",
    "/articles/2017/07/07/trump-questions-putin/",
    "/healthz",
]
PARAMETERS = [
    "q", "person", "tag", "from", "to", "sort", "page", "format", "undated", "interval", "scale",
    "highlight", "letter", "x",
]  # fmt: skip
PATTERNS = [
    "/articles/{0}/{1}/{2}/{3}/",
    "/articles/undated/{3}/",
    "/archive/{0}/",
    "/archive/{0}/{1}/",
    "/archive/{0}/{1}/{2}/",
    "/tags/{3}/",
    "/people/{3}/",
    "/tags/{3}/feed/",
    "/people/{3}/feed/",
    "/sitemap-{3}.xml",
]

texts = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40
) | st.sampled_from(
    ["2017-07-07", "0001-01-01", "9999-12-31", "2017-02-30", "-1", "0", "99999999999999999999",
     "relevance", "newest", "oldest", "opensearch", "1", "putin", "donald-j-trump", '"a', "*",
     "a" * 600, "russia -sanctions", "tax OR", "title:", "\x00", "%00", "..", "\u202e"]
)  # fmt: skip
segments = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="/?#"),
    min_size=1,
    max_size=20,
) | st.sampled_from(["2017", "07", "7", "9999", "0000", "1600", "2100", "13", "31", "00"])


@pytest.fixture
def small_archive(search_index):
    make_article(
        "Trump Questions Putin",
        "HAMBURG — President Trump met Vladimir Putin.Talks followed.",
        people=["Donald J. Trump", "Vladimir V. Putin"],
        tags=["Russia", "Group of Twenty"],
        slug="trump-questions-putin",
    )
    make_article("Undated letter", "No date.", pub_date=None, slug="undated-letter")
    make_article(
        "Old story", "Long ago.", pub_date=datetime.date(1987, 3, 2), tags=["Oil"], slug="old"
    )


FUZZ = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
)


@FUZZ
@given(
    page=st.sampled_from(PAGES_WITH_PARAMETERS),
    params=st.lists(st.tuples(st.sampled_from(PARAMETERS), texts), max_size=6),
)
def test_no_parameters_make_a_page_fail(client, small_archive, page, params):
    response = client.get(f"{page}?{urlencode(params)}")
    assert response.status_code < 500, (page, params, response.content[:300])


@FUZZ
@given(pattern=st.sampled_from(PATTERNS), parts=st.lists(segments, min_size=4, max_size=4))
def test_no_path_makes_a_page_fail(client, small_archive, pattern, parts):
    path = pattern.format(*(quote(part, safe="") for part in parts))
    response = client.get(path)
    assert response.status_code < 500, (path, response.content[:300])
