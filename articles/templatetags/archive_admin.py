"""Template tags of the archive's admin."""

from django import template
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.db.models import Max, Min

register = template.Library()


@register.inclusion_tag("admin/date_hierarchy.html")
def archive_date_hierarchy(cl):
    """Django's date hierarchy, with a first level that costs two index look-ups.

    Django lists the years with a ``DISTINCT`` over a per-row function (on SQLite
    a Python call per article) on every changelist page; here the years run from
    the oldest to the newest article of the whole archive (a year without
    articles, if any, shows an empty list).  Once a year is chosen, Django's own
    hierarchy reads only that year's rows.
    """
    field = cl.date_hierarchy
    if any(name.startswith(f"{field}__") for name in cl.params):
        return date_hierarchy(cl)
    span = cl.root_queryset.aggregate(first=Min(field), last=Max(field))
    if span["first"] is None:
        return {"show": False}
    return {
        "show": True,
        "back": None,
        "choices": [
            {
                "link": cl.get_query_string({f"{field}__year": str(year)}, [f"{field}__"]),
                "title": str(year),
            }
            for year in range(span["first"].year, span["last"].year + 1)
        ],
    }
