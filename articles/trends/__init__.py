"""Trends: how often the archive speaks of something, over time, compared.

- ``params``: the URL state (``TrendParams``): up to five series, each a query in the search
  language (repeated ``q``), the filters they share (as in a search), ``interval``, ``scale``;
- ``counting``: periods, their totals and each series' count per period (``count_trends``):
  one faceted search per series (the index's ``month`` facet), totals from the database;
- ``chart``: the geometry of the SVG line chart (``build_chart``);
- ``views``, ``urls``: the page, the JSON/CSV/SVG export (namespace ``trends``).

Undated articles belong to no period: trends leave them out (the page says how many).
"""
