"""Settings for the archive, read from the environment with safe embedded defaults.

Environment variables (all optional):

- ``DJANGO_DEBUG``: ``1``/``true`` turns debug on (default off).
- ``DJANGO_SECRET_KEY``: by default a key is generated once and kept in
  ``ARCHIVE_DATA_DIR``; set it when several machines serve one archive.
- ``DJANGO_ALLOWED_HOSTS``: comma-separated host names (default loopback only).
- ``DATABASE_URL``: e.g. ``postgres://user:pass@host/db`` (default SQLite in
  ``ARCHIVE_DATA_DIR``).
- ``ARCHIVE_DATA_DIR``: folder holding the SQLite database and the Whoosh index
  (default ``var/`` in the project); two copies with different values never
  share data.
- ``HAYSTACK_URL``: a search engine other than the embedded Whoosh index, e.g.
  ``elasticsearch://host:9200/archive`` or ``solr://host:8983/solr/archive``.
- ``CACHE_URL``: ``redis://host:6379/0`` for a cache shared by several machines
  (default: files in ``ARCHIVE_DATA_DIR``, shared by the workers of one machine).
- ``ARCHIVE_ADMIN_PATH``: where the admin lives (default ``admin/``).
- ``ARCHIVE_LOGIN_FAILURES``: failed admin logins before a client is locked out
  (default 5); ``ARCHIVE_LOCKOUT_MINUTES``: for how long (default 15).
- ``ARCHIVE_PROXY_COUNT``: reverse proxies in front of the archive; when set, a
  client's address for the lockout is read from ``X-Forwarded-For``.
- ``DJANGO_SECURE_COOKIES``: mark session and CSRF cookies secure on every
  response (they are already secure on every response to an HTTPS request).
- ``DJANGO_HSTS_SECONDS``: send ``Strict-Transport-Security`` over HTTPS (default 0: off),
  for the archive's host name and its subdomains, preloadable.
- ``ARCHIVE_SEARCH_RATE``: searches one client may make per window, ``count/seconds``
  (default ``300/60``; ``0`` turns the limit off); over it, 429.
- ``ARCHIVE_SEARCH_CONCURRENCY``: searches one worker runs at once (default 4); over it, 503.
- ``ARCHIVE_SEARCH_ANSWERS_KEPT``: answers of the embedded index each worker keeps until the
  index changes (default 100; ``0``: none), as Solr's query result cache.
- Limits on one ingested file (a file over one is rejected; docs/seed-format.md):
  ``ARCHIVE_MAX_FILE_BYTES`` (default 8,000,000), ``ARCHIVE_MAX_BODY_CHARS`` (1,000,000),
  ``ARCHIVE_MAX_KEYWORDS`` (100), ``ARCHIVE_MAX_SOURCE_NUMBER_DIGITS`` (20).

With ``DJANGO_DEBUG=0``, ``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS``,
``DJANGO_CSRF_TRUSTED_ORIGINS``, ``DJANGO_SECURE_COOKIES=1`` and ``DJANGO_HSTS_SECONDS`` set
(the README's production configuration), ``manage.py check --deploy --fail-level WARNING`` is
silent.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("ARCHIVE_DATA_DIR") or BASE_DIR / "var").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key():
    """The configured key, or one generated once per data folder and kept there."""
    if os.environ.get("DJANGO_SECRET_KEY"):
        return os.environ["DJANGO_SECRET_KEY"]
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DEBUG = env_bool("DJANGO_DEBUG")
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "haystack",
    "axes",
    "csp",
    "articles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "articles.middleware.SecureCookiesOverHttpsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "articles.http_cache.ReaderCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "articles.middleware.IndexStatusMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "archive.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "archive.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'archive.sqlite3'}",
        conn_max_age=600,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers (gunicorn workers) run while one writer (an ingest) commits;
    # IMMEDIATE transactions take the write lock up front instead of failing mid-way.
    # Connections persist: a new one must create the WAL's shared-memory file, which fails
    # on a full disk, while an open one keeps reading (every page but search serves on).
    DATABASES["default"]["CONN_MAX_AGE"] = None
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Secure cookies whenever the archive is reached over HTTPS (directly, or behind a
# proxy that sets X-Forwarded-Proto): SecureCookiesOverHttpsMiddleware marks them
# per request, so plain-http development on localhost keeps working.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 0))
# The archive is served on a host name of its own (archive.example.org), so HTTPS-only holds
# for its subdomains too, and the host may be preloaded into browsers (which the preload list
# accepts for a registrable domain only, once its owner asks at hstspreload.org).
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SILENCED_SYSTEM_CHECKS = [
    # SECURE_SSL_REDIRECT: the TLS proxy in front redirects http:// to https:// (gunicorn
    # listens on 127.0.0.1 in plain http); redirecting here too would send the proxy's and
    # the load balancer's plain-http /healthz probes to https.
    "security.W008",
]

# Content-Security-Policy (django-csp): the archive's own scripts, styles and images only,
# nothing inline (no template has an inline script, style or handler; Django's admin has
# none either), and no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Failed admin logins (django-axes): a client (IP address) that fails this many
# times is locked out for a while and sees templates/axes/lockout.html.
AXES_FAILURE_LIMIT = int(os.environ.get("ARCHIVE_LOGIN_FAILURES", 5))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("ARCHIVE_LOCKOUT_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"
AXES_RESET_ON_SUCCESS = True
if os.environ.get("ARCHIVE_PROXY_COUNT"):
    AXES_IPWARE_PROXY_COUNT = int(os.environ["ARCHIVE_PROXY_COUNT"])
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

ADMIN_PATH = os.environ.get("ARCHIVE_ADMIN_PATH", "admin/").strip("/") + "/"

# The cache is shared by every gunicorn worker: by default files in
# ARCHIVE_DATA_DIR (one machine), or CACHE_URL=redis://host:6379/0 for several
# machines (needs `pip install redis`). Cached figures are keyed by the archive's
# version (articles/archive_cache.py), so a change shows in every worker at once.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["CACHE_URL"],
        }
        if os.environ.get("CACHE_URL")
        else {
            "BACKEND": "articles.file_cache.TolerantFileBasedCache",
            "LOCATION": DATA_DIR / "cache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    )
}

# Search: the embedded Whoosh index lives in ARCHIVE_DATA_DIR; HAYSTACK_URL
# points haystack's own Elasticsearch or Solr backends elsewhere.
WHOOSH_INDEX_PATH = DATA_DIR / "whoosh_index"


def haystack_connection(url):
    """The search connection: our Whoosh engine, or haystack's own for a HAYSTACK_URL."""
    if not url:
        return {
            "ENGINE": "articles.index.whoosh.backend.ArchiveWhooshEngine",
            "INDEX_ENGINE": "articles.index.whoosh.engine.WhooshEngine",
            "PATH": str(WHOOSH_INDEX_PATH),
            "INCLUDE_SPELLING": True,  # computed only when a query finds little
        }
    parts = urlsplit(url)
    location = f"{'https' if parts.scheme.endswith('s') else 'http'}://{parts.netloc}"
    # Errors are raised, not logged and dropped: the index queue keeps what failed.
    generic = {"INDEX_ENGINE": "articles.index.engines.HaystackEngine", "SILENTLY_FAIL": False}
    if parts.scheme in ("elasticsearch", "elasticsearchs"):
        return {
            "ENGINE": "haystack.backends.elasticsearch7_backend.Elasticsearch7SearchEngine",
            "URL": location,
            "INDEX_NAME": parts.path.strip("/") or "archive",
            **generic,
        }
    if parts.scheme in ("solr", "solrs"):
        return {
            "ENGINE": "haystack.backends.solr_backend.SolrEngine",
            "URL": location + parts.path,
            **generic,
        }
    if parts.scheme == "whoosh":
        # haystack's stock Whoosh backend: the generic path other engines take, on one machine.
        return {
            "ENGINE": "haystack.backends.whoosh_backend.WhooshEngine",
            "PATH": parts.path,
            **generic,
        }
    raise ImproperlyConfigured(
        f"HAYSTACK_URL: use elasticsearch://, solr:// or whoosh:///path, not {url!r}"
    )


