"""``manage.py check_index [--fix]``: compare the search index with the database."""

from django.core.management.base import BaseCommand, CommandError

from articles.index import maintenance


class Command(BaseCommand):
    help = (
        "Compare the search index with the database: articles missing from the index, "
        "stale documents (the article changed since), orphaned documents (the article is "
        "gone) and changes still queued. Exits 1 when they disagree; --fix repairs them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="re-index what differs")
        parser.add_argument(
            "--show", type=int, default=20, help="ids listed per kind of difference"
        )

    def handle(self, *, fix, show, **options):
        report = maintenance.compare()
        for kind, ids in report.differences():
            listed = ", ".join(map(str, ids[:show])) + (", …" if len(ids) > show else "")
            self.stdout.write(f"{kind}: {len(ids)} ({listed})")
        if report.agrees:
            self.stdout.write(f"index and database agree: {report.articles} articles")
            return
        if not fix:
            raise CommandError("the index and the database disagree (--fix repairs)", 1)
        written = maintenance.repair(report)
        after = maintenance.compare()
        if not after.agrees:
            raise CommandError(f"still disagree after re-indexing {written} articles", 1)
        self.stdout.write(f"fixed: re-indexed {written} articles; {after.articles} agree")
