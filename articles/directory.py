"""The A-Z directories of tags and people: filtering, sorting, letters and grouping by initial.

The order is the stored ``sort_key`` (``articles.text.sort_key``: case and accents ignored,
names that do not start with a letter first under ``#``), so that the database sorts and
pages, and every page of the directory continues where the last one stopped. The letter bar
links every letter that has entries to its own page (``?letter=R``), whatever page is shown.
"""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from articles.parsing import normalize_key
from articles.text import NON_LETTER_PREFIX

SORTS = ("name", "count")


@dataclass(frozen=True)
class Group:
    initial: str
    entries: list


@dataclass(frozen=True)
class Letter:
    letter: str  # "#" or an upper-case letter
    param: str  # the value of ``?letter=``
    count: int
    current: bool


def initial(key: str) -> str:
    """The letter a sort key is filed under (``#`` for digits and signs)."""
    first = key[:1].upper()
    return first if first.isalpha() else "#"


def letter_param(value: str) -> str | None:
    """A ``?letter=`` value made canonical (``"r"`` -> ``"R"``), or ``None`` if it is none."""
    value = value.strip()
    if value == "#" or (len(value) == 1 and value.isalpha()):
        return value.upper()
    return None


def with_letter(queryset: QuerySet, letter: str | None) -> QuerySet:
    """Only the entries filed under ``letter`` (a range on the sort key: the index serves it)."""
    if not letter:
        return queryset
    start = NON_LETTER_PREFIX if letter == "#" else letter.lower()
    return queryset.filter(sort_key__gte=start, sort_key__lt=chr(ord(start) + 1))


def directory(queryset: QuerySet, *, query: str, sort: str, letter: str | None = None) -> QuerySet:
    """``queryset`` (people or tags) with ``article_count``, filtered by name and letter, sorted."""
    entries = with_letter(filtered(queryset, query), letter).with_article_counts()
    if sort == "count":
        return entries.order_by("-article_count", "sort_key", "pk")
    return entries.order_by("sort_key", "pk")


def filtered(queryset: QuerySet, query: str) -> QuerySet:
    if not query:
        return queryset
    # ``key`` is casefolded: it matches "москва" to "Москва", which SQLite's LIKE does not.
    return queryset.filter(Q(name__icontains=query) | Q(key__contains=normalize_key(query)))


def letters(queryset: QuerySet, *, query: str, current: str | None) -> list[Letter]:
    """Every letter that has entries (among those matching ``query``), with counts; one query."""
    firsts = (
        filtered(queryset, query)
        .order_by()
        .annotate(first=Substr("sort_key", 1, 1))
        .values_list("first")
        .annotate(n=Count("pk"))
    )
    counts: dict[str, int] = {}
    for first, n in firsts:
        letter = initial(first)
        counts[letter] = counts.get(letter, 0) + n
    return [
        Letter(letter, letter, counts[letter], letter == current)
        for letter in sorted(counts, key=lambda x: (x != "#", x))
    ]


def by_initial(entries) -> list[Group]:
    """``entries`` (in sort-key order) grouped by initial: ``#`` first, then A-Z."""
    groups: dict[str, list] = {}
    for entry in entries:
        groups.setdefault(initial(entry.sort_key), []).append(entry)
    return [Group(letter, groups[letter]) for letter in groups]
