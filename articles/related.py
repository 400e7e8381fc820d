"""Articles related to an article: more-like-this from the search index, else shared people/tags.

The index knows which articles read alike; when it finds fewer than wanted or
cannot answer (not built yet, unavailable), the database adds the articles that
share the most people (weight 2) and tags (weight 1) with this one.  The list is
cached until the archive changes: more-like-this costs tens of milliseconds.
"""

import logging

from django.db import connection
from haystack.query import SearchQuerySet

from articles.archive_cache import cached
from articles.models import Article

log = logging.getLogger(__name__)

RELATED_LIMIT = 5
PERSON_WEIGHT, TAG_WEIGHT = 2, 1


def related_articles(article: Article, limit: int = RELATED_LIMIT) -> list[Article]:
    """Up to ``limit`` articles like ``article``: the index's first, topped up from the database."""
    ids = cached(f"related:{article.pk}:{limit}", lambda: related_ids(article, limit))
    found = Article.objects.defer("body", "ingested").in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


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
