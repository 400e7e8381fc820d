"""Our index writers (``articles.index.whoosh.writer``) write the index Whoosh's own writers
write: the same words, postings (weights and positions), lengths and stored fields, with
runs of postings spilled to disk and read back, in one process and in a bulk writer's."""

import random

import pytest
from whoosh import fields, index
from whoosh.multiproc import MpWriter
from whoosh.writing import SegmentWriter

from articles.index.whoosh.analysis import text_analyzer
from articles.index.whoosh.writer import ArchiveSegmentWriter, BatchedPostingPool, _BulkWriter

WORDS = ["oil", "price", "united", "states", "trade", "deal", "rose", "fell", "bank", "rates"]
WORDS += [f"{word}{n}" for n in range(40) for word in ("gold", "wheat")]  # rarer words


def documents(count, seed):
    rng = random.Random(seed)
    return [
        {
            "n": str(n),
            "title": " ".join(rng.choices(WORDS, k=rng.randint(1, 6))),
            "text": " ".join(rng.choices(WORDS, k=rng.randint(1, 80))),
        }
        for n in range(count)
    ]


def schema():
    return fields.Schema(
        n=fields.ID(stored=True, unique=True),
        title=fields.TEXT(analyzer=text_analyzer(), stored=True),
        text=fields.TEXT(analyzer=text_analyzer()),
    )


def written(folder, writer_class, docs, **options):
    """The index ``writer_class`` writes of ``docs``, its pool spilling runs to disk often."""
    folder.mkdir()
    ix = index.create_in(folder, schema())
    writer = writer_class(ix, limitmb=1, **options)
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    return index.open_dir(folder)


def contents(ix):
    """Every posting as ``(field, word, document's n, weight, positions)``, each word's
    statistics, each document's lengths and stored fields, keyed by the documents' own
    ``n`` (a bulk writer's processes number them in the order they take them)."""
    with ix.searcher() as searcher:
        key = {docnum: fields["n"] for docnum, fields in searcher.iter_docs()}
        reader = searcher.reader()
        postings, terms = set(), {}
        for fieldname, btext in reader.all_terms():
            info = reader.term_info(fieldname, btext)  # (its lengths: for BM25's bounds)
            terms[fieldname, btext] = (
                info.weight(),
                info.doc_frequency(),
                info.min_length(),
                info.max_length(),
                info.max_weight(),
            )
            matcher = reader.postings(fieldname, btext)
            while matcher.is_active():
                positions = matcher.supports("positions") and tuple(matcher.value_as("positions"))
                postings.add((fieldname, btext, key[matcher.id()], matcher.weight(), positions))
                matcher.next()
        lengths = {
            (key[d], f): reader.doc_field_length(d, f) for d in key for f in ("title", "text")
        }
        stored = {key[d]: fields for d, fields in searcher.iter_docs()}
    return postings, terms, lengths, stored


def test_a_writer_of_ours_writes_the_index_whooshs_writes(tmp_path):
    docs = documents(1500, seed=1)
    ours = written(tmp_path / "ours", ArchiveSegmentWriter, docs)
    theirs = written(tmp_path / "theirs", SegmentWriter, docs)
    assert contents(ours) == contents(theirs)
    assert len(contents(ours)[0]) > 10_000


@pytest.mark.slow
def test_a_bulk_writer_of_ours_writes_the_index_whooshs_writes(tmp_path):
    docs = documents(3000, seed=2)
    options = {"procs": 2, "multisegment": True}
    ours = written(tmp_path / "ours", _BulkWriter, docs, **options)
    theirs = written(tmp_path / "theirs", MpWriter, docs, **options)
    assert contents(ours) == contents(theirs)
    assert len(ours.reader().leaf_readers()) == 2  # (each process's segment)


def test_runs_of_postings_are_read_back_whole_and_in_order(tmp_path):
    from whoosh.filedb.filestore import FileStorage

    pool = BatchedPostingPool(FileStorage(str(tmp_path)).create(), segment=None, limitmb=1)
    items = [("text", f"w{n % 977:04d}".encode(), n, 1.0, b"v") for n in range(60_000)]
    for item in random.Random(3).sample(items, len(items)):
        pool.add(item)
    assert pool.runs  # (spilled to disk)
    assert list(pool.items()) == sorted(items)
    assert not list(tmp_path.glob("*.run"))  # each run removed once read
