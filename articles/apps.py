from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Archive"

    def ready(self):
        from articles import archive_cache, checks  # noqa: F401 (checks registers them)
        from articles.signals import connect_receivers

        # The search index's receivers are connected by haystack's signal processor
        # (settings.HAYSTACK_SIGNAL_PROCESSOR, articles.index.receivers).
        connect_receivers(archive_cache.RECEIVERS, "archive-cache")
