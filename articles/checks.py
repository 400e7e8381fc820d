"""Start-up checks: what would make every page fail, reported once with its fix.

They are deployment checks with the tag ``serving``: ``manage.py check --deploy`` runs them
(with Django's own), gunicorn runs ``manage.py check --deploy --tag serving`` before it
starts (``gunicorn.conf.py``) and refuses to start when one fails. ``migrate``,
``collectstatic`` and ``ingest`` do not run them, so a fresh machine can still create what
they look for.
"""

import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.checks import Error, register

from articles.index.engines import IndexMissing, get_engine

TAG = "serving"


@register(TAG, deploy=True)
def static_files_collected(app_configs=None, **kwargs):
    """Without debug, pages name their static files through the manifest collectstatic writes."""
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return []
    manifest = Path(settings.STATIC_ROOT) / staticfiles_storage.manifest_name
    if manifest.exists():
        return []
    return [
        Error(
            f"static files are not collected: {manifest} is missing, so every page fails",
            hint="run manage.py collectstatic --noinput (with the same ARCHIVE_DATA_DIR)",
            id="archive.E001",
        )
    ]


@register(TAG, deploy=True)
def search_index_readable(app_configs=None, **kwargs):
    """The search index exists and can be read."""
    try:
        get_engine().document_count()
    except IndexMissing as exc:
        return [
            Error(
                f"{exc}: searches and article pages cannot use it",
                hint="run manage.py reindex (or manage.py ingest, which indexes as it goes)",
                id="archive.E002",
            )
        ]
    except Exception as exc:
        return [
            Error(
                f"the search index cannot be read: {type(exc).__name__}: {exc}",
                hint="rebuild it with manage.py reindex",
                id="archive.E003",
            )
        ]
    return []


@register(TAG, deploy=True)
def data_dir_writable(app_configs=None, **kwargs):
    """The data folder takes new files, if the database, the index or the cache live there."""
    kept = _kept_in_data_dir()
    if not kept:
        return []
    try:
        with tempfile.TemporaryFile(dir=settings.DATA_DIR):
            pass
    except OSError as exc:
        return [
            Error(
                f"the data folder {settings.DATA_DIR} is not writable ({exc.strerror}); "
                f"{', '.join(kept)} live there",
                hint="give the user serving the archive write access to it, or point "
                "ARCHIVE_DATA_DIR at a folder it can write",
                id="archive.E004",
            )
        ]
    return []


def _kept_in_data_dir():
    """What of the archive's is kept in ``DATA_DIR`` with this configuration."""
    kept = {
        "the SQLite database": settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
        "the search index": Path(settings.HAYSTACK_CONNECTIONS["default"].get("PATH", "/"))
        .resolve()
        .is_relative_to(settings.DATA_DIR),
        "the cache": settings.CACHES["default"]["BACKEND"].endswith("FileBasedCache"),
    }
    return [name for name, here in kept.items() if here]
