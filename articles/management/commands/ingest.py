"""``manage.py ingest [PATH ...]``: load seed-format files into the archive."""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from articles.ingest import DiskFull, find_files, ingest_files


class Command(BaseCommand):
    help = (
        "Ingest article files in the seed format (files or folders, *.txt recursively; "
        "default: seeds/). Exits non-zero when any file is rejected."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="files or folders (default: seeds/)")
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and count; write nothing"
        )
        parser.add_argument(
            "--override-edits",
            action="store_true",
            help="let the files overwrite fields that an editor changed in the admin",
        )

    def handle(self, *, paths, dry_run, override_edits, **options):
        paths = paths or [settings.BASE_DIR / "seeds"]
        try:
            files = find_files(paths)
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc

        on_terminal = sys.stderr.isatty() and options["verbosity"] > 0
        done = 0

        def advance(count):
            """A tqdm bar on a terminal; a plain line per batch otherwise."""
            nonlocal done
            done += count
            bar.update(count)
            if not on_terminal and options["verbosity"] > 0:
                self.stdout.write(f"ingest: {done}/{len(files)} files")

        try:
            with tqdm(
                total=len(files), unit="file", file=sys.stderr, disable=not on_terminal
            ) as bar:
                report = ingest_files(
                    files, dry_run=dry_run, override_edits=override_edits, on_progress=advance
                )
        except DiskFull as exc:
            raise CommandError(str(exc), returncode=1) from None

        for line in report.warnings + report.superseded + report.kept_edits:
            self.stderr.write(f"warning: {line}")
        for line in report.rejected:
            self.stderr.write(self.style.ERROR(f"rejected: {line}"))
        prefix = "dry run, nothing written: " if dry_run else ""
        self.stdout.write(f"{prefix}{report.files} files: {report.summary()}")
        if report.index_error:
            raise CommandError(
                f"the files are ingested, but the search index could not be updated "
                f"({report.index_error}); the changes stay queued: run manage.py "
                "drain_index_queue once the index is available",
                returncode=1,
            )
        if report.rejected:
            raise CommandError(f"{len(report.rejected)} file(s) rejected", returncode=1)
