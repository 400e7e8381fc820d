"""Middleware: secure cookies over HTTPS, and index trouble told to editors."""

from django.contrib import messages

from articles.index.queue import pop_index_error


class SecureCookiesOverHttpsMiddleware:
    """Mark every cookie of a response to an HTTPS request ``Secure``.

    ``SESSION_COOKIE_SECURE`` would mark them on plain-http localhost too, where
    the browser then drops them and nobody can log in; deciding per request
    keeps both working.  Behind a TLS proxy, ``SECURE_PROXY_SSL_HEADER`` makes
    ``request.is_secure()`` true.  Must come before the session and CSRF
    middleware so that it sees their cookies.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.is_secure():
            for morsel in response.cookies.values():
                morsel["secure"] = True
        return response


class IndexStatusMiddleware:
    """Tell an editor whose change is saved but not yet searchable, instead of failing.

    A save commits first; the search index follows (``articles.index.queue``). When the index
    cannot be written (full disk, damaged index), the change stays queued and this adds a
    warning to the next page. Must come after the message middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        pop_index_error()  # nothing left over from this thread's earlier work
        response = self.get_response(request)
        if pop_index_error() is not None and hasattr(request, "_messages"):
            messages.warning(
                request,
                "The change is saved. The search index could not be updated just now, so "
                "search results will show it once the index is available again; nothing is "
                "lost.",
            )
        return response
