"""Template tags of the search page."""

from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def facet_items(facet_id, links):
    """A facet's values as ``<li>`` items: each a link adding it to the search (or, selected,
    removing it), with its description for screen readers and its count (English digit
    grouping, as ``intcomma`` gives on this English-only site).

    Built here, escaped as Django's templates escape (``html.escape``), rather than as template
    markup or with ``format_html``: a search page lists up to 90 values, and either of those
    cost 1.5-3 ms of its time (8 variables and tags, or 3 ``format_html`` calls, a value).
    """
    return mark_safe("".join(_item(escape(facet_id), link) for link in links))


def _item(facet_id, link):
    label, url = escape(link.label), escape(link.url)
    described = description = ""
    if link.description:
        text, described_by = escape(link.description), f"{facet_id}-{escape(link.slug)}"
        described = f' title="{text}" aria-describedby="{described_by}"'
        description = f'<span hidden id="{described_by}">{text}</span>'
    if link.selected:
        plural = "" if link.count == 1 else "s"
        anchor = (
            f'<a href="{url}" class="selected" aria-current="true" aria-label="{label}, '
            f'{link.count} article{plural}, selected: remove"{described}>{label} '
            '<span aria-hidden="true">×</span></a>'
        )
    else:
        anchor = f'<a href="{url}" rel="nofollow"{described}>{label}</a>'
    return f'<li>{anchor}{description} <span class="count">{link.count:,}</span></li>'
