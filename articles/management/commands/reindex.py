"""``manage.py reindex``: rebuild the search index from the database, crash-safely."""

import time

from django.core.management.base import BaseCommand

from articles.index import maintenance


class Command(BaseCommand):
    help = (
        "Rebuild the whole search index from the database in one commit: searches keep "
        "using the old index until it is done, and an interruption leaves the old index "
        "whole. (Use this rather than haystack's rebuild_index, which empties it first.)"
    )

    def handle(self, **options):
        started = time.perf_counter()
        count = maintenance.rebuild()
        elapsed = time.perf_counter() - started
        self.stdout.write(f"indexed {count} articles in {elapsed:.1f} s")
