"""``manage.py compact_index``: reclaim replaced documents in the search index.

See ``articles.index.whoosh.compaction``: it runs in the background (``--no-wait``) after
index writes that leave it due; run by hand, it waits for a compaction already running.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from articles.index.engines import get_engine
from articles.index.whoosh import compaction
from articles.index.whoosh.engine import WhooshEngine


class Command(BaseCommand):
    help = "Compact the Whoosh search index: drop replaced documents, merge small segments."

    def add_arguments(self, parser):
        parser.add_argument(
            "--index-path", help="the Whoosh index folder (default: the configured index)"
        )
        parser.add_argument(
            "--no-wait", action="store_true", help="do nothing if a compaction is running"
        )

    def handle(self, *, index_path, no_wait, **options):
        if index_path is None:
            engine = get_engine()
            if not isinstance(engine, WhooshEngine):
                raise CommandError("only the embedded Whoosh index needs compacting")
            index_path = engine.path

        def say(outcome):
            self.stdout.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {outcome}")
            self.stdout.flush()  # into the log as it happens (a compaction can go on a while)

        try:
            done = compaction.compact(
                index_path, blocking=not no_wait, report=lambda result: say(f"compacted: {result}")
            )
        except compaction.Abandoned as exc:
            raise CommandError(f"compaction abandoned: {exc}") from exc
        if done is None:
            say("another compaction is running (it will see to this index)")
        elif not done:
            say("nothing to compact")
