"""Keeping the search index in step with the database, whatever the engine.

- ``receivers``: every change that alters an article's document queues it;
- ``queue``: the queue (``PendingIndexUpdate``), drained under a database lock into the
  engine, by each process's index thread or ``manage.py drain_index_queue``;
- ``maintenance``: ``check_index`` (compare, repair) and ``reindex`` (rebuild);
- ``documents``: what a document is made of (shared with ``articles/search_indexes.py``);
- ``engines``: the seam to a search engine (``IndexEngine``) and ``HaystackEngine``, for
  any backend haystack supports;
- ``whoosh``: our embedded Whoosh engine, the only package that imports ``whoosh``.
"""
