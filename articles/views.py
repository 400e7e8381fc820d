"""Public pages: thin views over the query methods and the browsing modules."""

from dataclasses import replace
from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import (
    DateDetailView,
    DayArchiveView,
    DetailView,
    ListView,
    MonthArchiveView,
    TemplateView,
    YearArchiveView,
)

from articles import health, versions
from articles.archive_cache import cached
from articles.citations import bibtex, bibtex_key, citations
from articles.cooccurrence import subject_summary
from articles.dates import month_end
from articles.directory import SORTS, Group, by_initial, directory, letter_param, letters
from articles.highlighting import highlight_terms, highlighted
from articles.models import Article, Person, Tag
from articles.month_calendar import WEEKDAYS, month_calendar, month_days
from articles.on_this_day import on_this_day
from articles.overview import archive_overview
from articles.related import related_articles
from articles.search.params import SearchParams
from articles.timeline import build_timeline

HOME_LATEST = 12
#: A day's articles are on one page (up to this many); past ``DAY_COMPACT_AFTER``, compact.
DAY_PAGE_LIMIT, DAY_COMPACT_AFTER = 500, 12
MAX_RESULTS_PARAM = 2000
DIRECTORY_PER_PAGE = 120


def search_url(**params) -> str:
    """The search page with ``params`` (e.g. ``tag``, ``person``, ``from``, ``to``)."""
    return f"{reverse('search:page')}?{urlencode(params)}"


def archive_url(first_day: date, last_day: date) -> str:
    """The date archive page of a timeline bar: a year or a month."""
    if (first_day.month, last_day.month) == (1, 12):
        return reverse("articles:archive_year", kwargs={"year": first_day.year})
    return reverse(
        "articles:archive_month", kwargs={"year": first_day.year, "month": f"{first_day:%m}"}
    )


class HomeView(TemplateView):
    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        overview = archive_overview()
        today = timezone.localdate()
        return super().get_context_data(
            latest=Article.objects.newest_first().for_listing()[:HOME_LATEST],
            overview=overview,
            timeline=build_timeline(
                overview.month_counts,
                archive_url,
                undated=overview.undated,
                undated_url=search_url(undated=1),
            ),
            today=today,
            on_this_day=on_this_day(today),
            **kwargs,
        )


class ArticleListView(ListView):
    queryset = Article.objects.newest_first().for_listing()
    paginate_by = settings.ARTICLES_PER_PAGE
    template_name = "articles/article_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            undated_count=Article.objects.undated().count(),
            undated_url=search_url(undated=1),
            **kwargs,
        )


class ArticlePageMixin:
    """The article page: tools (citations, ``?format=bibtex``, back to the search with its words
    marked: ``?highlight=``, ``?results=``), related articles with their reasons and, for dated
    articles, the previous and next."""

    queryset = Article.objects.prefetch_related("people", "tags")
    template_name = "articles/article_detail.html"

    def render_to_response(self, context, **kwargs):
        if self.request.GET.get("format") == "bibtex":
            return bibtex_response(self.object, self.permalink)
        return super().render_to_response(context, **kwargs)

    @cached_property
    def permalink(self):
        return self.request.build_absolute_uri(self.object.get_absolute_url())

    def get_context_data(self, **kwargs):
        article = self.object
        terms = highlight_terms(self.request.GET.get("highlight", ""))
        context = {
            "related": related_articles(article),
            "versions": versions.versions_of(article),
            "permalink": self.permalink,
            "citations": citations(article, self.permalink),
            "bibtex": bibtex(article, self.permalink),
            "highlighted_paragraphs": [highlighted(p, terms) for p in article.paragraphs],
            "highlighting": bool(terms),
            "back_to_results": results_url(self.request.GET.get("results", "")),
        }
        if article.pub_date:
            dated = Article.objects.only("title", "slug", "pub_date")
            context["previous"] = dated.published_before(article).first()
            context["next"] = dated.published_after(article).first()
        return super().get_context_data(**context, **kwargs)


def bibtex_response(article, permalink):
    """The article's BibTeX entry as a file to download."""
    response = HttpResponse(bibtex(article, permalink), content_type="application/x-bibtex")
    response["Content-Disposition"] = f'attachment; filename="{bibtex_key(article)}.bib"'
    return response


def results_url(query_string):
    """The search page the reader came from (``?results=`` holds its parameters), rebuilt from
    the validated parameters: never a link to anywhere else; ``None`` without one."""
    if not query_string:
        return None
    params = SearchParams.from_querydict(QueryDict(query_string[:MAX_RESULTS_PARAM]))
    return f"{reverse('search:page')}?{params.query_string(page=params.page)}"


class ArticleDetailView(ArticlePageMixin, DateDetailView):
    date_field = "pub_date"
    month_format = "%m"
    allow_future = True


class UndatedArticleView(ArticlePageMixin, DetailView):
    queryset = Article.objects.undated().prefetch_related("people", "tags")


