"""The trends page and its export (JSON, CSV, SVG): thin views.

Validate the state (``TrendParams``), count (``count_trends``), draw (``build_chart``), show.
"""

import csv

from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from articles.search.limits import limited
from articles.search.params import shown
from articles.search.views import degrades_to, unavailable_json, unavailable_page
from articles.trends.chart import build_chart
from articles.trends.counting import count_trends
from articles.trends.params import TrendParams, canonical_query_string
from articles.trends.presenting import examples, filter_chips, series_fields, toggles

FORMATS = ("json", "csv", "svg")


# Each series is a search: trends count against the client's searches and the worker's slots,
# and answer 503 like search when the engine cannot.
@require_safe
@limited("search")
@degrades_to(unavailable_page)
def trends_page(request):
    if (query_string := canonical_query_string(request.GET)) is not None:
        return redirect(f"{reverse('trends:page')}?{query_string}")
    params = TrendParams.from_querydict(request.GET)
    trends = count_trends(params) if request.GET else None  # else: where to start
    values, periods = toggles(params, trends.interval if trends else "")
    context = {
        "params": params,
        "trends": trends,
        "chart": build_chart(trends, params.scale) if trends and trends.series else None,
        "series_fields": series_fields(params),
        "chips": filter_chips(params, trends.names if trends else {}),
        "values": values,
        "periods": periods,
        "examples": [] if request.GET else examples(),
        "export": f"{reverse('trends:api')}?{params.query_string()}",
    }
    status = 400 if trends and trends.errors else 200
    return render(request, "trends/trends.html", context, status=status)


@require_safe
@limited("search")
@degrades_to(unavailable_json)
def trends_api(request):
    """``?q=...``: JSON; ``&format=csv``: a spreadsheet's rows; ``&format=svg``: the chart.

    Any problem: ``400 {"errors": [...]}``.
    """
    params = TrendParams.from_querydict(request.GET)
    fmt = request.GET.get("format", "json")
    if fmt not in FORMATS:
        params.errors.append(f"“{shown(fmt)}” is not a format; use json, csv or svg.")
    trends = count_trends(params, strict=True)
    if trends.errors:
        return JsonResponse({"errors": trends.errors}, status=400)
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="trends.csv"'
        csv.writer(response).writerows(trends.csv_rows())
        return response
    if fmt == "svg":
        context = {
            "chart": build_chart(trends, params.scale, standalone=True),
            "base": request.build_absolute_uri("/").rstrip("/"),
        }
        return render(request, "trends/chart.svg", context, content_type="image/svg+xml")
    return JsonResponse(trends.as_json())
