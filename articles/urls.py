from django.urls import path

from articles import views

app_name = "articles"

urlpatterns = [
    path("", views.ArticleListView.as_view(), name="home"),
    path(
        "articles/<int:year>/<str:month>/<str:day>/<str:slug>/",
        views.ArticleDetailView.as_view(),
        name="article_detail",
    ),
    path("articles/undated/<str:slug>/", views.UndatedArticleView.as_view(), name="article_undated"),
    path("people/<str:slug>/", views.PersonDetailView.as_view(), name="person_detail"),
    path("tags/<str:slug>/", views.TagDetailView.as_view(), name="tag_detail"),
]
