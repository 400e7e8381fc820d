"""Middleware: secure cookies over HTTPS."""


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
