"""The A-Z directories of tags and people: filtering, sorting and grouping by initial."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from articles.parsing import normalize_key
from articles.text import fold

SORTS = ("name", "count")


@dataclass(frozen=True)
class Group:
    initial: str
    entries: list


def initial(text: str) -> str:
    """The letter a name is filed under: accents dropped, ``#`` for digits and signs."""
    first = fold(text.strip()[:1])[:1].upper()
    return first if first.isalpha() else "#"


def directory(queryset: QuerySet, *, query: str, sort: str, sort_field: str) -> QuerySet:
    """``queryset`` (people or tags) with ``article_count``, filtered by name and sorted."""
    entries = queryset.with_article_counts()
    if query:
        # ``key`` is casefolded: it matches "москва" to "Москва", which SQLite's LIKE does not.
        entries = entries.filter(Q(name__icontains=query) | Q(key__contains=normalize_key(query)))
    if sort == "count":
        return entries.order_by("-article_count", sort_field, "pk")
    return entries.order_by(sort_field, "pk")


def by_initial(entries, sort_field: str) -> list[Group]:
    """``entries`` grouped by the initial of ``sort_field``, ``#`` first, then A-Z.

    The order within a group is kept; an accented initial joins its plain letter.
    """
    groups: dict[str, list] = {}
    for entry in entries:
        groups.setdefault(initial(getattr(entry, sort_field)), []).append(entry)
    return [Group(letter, groups[letter]) for letter in sorted(groups)]
