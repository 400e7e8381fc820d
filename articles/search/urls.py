"""Search URLs, namespaced: ``{% url 'search:page' %}``, ``reverse("search:api")``..."""

from django.urls import path

from articles.search import views
from articles.search.feeds import SearchFeed
from articles.search.limits import limited

app_name = "search"

urlpatterns = [
    path("search/", views.search_page, name="page"),
    path("search/help/", views.search_help, name="help"),
    path(
        "search/feed/",
        limited("search")(views.degrades_to(views.unavailable_text)(SearchFeed())),
        name="feed",
    ),
    path("api/search/", views.search_api, name="api"),
    path("api/autocomplete/", views.autocomplete_api, name="autocomplete"),
    path("opensearch.xml", views.opensearch, name="opensearch"),
]
