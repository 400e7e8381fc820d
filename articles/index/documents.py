"""What every engine's document for an article is made of (shared by the ``ArticleIndex`` in
``articles/search_indexes.py``, which haystack discovers, and by ``check_index``)."""

import hashlib

#: Between the parts of the document text (title, each name, the body): an engine's analyzer
#: that understands it (ours: ``articles.index.whoosh.analysis``) keeps phrases from matching
#: across two parts; to any other it is a control character between words.
PART_SEPARATOR = "\x1e"


def relations(article):
    """The article's people and tags (prefetched), read once however many fields use them."""
    cached = article.__dict__.get("_index_relations")
    if cached is None:
        cached = article._index_relations = (list(article.people.all()), list(article.tags.all()))
    return cached


def document_fingerprint(article):
    """A digest of everything the index holds for ``article`` (people and tags prefetched).

    Stored in each document; ``check_index`` compares it with the article's to find stale
    documents without re-rendering every article.
    """
    people, tags = relations(article)
    parts = [
        article.url,
        article.title,
        f"publication:{article.publication}",
        article.pub_date.isoformat() if article.pub_date else "",
        article.slug,
        article.updated.isoformat() if article.updated else "",
        article.body,
        *(f"p:{p.slug}:{p.name}" for p in people),
        *(f"t:{t.slug}:{t.name}" for t in tags),
    ]
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=12).hexdigest()
