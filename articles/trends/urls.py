"""Trends URLs, namespaced: ``{% url 'trends:page' %}``, ``reverse("trends:api")``."""

from django.urls import path

from articles.search.limits import limited
from articles.trends import views

app_name = "trends"

urlpatterns = [
    # Each series is a search: trends count against the client's searches and the worker's slots.
    path("trends/", limited("search")(views.trends_page), name="page"),
    path("api/trends/", limited("search")(views.trends_api), name="api"),
]
