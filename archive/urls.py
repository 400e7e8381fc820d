"""The archive's URLs: the public site (``articles``), search (``search``), trends
(``trends``), the admin, and ``/healthz`` for load balancers and monitoring."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from articles.views import healthz

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("", include("articles.urls")),
    path("", include("articles.search.urls")),
    path("", include("articles.trends.urls")),
]
