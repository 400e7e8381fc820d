"""``manage.py check_index [--deep] [--fix]``: read the search index through and compare it
with the database."""

from django.core.management.base import BaseCommand, CommandError

from articles.index import maintenance
from articles.index.engines import get_engine


class Command(BaseCommand):
    help = (
        "Read the search index through (every segment and stored document; --deep also every "
        "posting) and compare it with the database: articles missing from the index, stale "
        "documents (the article changed since), orphaned documents (the article is gone) and "
        "changes still queued. Exits 1 when the index is damaged or they disagree; --fix "
        "repairs them (a damaged index is rebuilt)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="re-index what differs")
        parser.add_argument(
            "--deep", action="store_true", help="also read every posting (slower, thorough)"
        )
        parser.add_argument(
            "--show", type=int, default=20, help="ids listed per kind of difference"
        )

    def handle(self, *, fix, deep, show, **options):
        engine = get_engine()
        if problems := engine.problems(deep=deep):
            for problem in problems:
                self.stdout.write(f"damaged: {problem}")
            if not fix:
                raise CommandError(
                    "the search index is damaged: run manage.py reindex (or check_index --fix)",
                    returncode=1,
                )
            count = maintenance.rebuild()
            if problems := engine.problems(deep=deep):
                raise CommandError(f"still damaged after a rebuild: {problems[0]}", returncode=1)
            self.stdout.write(f"rebuilt the damaged index: {count} articles")
        report = maintenance.compare()
        for kind, ids in report.differences():
            listed = ", ".join(map(str, ids[:show])) + (", …" if len(ids) > show else "")
            self.stdout.write(f"{kind}: {len(ids)} ({listed})")
        if report.agrees:
            self.stdout.write(f"index and database agree: {report.articles} articles")
            return
        if not fix:
            raise CommandError("the index and the database disagree (--fix repairs)", returncode=1)
        written = maintenance.repair(report)
        after = maintenance.compare()
        if not after.agrees:
            raise CommandError(f"still disagree after re-indexing {written} articles", returncode=1)
        self.stdout.write(f"fixed: re-indexed {written} articles; {after.articles} agree")
