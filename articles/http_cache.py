"""HTTP caching for readers: pages validated by the archive's version, so that a browser or a
proxy in front revalidates cheaply, and an unchanged page costs a 304 without rendering.

- Pages and feeds of the public site (the ``articles`` URLs: home, lists, articles, tags,
  people, date archives, feeds, sitemaps, robots.txt) and the search help and OpenSearch
  description: ``Cache-Control: no-cache`` (use only after revalidating) and an ``ETag`` of
  the archive's version (``articles.archive_cache``, moved by every change and again when it
  commits) and of the release (a digest of the code, templates and static manifest, the same
  on every worker and machine running the same files). A GET whose ``If-None-Match`` names
  it is answered 304 before the view runs.
- Search results (the page, API, feed and autocomplete) and trends come from the index, which
  follows the database a moment after each commit, so the version cannot vouch for them:
  ``Cache-Control: no-cache`` and no validator; a cache never reuses one unasked.
- Anything else (the admin, which sends its own ``no-cache``; ``/healthz``; static files,
  which whitenoise serves with far-future headers) is left as it is, as is a response that
  already says how to cache it (the sitemaps, cached for an hour).
"""

import hashlib
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.utils.cache import get_conditional_response, patch_cache_control

from articles.archive_cache import archive_version

#: URL namespaces whose answers come from the search index.
INDEX_NAMESPACES = {"search", "trends"}
#: Search URLs (namespace ``search``) whose answer does not depend on the index.
INDEX_FREE_SEARCH_URLS = {"help", "opensearch"}
#: Folders and suffixes of the files a page is made from (for the release digest).
RELEASE_FILES = {"archive": ".py", "articles": ".py", "templates": ""}


def reader_etag(request):
    """The page's validator if it is a page validated by the archive's version, else None."""
    match = request.resolver_match
    if settings.DEBUG or match is None or request.method not in ("GET", "HEAD"):
        return None
    if match.namespace == "articles" or (
        match.namespace == "search" and match.url_name in INDEX_FREE_SEARCH_URLS
    ):
        return f'W/"{archive_version()}-{release()}"'
    return None


@cache
def release():
    """A digest of the files pages are made from: changes when a new version is deployed."""
    digest = hashlib.blake2b(digest_size=6)
    for folder, suffix in RELEASE_FILES.items():
        for path in sorted((settings.BASE_DIR / folder).rglob(f"*{suffix}")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(settings.BASE_DIR).as_posix().encode())
                digest.update(path.read_bytes())
    if isinstance(staticfiles_storage, ManifestFilesMixin):
        manifest = Path(settings.STATIC_ROOT) / staticfiles_storage.manifest_name
        if manifest.exists():
            digest.update(manifest.read_bytes())
    return digest.hexdigest()


class ReaderCacheMiddleware:
    """Adds the caching headers above, and answers a matching conditional GET with a 304."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 200 or response.has_header("Cache-Control"):
            return response
        etag = getattr(request, "reader_etag", None)
        if etag:
            response.headers.setdefault("ETag", etag)
            patch_cache_control(response, no_cache=True)
        elif getattr(request, "search_result", False):
            patch_cache_control(response, no_cache=True)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        request.reader_etag = etag = reader_etag(request)
        if etag is None:
            request.search_result = request.resolver_match.namespace in INDEX_NAMESPACES
            return None
        response = get_conditional_response(request, etag=etag)
        if response is not None:
            response.headers["ETag"] = etag
            patch_cache_control(response, no_cache=True)
        return response
