"""Search URLs, included without a namespace: ``{% url 'search' %}``."""

from django.urls import path

from articles import search_views

urlpatterns = [
    path("search/", search_views.search, name="search"),
    path("search/help/", search_views.search_help, name="search_help"),
    path("search/feed/", search_views.search_feed, name="search_feed"),
    path("api/search/", search_views.search_api, name="search_api"),
    path("api/autocomplete/", search_views.autocomplete_api, name="autocomplete"),
    path("opensearch.xml", search_views.opensearch, name="opensearch"),
]
