"""sitemap.xml: every article, tag and person page, and the directory pages."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from articles.models import Article, Person, Tag


class ArticleSitemap(Sitemap):
    limit = 10_000  # URLs per sitemap page; the index lists the pages

    def items(self):
        return Article.objects.only("slug", "pub_date", "updated").order_by("pk")

    def lastmod(self, item):
        return item.updated


class SubjectSitemap(Sitemap):
    limit = 10_000
    model = None

    def items(self):
        return self.model.objects.only("slug").order_by("pk")


class TagSitemap(SubjectSitemap):
    model = Tag


class PersonSitemap(SubjectSitemap):
    model = Person


class PageSitemap(Sitemap):
    def items(self):
        return ["articles:home", "articles:tag_list", "articles:person_list"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "pages": PageSitemap,
    "articles": ArticleSitemap,
    "tags": TagSitemap,
    "people": PersonSitemap,
}
