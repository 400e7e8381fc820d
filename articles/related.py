"""Articles related to an article: more-like-this from the search index, else shared people/tags.

The index knows which articles read alike; when it finds fewer than wanted or
cannot answer (not built yet, unavailable), the database adds the articles that
share the most people (weight 2) and tags (weight 1) with this one.  Each comes
with its reason: the people and tags it shares, else "similar words" (the index
found it for its words alone).  The list is cached until the archive changes:
more-like-this costs tens of milliseconds.
"""

import logging
from dataclasses import dataclass

from django.db import connection
from haystack.query import SearchQuerySet

from articles.archive_cache import cached
from articles.models import Article

log = logging.getLogger(__name__)

RELATED_LIMIT = 5
PERSON_WEIGHT, TAG_WEIGHT = 2, 1


@dataclass(frozen=True)
class Related:
    article: Article
    people: list[str]  # the names of the people it shares with the article
    tags: list[str]

    @property
    def reason(self):
        """Why it is listed: "shares 2 people: A, B; 1 tag: C", or "similar words"."""
        parts = []
        for names, one, many in ((self.people, "person", "people"), (self.tags, "tag", "tags")):
            if names:
                parts.append(f"{len(names)} {one if len(names) == 1 else many}: {', '.join(names)}")
        return "shares " + "; ".join(parts) if parts else "similar words"


def related_articles(article: Article, limit: int = RELATED_LIMIT) -> list[Related]:
    """Up to ``limit`` articles like ``article`` with their reasons: the index's first, topped
    up from the database. ``article``'s people and tags are read (prefetch them)."""
    found = cached(
        f"related-reasons:{article.pk}:{limit}",
        lambda: with_reasons(article, related_ids(article, limit)),
    )
    articles = Article.objects.defer("body", "ingested").in_bulk([pk for pk, *_ in found])
    return [Related(articles[pk], people, tags) for pk, people, tags in found if pk in articles]


def with_reasons(article: Article, ids: list[int]) -> list[tuple[int, list[str], list[str]]]:
    """``(id, shared people's names, shared tags' names)`` for each of ``ids``: two queries."""
    shared = {pk: ([], []) for pk in ids}
    for relation, column, index in (("people", "person_id", 0), ("tags", "tag_id", 1)):
        mine = {subject.pk: subject.name for subject in getattr(article, relation).all()}
        through = getattr(Article, relation).through
        links = through.objects.filter(article_id__in=ids).order_by(column)
        for article_id, subject_id in links.values_list("article_id", column):
            if subject_id in mine:
                shared[article_id][index].append(mine[subject_id])
    return [(pk, *shared[pk]) for pk in ids]


def related_ids(article: Article, limit: int) -> list[int]:
    ids = similar_in_index(article, limit)
    if len(ids) < limit:
        ids += [pk for pk in sharing_people_or_tags(article, limit) if pk not in ids]
    return ids[:limit]


def similar_in_index(article: Article, limit: int) -> list[int]:
    """Ids of the articles the search index finds most like ``article``; [] if it cannot say."""
    try:
        results = SearchQuerySet().more_like_this(article)[:limit]
        return [int(result.pk) for result in results if result is not None]
    except Exception:  # a page must not fail because its sidebar's index is unavailable
        log.warning("more-like-this failed for article %s", article.pk, exc_info=True)
        return []


def sharing_people_or_tags(article: Article, limit: int) -> list[int]:
    """Ids of the articles sharing the most people and tags with ``article``, newest first on ties.

    One grouped query over the two link tables (both indexed by person/tag id),
    so that a tag on half the archive costs a scan of its links, not of articles.
    """
    people = Article.people.through._meta
    tags = Article.tags.through._meta
    sql = f"""
        SELECT shared.article_id FROM (
            SELECT l.article_id, {PERSON_WEIGHT} AS weight
            FROM {people.db_table} l JOIN {people.db_table} mine ON mine.person_id = l.person_id
            WHERE mine.article_id = %s
            UNION ALL
            SELECT l.article_id, {TAG_WEIGHT} AS weight
            FROM {tags.db_table} l JOIN {tags.db_table} mine ON mine.tag_id = l.tag_id
            WHERE mine.article_id = %s
        ) shared
        WHERE shared.article_id <> %s
        GROUP BY shared.article_id
        ORDER BY SUM(shared.weight) DESC, shared.article_id DESC
        LIMIT %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [article.pk, article.pk, article.pk, limit])
        return [row[0] for row in cursor.fetchall()]
