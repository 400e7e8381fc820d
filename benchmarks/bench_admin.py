"""Admin changelists on a big archive: ours against a stock ModelAdmin, same data, same run.

    .venv/bin/python benchmarks/bench_admin.py [ARTICLES]   # default 100000

Builds a fresh ARCHIVE_DATA_DIR (SQLite) with ARTICLES generated articles
(2 of 20,000 people and 3 of 5,000 tags each, skewed so that some are common,
2% undated), then requests each page through Django's test client as a
logged-in superuser: 2 warm-ups, then the median of 5 timings, with the number
of SQL queries.  The stock admin is Django's defaults for the same
list_display, search_fields, list_filter and date_hierarchy (related-field
filters listing every tag and person, exact counts, joins for search).
"""

import os
import random
import statistics
import sys
import tempfile
import time
from itertools import accumulate
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PEOPLE, TAGS = 20_000, 5_000


def setup_django():
    work = Path(tempfile.mkdtemp(prefix="bench-admin-"))
    os.environ["ARCHIVE_DATA_DIR"] = str(work)
    os.environ["DJANGO_SETTINGS_MODULE"] = "archive.settings"
    sys.path.insert(0, str(REPO))
    import django
    from django.conf import settings

    settings.ROOT_URLCONF = __name__  # the archive's URLs plus the stock admin, below
    settings.STORAGES["staticfiles"]["BACKEND"] = (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    django.setup()
    return work


def generate(count):
    """``count`` articles with people and tags, written with bulk queries."""
    from articles.models import Article, Person, Tag

    rng = random.Random(0)
    syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "de", "ga", "pe", "zo"]
    words = sorted({"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(3000)})
    pairs = zip(rng.choices(words, k=PEOPLE), rng.choices(words, k=PEOPLE), strict=True)
    Person.objects.bulk_create(
        Person(
            name=f"{w.title()} {v.title()}",
            source_name=f"{v.title()}, {w.title()}",
            key=f"{v} {w} {n}",
            sort_name=f"{v.title()}, {w.title()}",
            slug=f"{w}-{v}-{n}",
        )
        for n, (w, v) in enumerate(pairs)
    )
    Tag.objects.bulk_create(
        Tag(name=f"{w.title()} {n}", key=f"{w} {n}", slug=f"{w}-{n}")
        for n, w in enumerate(rng.choices(words, k=TAGS))
    )
    person_ids = list(Person.objects.values_list("pk", flat=True))
    tag_ids = list(Tag.objects.values_list("pk", flat=True))
    body = " ".join(rng.choices(words, k=150))
    for start in range(0, count, 5000):
        batch = []
        for n in range(start, min(start + 5000, count)):
            day = (
                None
                if rng.random() < 0.02
                else f"{rng.randint(1987, 2017)}-07-{rng.randint(1, 28):02d}"
            )
            title = " ".join(rng.choices(words, k=8)).capitalize()
            batch.append(
                Article(
                    url=f"https://example.com/{n}/{title.replace(' ', '-').lower()}.html",
                    title=title,
                    publication=rng.choice(["The New York Times", "Reuters", ""]),
                    slug=f"story-{n}",
                    pub_date=day,
                    body=body,
                    word_count=150,
                    source_fingerprint=f"{n:064x}",
                )
            )
        Article.objects.bulk_create(batch)
    article_ids = list(Article.objects.values_list("pk", flat=True))
    for relation, ids, per_article, column in (
        (Article.people.through, person_ids, 2, "person_id"),
        (Article.tags.through, tag_ids, 3, "tag_id"),
    ):
        zipf = list(accumulate(1 / (rank + 1) for rank in range(len(ids))))  # a few very common
        rows = []
        for article_id in article_ids:
            for other in set(rng.choices(ids, cum_weights=zipf, k=per_article)):
                rows.append(relation(article_id=article_id, **{column: other}))
        relation.objects.bulk_create(rows, batch_size=10_000)


def build_stock_site():
    from django.contrib import admin

    from articles import admin as ours
    from articles.models import Article, Person, Tag

    site = admin.AdminSite(name="stock")

    class StockArticleAdmin(admin.ModelAdmin):
        list_display = ours.ArticleAdmin.list_display
        people_list = ours.ArticleAdmin.people_list
        tag_list = ours.ArticleAdmin.tag_list
        search_fields = ours.ArticleAdmin.search_fields
        date_hierarchy = "pub_date"
        list_filter = ["publication", "pub_date", "tags", "people"]

    class StockCountAdmin(admin.ModelAdmin):
        search_fields = ["name"]

        def get_queryset(self, request):
            return super().get_queryset(request).with_article_counts()

        @admin.display(ordering="article_count")
        def article_count(self, obj):
            return obj.article_count

    site.register(Article, StockArticleAdmin)
    site.register(Person, StockCountAdmin, list_display=["name", "slug", "article_count"])
    site.register(Tag, StockCountAdmin, list_display=["name", "slug", "article_count"])
    return site


def timed(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(5):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    return statistics.median(times), len(queries)


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    setup_django()
    from django.contrib import admin
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client
    from django.urls import include, path

    from articles.models import Person, Tag

    global urlpatterns
    stock = build_stock_site()
    urlpatterns = [
        path("stock/", stock.urls),
        path("admin/", admin.site.urls),
        path("", include("articles.urls")),
    ]
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    generate(count)
    print(f"generated {count:,} articles in {time.perf_counter() - started:.0f} s", flush=True)

    client = Client(SERVER_NAME="localhost")
    client.force_login(User.objects.create_superuser("bench", password="x"))
    common_tag = Tag.objects.with_article_counts().order_by("-article_count").first()
    common_person = Person.objects.with_article_counts().order_by("-article_count").first()
    word = common_person.name.split()[0].lower()
    autocomplete = "autocomplete/?app_label=articles&model_name=article&field_name=tags&term=ka"
    articles = "articles/article/"
    pages = [
        ("article list", articles, articles),
        ("search a common name", f"articles/article/?q={word}", f"articles/article/?q={word}"),
        ("search a URL (one match)", "articles/article/?q=/4242/", "articles/article/?q=/4242/"),
        (
            "filter: most common tag",
            f"articles/article/?tag={common_tag.pk}",
            f"articles/article/?tags__id__exact={common_tag.pk}",
        ),
        (
            "filter: no date",
            "articles/article/?dated=no",
            "articles/article/?pub_date__isnull=True",
        ),
        (
            "filter: a year",
            "articles/article/?pub_date__year=1999",
            "articles/article/?pub_date__year=1999",
        ),
        ("people list", "articles/person/", "articles/person/"),
        ("people by article count", "articles/person/?o=-4", "articles/person/?o=-3"),
        ("tag list", "articles/tag/", "articles/tag/"),
        ("autocomplete a tag", autocomplete, autocomplete),
    ]
    print("| page | ours ms | ours queries | stock ms | stock queries | stock / ours |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for label, ours_url, stock_url in pages:
        ours_ms, ours_q = timed(client, f"/admin/{ours_url}")
        stock_ms, stock_q = timed(client, f"/stock/{stock_url}")
        print(
            f"| {label} | {ours_ms:.0f} | {ours_q} | {stock_ms:.0f} | {stock_q} "
            f"| {stock_ms / ours_ms:.1f}x |",
            flush=True,
        )


urlpatterns = []

if __name__ == "__main__":
    main()
