"""``manage.py group_versions``: file every article under its story (see articles.versions).

Ingest does this for the files it reads; run it once on an archive ingested before versions
existed (it signs the articles that have no signature yet).
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from articles import versions


class Command(BaseCommand):
    help = "Group the articles that are versions of one story (same or nearly the same text)."

    def handle(self, **options):
        with transaction.atomic():
            grouped = versions.group_all()
        self.stdout.write(f"{grouped} articles are versions of a story shared with others")
