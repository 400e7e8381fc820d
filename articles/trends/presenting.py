"""What the trends page offers around the chart: its form's boxes, links that change the state,
and examples to start from. Links are ``articles.search.presenting.Link``s."""

from articles.overview import archive_overview
from articles.search.presenting import Link
from articles.trends.params import TrendParams, subject_clause, trends_url

SCALES = (("per-1000", "Per 1,000 articles"), ("count", "Articles"))
INTERVALS = (("year", "Per year"), ("month", "Per month"))


def series_fields(params):
    """``(number, text, link to the page without it)`` for each series given: the form's boxes."""
    queries = params.queries
    return [
        (number, text, trends_url(params, q=queries[: number - 1] + queries[number:]))
        for number, text in enumerate(queries, 1)
    ]


def filter_chips(params, names):
    """The person and tag filters that exist (``names``: ``Trends.names``), each a link that
    removes it."""
    links = []
    for kind, param, noun in (("people", "person", "Person"), ("tags", "tag", "Tag")):
        slugs = getattr(params.filters, kind)
        links += [
            Link(
                f"{noun}: {names[kind][slug]}", trends_url(params, **{param: _without(slugs, slug)})
            )
            for slug in slugs
            if slug in names.get(kind, {})
        ]
    return links


def toggles(params, interval):
    """``(values, periods)``: the links between the scales and between the intervals, the one
    in use (``interval`` is the one counted) ``selected``."""
    values = [
        Link(label, trends_url(params, scale=value), selected=value == params.scale)
        for value, label in SCALES
    ]
    periods = [
        Link(label, trends_url(params, interval=value), selected=value == interval)
        for value, label in INTERVALS
    ]
    return values, periods


def examples():
    """Trends to start from: the archive's two people and three tags most written about."""
    overview = archive_overview()
    found = []
    for field, subjects in (("person", overview.people[:2]), ("tag", overview.tags[:3])):
        if len(subjects) > 1:
            queries = [subject_clause(field, subject.name) for subject in subjects]
            label = ", ".join(subject.name for subject in subjects)
            found.append(Link(label, trends_url(TrendParams(), q=queries)))
    return found


def _without(values, value):
    return [v for v in values if v != value]
