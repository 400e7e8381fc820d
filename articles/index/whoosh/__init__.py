"""Everything Whoosh: the only package of the archive that imports ``whoosh``.

- ``backend``: our haystack engine (``ArchiveWhooshEngine``): schema, searcher, facets,
  highlights, spelling;
- ``analysis``: how text becomes terms, and highlighting;
- ``writer``: one writer under the write lock, one commit per batch;
- ``locks``: the write and compaction locks;
- ``compaction``: reclaiming replaced documents in the background;
- ``engine``: the index queue's seam (``WhooshEngine``).
"""
