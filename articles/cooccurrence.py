"""Which people and tags occur most often with a person or a tag, and when it occurs."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Model

from articles.archive_cache import cached
from articles.models import Person, Tag

COOCCURRING_LIMIT = 12


@dataclass(frozen=True)
class SubjectSummary:
    people: list[Person]  # each with ``article_count``: the articles it shares with the subject
    tags: list[Tag]
    month_counts: dict[date, int]
    undated: int = 0  # its articles without a date


def subject_summary(subject: Model) -> SubjectSummary:
    """What a person's or tag's page shows beside its articles; cached, it counts over them all."""
    return cached(f"summary:{subject._meta.label_lower}:{subject.pk}:v2", lambda: _summary(subject))


def _summary(subject: Model) -> SubjectSummary:
    articles = subject.article_ids()
    month_counts, undated = subject.articles.month_and_undated_counts()
    return SubjectSummary(
        people=Person.objects.most_used(COOCCURRING_LIMIT, among=articles, leaving_out=subject),
        tags=Tag.objects.most_used(COOCCURRING_LIMIT, among=articles, leaving_out=subject),
        month_counts=month_counts,
        undated=undated,
    )
