"""Versions of one story: articles whose text is the same or nearly so.

A wire story filed twice, re-sent with a corrected word, under a changed title or with a
correction line at the end: readers want it once in a list, with its other versions a
click away. At ingest each article's body is summarised as a MinHash signature of its
five-word shingles (datasketch, 64 permutations); two articles whose signatures agree on at
least ``THRESHOLD`` of their values (the estimated Jaccard similarity of their shingles) are
versions of one story. Candidates come from locality-sensitive hashing: each signature's
16 bands of 4 values are stored as ``ArticleBand`` rows (a hash, indexed), and articles that
share a band are compared.

A story is named by its first ingested version: every version's ``Article.story`` points to
it (itself included); an article on its own has none. Grouping is decided when a file is
ingested (or changes), so an unchanged re-ingest and the editors' edits leave it as it is.
An editor can split an article from its story (``Article.versions_split``): it is then never
grouped again.
"""

import hashlib
import zlib
from collections import defaultdict

import numpy as np
from datasketch import MinHash
from django.db.models import Q

from articles.archive_cache import archive_changed, kept_in_process
from articles.models import Article, ArticleBand

SHINGLE_WORDS = 5
PERMUTATIONS = 64
BANDS = 16
ROWS = PERMUTATIONS // BANDS
#: Estimated share of shingles two versions of one story have in common, at least.
THRESHOLD = 0.7
#: Shorter texts are not grouped: a few shingles say too little.
MIN_SHINGLES = 12
SCHEME = "affine32"  # datasketch's: 32-bit values, permutations that are bijections
_PERMUTATIONS = MinHash(num_perm=PERMUTATIONS, seed=1, scheme=SCHEME).permutations


def signature(body):
    """The MinHash signature of ``body``'s five-word shingles (bytes), or None if too short."""
    words = body.casefold().split()
    shingles = {
        " ".join(words[i : i + SHINGLE_WORDS]).encode()
        for i in range(len(words) - SHINGLE_WORDS + 1)
    }
    if len(shingles) < MIN_SHINGLES:
        return None
    minhash = MinHash(
        num_perm=PERMUTATIONS,
        seed=1,
        hashfunc=zlib.crc32,
        permutations=_PERMUTATIONS,
        scheme=SCHEME,
    )
    minhash.update_batch(list(shingles))
    return minhash.hashvalues.astype(np.uint32).tobytes()


def similarity(first, second):
    """The estimated Jaccard similarity of two signatures."""
    a, b = np.frombuffer(first, dtype=np.uint32), np.frombuffer(second, dtype=np.uint32)
    return float(np.mean(a == b))


def band_hashes(sig):
    """The 64-bit keys of the signature's bands (band number included)."""
    return [
        int.from_bytes(
            hashlib.blake2b(bytes([band]) + sig[band * ROWS * 4 : (band + 1) * ROWS * 4],
                            digest_size=8).digest(),
            "big",
            signed=True,
        )
        for band in range(BANDS)
    ]  # fmt: skip


def assign(article_ids):
    """File these (new or changed) articles, whose ``text_signature`` is stored, under their
    story, if any. A fixed number of queries for any number of articles; call it inside the
    transaction that changed them."""
    articles = list(
        Article.objects.filter(pk__in=article_ids).only(
            "pk", "text_signature", "story", "versions_split"
        )
    )
    if not articles:
        return
    signatures = {a.pk: a.text_signature and bytes(a.text_signature) for a in articles}
    ArticleBand.objects.filter(article_id__in=[a.pk for a in articles]).delete()
    bands = {pk: band_hashes(sig) for pk, sig in signatures.items() if sig is not None}
    ArticleBand.objects.bulk_create(
        [ArticleBand(article_id=pk, hash=h) for pk, hashes in bands.items() for h in hashes],
        batch_size=2000,
    )
    matches = _matches(bands, signatures)
    for article in articles:
        if article.versions_split:
            continue
        found = matches.get(article.pk, [])
        if found:
            _join(article, found)
        elif article.story_id is not None:
            _leave(article)


