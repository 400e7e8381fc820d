"""Trends URLs, namespaced: ``{% url 'trends:page' %}``, ``reverse("trends:api")``."""

from django.urls import path

from articles.trends import views

app_name = "trends"

urlpatterns = [
    path("trends/", views.trends_page, name="page"),
    path("api/trends/", views.trends_api, name="api"),
]
