"""Searching the archive, backend-neutral (haystack's ``SearchQuerySet``):

- ``query``: the query language -> haystack ``SQ``;
- ``params``: the URL parameters, validated (``SearchParams``);
- ``running``: running a search (``run_search``), one pass for a page, its total and facets;
- ``presenting``: links, cards, facets, chips and suggestions (``SearchOutcome``);
- ``autocomplete``: suggestions for the search box;
- ``views``, ``feeds``, ``urls``: the page, the API, the Atom feed (namespace ``search``).

Keeping the index in step with the database is ``articles.index``.
"""