HAYSTACK_CONNECTIONS = {"default": haystack_connection(os.environ.get("HAYSTACK_URL"))}
# Saves, deletes, renames and bulk changes queue index updates (articles.index).
HAYSTACK_SIGNAL_PROCESSOR = "articles.index.receivers.QueuedSignalProcessor"
HAYSTACK_LIMIT_TO_REGISTERED_MODELS = False  # one indexed model: no narrowing query

# Limits on one ingested file: overrides of articles.parsing.ParseLimits, which holds the
# defaults (articles.ingest.parse_limits adds the lengths of the database's columns).
INGEST_LIMITS = {
    field: int(os.environ[variable])
    for field, variable in (
        ("max_file_bytes", "ARCHIVE_MAX_FILE_BYTES"),
        ("max_body_chars", "ARCHIVE_MAX_BODY_CHARS"),
        ("max_keywords", "ARCHIVE_MAX_KEYWORDS"),
        ("max_source_number_digits", "ARCHIVE_MAX_SOURCE_NUMBER_DIGITS"),
    )
    if os.environ.get(variable)
}

ARTICLES_PER_PAGE = 20


def search_rate(value):
    """``"300/60"`` -> (300, 60): searches per client per window of seconds; ``"0"``: no limit."""
    count, _, seconds = value.partition("/")
    if count.strip() in ("", "0", "off"):
        return None
    try:
        return int(count), int(seconds or 60)
    except ValueError:
        raise ImproperlyConfigured(
            f"ARCHIVE_SEARCH_RATE: give searches/seconds, e.g. 300/60, not {value!r}"
        ) from None


#: Searches (page, API, feed; autocomplete counted apart) one client may make per window.
SEARCH_RATE = search_rate(os.environ.get("ARCHIVE_SEARCH_RATE", "300/60"))
#: Searches one worker process runs at once; more wait briefly, then get 503.
SEARCH_CONCURRENCY = int(os.environ.get("ARCHIVE_SEARCH_CONCURRENCY", 4))
#: Answers of the Whoosh index each worker keeps until the index changes (0: none kept).
SEARCH_ANSWERS_KEPT = int(os.environ.get("ARCHIVE_SEARCH_ANSWERS_KEPT", 100))
#: A search finding fewer articles than this gets a spelling suggestion (the engine computes
#: one only then, and the page shows it only then).
SEARCH_SUGGEST_BELOW = 3

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
