"""``manage.py drain_index_queue``: index the changes still queued (see articles.index.queue)."""

from django.core.management.base import BaseCommand

from articles.index.queue import drain


class Command(BaseCommand):
    help = "Index the queued article changes now, waiting for the index's write lock."

    def handle(self, **options):
        written = drain()
        self.stdout.write(f"indexed {len(written)} queued article changes")
        if options["verbosity"] > 1:
            self.stdout.write(" ".join(map(str, written)))
