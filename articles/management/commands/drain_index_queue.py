"""``manage.py drain_index_queue``: index the changes still queued (see articles.indexing)."""

from django.core.management.base import BaseCommand

from articles import indexing


class Command(BaseCommand):
    help = "Index the queued article changes now, waiting for the index's write lock."

    def handle(self, **options):
        written = indexing.drain()
        self.stdout.write(f"indexed {written} queued article changes")
