"""``reverse`` for the links a page lists by the hundred: each card's article, people and tags.

Django's ``reverse`` costs 20-30 µs a call (about 110 calls, 3 ms, on a list page of 20
cards). The same people, tags and newest articles are linked page after page, so each
process keeps the URLs it has made, keyed by the URL's name and arguments and by the script
prefix and URLconf in force (a site served under a sub-path, or a request with its own
URLconf, gets its own URLs).
"""

from collections.abc import Callable
from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse

#: URLs kept per process (about 200 bytes each).
KEPT_URLS = 20_000


def reverse_kept(viewname: str, **kwargs) -> str:
    """``reverse(viewname, kwargs=kwargs)``, made once per process for the same arguments."""
    return reverser(viewname)(**kwargs)


def reverser(viewname: str) -> Callable[..., str]:
    """``reverse_kept`` for the many links to one view a page lists (a page of results' chips):
    the script prefix and URLconf in force read once, not per link."""
    script_prefix, urlconf = get_script_prefix(), get_urlconf()
    return lambda **kwargs: _reverse(viewname, tuple(kwargs.items()), script_prefix, urlconf)


@lru_cache(maxsize=KEPT_URLS)
def _reverse(viewname, kwargs, script_prefix, urlconf):
    return reverse(viewname, kwargs=dict(kwargs), urlconf=urlconf)
