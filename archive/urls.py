"""The archive's URLs: the public site (``articles``), search (``search``), trends (``trends``)
and the admin."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    path("", include("articles.urls")),
    path("", include("articles.search.urls")),
    path("", include("articles.trends.urls")),
]
