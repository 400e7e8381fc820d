"""Recent answers kept until the index changes: Solr's query result cache, for Whoosh.

A news archive is asked the same things again and again: the names in the day's news, a
search linked from elsewhere, the pages of one result list. Solr (``queryResultCache``) and
Elasticsearch (the shard request cache) keep recent answers until the index changes; Whoosh
does not. ``KeptAnswers`` keeps a process's last ``SEARCH_ANSWERS_KEPT`` answers (the page of
results' stored fields and highlights, the total, the facets, the spelling suggestion) for
the searcher that found them, and forgets them all when the searcher is reopened on a changed
index: an answer is never older than the index the same search would read.
"""

import threading
from collections import OrderedDict


class KeptAnswers:
    """The last ``size`` answers of one searcher (none, with ``size`` 0), least recently used
    first out."""

    def __init__(self, size):
        self.size = size
        self._searcher = None
        self._answers = OrderedDict()
        self._lock = threading.Lock()

    def get(self, searcher, key):
        """The answer kept for ``key`` by this very ``searcher``, or None."""
        with self._lock:
            if searcher is not self._searcher:
                return None
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
            return answer

    def keep(self, searcher, key, answer):
        """Keep ``answer`` for ``key``; the answers of any other searcher are forgotten."""
        if not self.size:
            return
        with self._lock:
            if searcher is not self._searcher:
                self._searcher, self._answers = searcher, OrderedDict()
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)

    def forget(self):
        with self._lock:
            self._searcher, self._answers = None, OrderedDict()


def answer_key(query_string, params):
    """A hashable key of everything a search's answer depends on (haystack's parameters:
    dicts, sets and lists of strings, numbers and model classes)."""
    return (query_string, _frozen(params))


def _frozen(value):
    if isinstance(value, dict):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, set | frozenset):
        return tuple(sorted((_frozen(item) for item in value), key=repr))
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    return value
