"""``manage.py drain_index_queue``: index the changes still queued (see articles.index.queue)."""

from django.core.management.base import BaseCommand

from articles.index.queue import DRAIN_BATCH, drain


class Command(BaseCommand):
    help = (
        "Index the queued article changes now. Safe to run in several processes or on "
        "several machines at once: each claims its own rows."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DRAIN_BATCH,
            help=f"queue rows claimed per transaction (default {DRAIN_BATCH})",
        )

    def handle(self, *, batch_size, **options):
        written = drain(batch_size=batch_size)
        self.stdout.write(f"indexed {len(written)} queued article changes")
        if options["verbosity"] > 1:
            self.stdout.write("articles: " + " ".join(map(str, written)))