class DirectoryView(ListView):
    """All tags or people with their article counts: A-Z (or by count), by letter, filterable."""

    model = None
    paginate_by = DIRECTORY_PER_PAGE
    template_name = "articles/directory.html"

    def get_queryset(self):
        self.query = self.request.GET.get("q", "").strip()[:100]
        sort = self.request.GET.get("sort")
        self.sort = sort if sort in SORTS else "name"
        self.letter = letter_param(self.request.GET.get("letter", ""))
        return directory(
            self.model.objects.all(), query=self.query, sort=self.sort, letter=self.letter
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = {"q": self.query, "sort": self.sort if self.sort != "name" else ""}
        params = {key: value for key, value in params.items() if value}
        context.update(
            kind=self.model._meta,
            query=self.query,
            sort=self.sort,
            letter=self.letter,
            letters=self.letters(),
            letter_query=urlencode(params),
            query_string=urlencode({**params, **({"letter": self.letter} if self.letter else {})}),
            groups=by_initial(context["object_list"])
            if self.sort == "name"
            else [Group("", list(context["object_list"]))] * bool(context["object_list"]),
        )
        return context

    def letters(self):
        """The letter bar; without a name filter, cached until the archive changes."""
        if self.query:
            return letters(self.model.objects.all(), query=self.query, current=self.letter)
        counts = cached(
            f"letters:{self.model._meta.model_name}",
            lambda: letters(self.model.objects.all(), query="", current=None),
        )
        return [replace(item, current=item.letter == self.letter) for item in counts]


class TagListView(DirectoryView):
    model = Tag


class PersonListView(DirectoryView):
    model = Person


class SubjectDetailView(ListView):
    """A tag's or a person's articles, newest first, with who and what occur with it."""

    model = None
    search_param = None
    paginate_by = settings.ARTICLES_PER_PAGE
    template_name = "articles/subject_detail.html"

    def get(self, request, *args, **kwargs):
        self.subject = self.model.objects.filter(slug=kwargs["slug"]).first()
        if self.subject is None:
            survivor = self.model.objects.filter(aliases__slug=kwargs["slug"]).first()
            if survivor is None:
                raise Http404(f"No {self.model._meta.verbose_name} “{kwargs['slug']}”.")
            return redirect(survivor, permanent=True)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return self.subject.articles.newest_first().for_listing()

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        paginator.count = self.subject.count_articles()  # no join with the articles
        return paginator

    def get_context_data(self, **kwargs):
        slug = self.subject.slug
        summary = subject_summary(self.subject)

        def url_for_range(first_day, last_day):
            return search_url(**{self.search_param: slug, "from": first_day, "to": last_day})

        return super().get_context_data(
            subject=self.subject,
            kind=self.model._meta,
            people=summary.people,
            tags=summary.tags,
            timeline=build_timeline(
                summary.month_counts,
                url_for_range,
                undated=summary.undated,
                undated_url=search_url(**{self.search_param: slug, "undated": 1}),
            ),
            feed_url=reverse(f"articles:{self.search_param}_feed", kwargs={"slug": slug}),
            search_link=search_url(**{self.search_param: slug}),
            **kwargs,
        )


class TagDetailView(SubjectDetailView):
    model = Tag
    search_param = "tag"


class PersonDetailView(SubjectDetailView):
    model = Person
    search_param = "person"


class ArchiveMixin:
    """Django's date-based views over the dated articles, newest first, paginated."""

    queryset = Article.objects.defer("body", "ingested")
    date_field = "pub_date"
    month_format = "%m"
    ordering = ["-pub_date", "-pk"]
    allow_future = True
    paginate_by = settings.ARTICLES_PER_PAGE

    def paginate_queryset(self, queryset, page_size):
        # For the page only: the views' own look-ups (previous/next day...) need none of it.
        listing = queryset.prefetch_related("people", "tags")
        return super().paginate_queryset(listing, page_size)


class YearView(ArchiveMixin, YearArchiveView):
    make_object_list = True
    template_name = "articles/archive_year.html"

    @cached_property
    def month_counts(self):
        year = int(self.get_year())
        return cached(
            f"months:{year}", lambda: Article.objects.filter(pub_date__year=year).month_counts()
        )

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        # The months with articles, from the (cached) counts the timeline needs anyway.
        return sorted(self.month_counts)

    def get_context_data(self, **kwargs):
        timeline = build_timeline(self.month_counts, archive_url)
        return super().get_context_data(timeline=timeline, **kwargs)


class MonthView(ArchiveMixin, MonthArchiveView):
    """A month: its calendar (each day with its count), then day by day the first few articles
    and a link to all of the day's, oldest day first; no pages of articles."""

    template_name = "articles/archive_month.html"

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        # The days with articles, from the counts the calendar needs anyway; the month is
        # valid here (the view checked it) and a date range, unlike ``__month``, uses the index.
        month = date(int(self.get_year()), int(self.get_month()), 1)
        self.day_counts = Article.objects.filter(
            pub_date__range=(month, month_end(month))
        ).day_counts()
        return sorted(self.day_counts)

    def paginate_queryset(self, queryset, page_size):
        return None, None, queryset, False  # the days are listed instead: nothing to page

    def get_context_data(self, **kwargs):
        month = kwargs["month"]
        return super().get_context_data(
            weekdays=WEEKDAYS,
            weeks=month_calendar(month, self.day_counts, day_url),
            days=month_days(month, self.day_counts, day_url),
            month_total=sum(self.day_counts.values()),
            **kwargs,
        )


class DayView(ArchiveMixin, DayArchiveView):
    """All of a day's articles on one page (compact when there are many), oldest first."""

    template_name = "articles/archive_day.html"
    ordering = ["pk"]
    paginate_by = DAY_PAGE_LIMIT  # one page but for a pathological day

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["compact"] = context["paginator"].count > DAY_COMPACT_AFTER
        return context


def day_url(day):
    parts = {"year": day.year, "month": f"{day:%m}", "day": f"{day:%d}"}
    return reverse("articles:archive_day", kwargs=parts)


class RobotsView(TemplateView):
    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"


@never_cache
@require_safe
def healthz(request):
    """``articles.health.report()`` as JSON: 200 when every check passes, else 503."""
    report = health.report()
    return JsonResponse(report, status=200 if report["ok"] else 503)
