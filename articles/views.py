"""Public pages: thin views over ``Article.objects`` query methods."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.views.generic import DateDetailView, DetailView, ListView

from articles.models import Article, Person, Tag


class ArticleListView(ListView):
    queryset = Article.objects.newest_first().for_listing()
    paginate_by = settings.ARTICLES_PER_PAGE
    template_name = "articles/article_list.html"


class ArticleDetailView(DateDetailView):
    queryset = Article.objects.prefetch_related("people", "tags")
    date_field = "pub_date"
    month_format = "%m"
    allow_future = True


class UndatedArticleView(DetailView):
    queryset = Article.objects.undated().prefetch_related("people", "tags")


class ArticleFilterListView(ListView):
    """Articles of one person or tag, newest first."""

    model = None
    paginate_by = settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        self.object = get_object_or_404(self.model, slug=self.kwargs["slug"])
        return self.object.articles.newest_first().for_listing()

    def get_context_data(self, **kwargs):
        return super().get_context_data(subject=self.object, **kwargs)


class PersonDetailView(ArticleFilterListView):
    model = Person
    template_name = "articles/person_detail.html"


class TagDetailView(ArticleFilterListView):
    model = Tag
    template_name = "articles/tag_detail.html"
