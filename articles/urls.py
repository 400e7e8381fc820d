"""The public site: articles, tags, people, dates, feeds and the files robots read."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path, register_converter
from django.views.decorators.cache import cache_page

from articles import feeds, views
from articles.converters import YearConverter
from articles.sitemaps import SITEMAPS

register_converter(YearConverter, "year")

app_name = "articles"

SITEMAP_CACHE_SECONDS = 3600

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/", views.ArticleListView.as_view(), name="article_list"),
    path(
        "articles/<year:year>/<str:month>/<str:day>/<str:slug>/",
        views.ArticleDetailView.as_view(),
        name="article_detail",
    ),
    path(
        "articles/undated/<str:slug>/", views.UndatedArticleView.as_view(), name="article_undated"
    ),
    path("tags/", views.TagListView.as_view(), name="tag_list"),
    path("tags/<str:slug>/", views.TagDetailView.as_view(), name="tag_detail"),
    path("tags/<str:slug>/feed/", feeds.TagFeed(), name="tag_feed"),
    path("people/", views.PersonListView.as_view(), name="person_list"),
    path("people/<str:slug>/", views.PersonDetailView.as_view(), name="person_detail"),
    path("people/<str:slug>/feed/", feeds.PersonFeed(), name="person_feed"),
    path("archive/<year:year>/", views.YearView.as_view(), name="archive_year"),
    path("archive/<year:year>/<str:month>/", views.MonthView.as_view(), name="archive_month"),
    path("archive/<year:year>/<str:month>/<str:day>/", views.DayView.as_view(), name="archive_day"),
    path("feeds/latest/", feeds.LatestArticlesFeed(), name="latest_feed"),
    path(
        "sitemap.xml",
        cache_page(SITEMAP_CACHE_SECONDS)(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "articles:sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        cache_page(SITEMAP_CACHE_SECONDS)(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("robots.txt", views.RobotsView.as_view(), name="robots"),
]