def _matches(bands, signatures):
    """``{article id: [articles it is a version of]}`` among all articles sharing a band."""
    sharing = defaultdict(set)
    hashes = {h: pk for pk, article_hashes in bands.items() for h in article_hashes}
    rows = ArticleBand.objects.filter(hash__in=list(hashes)).values_list("hash", "article_id")
    for band_hash, other in rows:
        mine = hashes[band_hash]
        if other != mine:
            sharing[mine].add(other)
    candidates = Article.objects.filter(
        pk__in={pk for others in sharing.values() for pk in others}, versions_split=False
    ).only("pk", "text_signature", "story")
    by_pk = {c.pk: c for c in candidates if c.text_signature}

    def alike(pk, other):
        return similarity(signatures[pk], by_pk[other].text_signature) if other in by_pk else 0

    return {
        pk: [by_pk[other] for other in sorted(others) if alike(pk, other) >= THRESHOLD]
        for pk, others in sharing.items()
    }


def _join(article, matches):
    """File ``article`` with its ``matches``: one story, named by its first version; stories
    the article bridges become one. A story it no longer reads like, it leaves."""
    stories = {m.story_id or m.pk for m in matches}
    if article.story_id is not None and article.story_id not in stories:
        _leave(article)
    first = min(stories | {article.pk})
    members = Q(pk__in=[article.pk, *(m.pk for m in matches)]) | Q(story_id__in=stories)
    Article.objects.filter(members).update(story_id=first)


def _leave(article):
    """``article`` no longer reads like its story: it stands alone, and so does a story left
    with one version."""
    story = article.story_id
    Article.objects.filter(pk=article.pk).update(story=None)
    remaining = Article.objects.filter(story_id=story)
    if remaining.count() == 1:
        remaining.update(story=None)
    elif article.pk == story:  # the story was named by this article: rename it
        new_first = remaining.order_by("pk").values_list("pk", flat=True).first()
        remaining.update(story_id=new_first)


def group_all(chunk=2000):
    """Sign the articles without a signature (an archive from before versions), then file
    every article under its story; returns the number of articles in a story."""
    unsigned = Article.objects.filter(text_signature__isnull=True).only("pk", "body")
    while batch := list(unsigned[:chunk]):
        for article in batch:
            article.text_signature = signature(article.body) or b""
        Article.objects.bulk_update(batch, ["text_signature"], batch_size=500)
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        assign(ids[start : start + chunk])
    archive_changed()  # the articles' pages list their versions
    return Article.objects.filter(story__isnull=False).count()


def split(article):
    """An editor's decision: ``article`` is not a version of its story, now or later."""
    Article.objects.filter(pk=article.pk).update(versions_split=True)
    if article.story_id is not None:
        _leave(article)
        archive_changed()  # the story's pages list its versions


def versions_of(article):
    """The other versions of ``article``'s story, oldest first (no query when it has none)."""
    if article.story_id is None:
        return []
    return list(
        Article.objects.filter(story_id=article.story_id)
        .exclude(pk=article.pk)
        .only("pk", "title", "url", "slug", "pub_date", "story")
        .order_by("pk")
    )


def other_versions(article_ids):
    """``{article id: [its other versions, oldest first]}`` for the articles with a story; no
    query when none has a story, as on most pages of results, one otherwise."""
    story_of = _stories()
    stories = {pk: story_of[pk] for pk in article_ids if pk in story_of}
    if not stories:
        return {}
    members = defaultdict(list)
    for version in (
        Article.objects.filter(story_id__in=set(stories.values()))
        .only("pk", "title", "url", "slug", "pub_date", "story")
        .order_by("pk")
    ):
        members[version.story_id].append(version)
    return {pk: [v for v in members[story] if v.pk != pk] for pk, story in stories.items()}


def _stories():
    """``{article id: story id}`` of the articles in a story (1% of the articles at 20,000),
    read by each process once per version of the archive."""
    return kept_in_process(
        "stories",
        lambda: dict(Article.objects.filter(story__isnull=False).values_list("pk", "story_id")),
    )
