"""The archive's data: articles, the people they are about and their tags."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Substr
from django.utils.text import slugify

from articles.links import reverse_kept
from articles.parsing import EARLIEST_PUB_DATE, LATEST_PUB_DATE
from articles.text import sort_key
from articles.titles import display_title

SLUG_MAX_LENGTH = 120
#: Characters of the body a list reads for an article's one-line lede (not the whole body).
LEDE_SOURCE_CHARS = 320


def unique_slug(text, taken, fallback="item", max_length=SLUG_MAX_LENGTH):
    """A slug for ``text`` not in the container ``taken``: ``name``, ``name-2``..."""
    base = slugify(text, allow_unicode=True)[: max_length - 8].strip("-") or fallback
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


class SortKeyField(models.CharField):
    """A case- and accent-insensitive sort key (``articles.text.sort_key``) of another field,
    stored and indexed, so that the database sorts by it (SQLite and PostgreSQL alike).

    Set on every write, ``bulk_create`` included (``pre_save``); compared byte by byte on
    PostgreSQL too (collation "C", as SQLite's default), so that both engines give one order
    whatever the database's locale.
    """

    def __init__(self, *args, source, **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        return name, path, args, {**kwargs, "source": self.source}

    def db_parameters(self, connection):
        parameters = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            parameters["collation"] = "C"
        return parameters

    def pre_save(self, model_instance, add):
        value = sort_key(getattr(model_instance, self.source))[: self.max_length]
        setattr(model_instance, self.attname, value)
        return value


class SubjectQuerySet(models.QuerySet):
    """People or tags (what articles are about), counted straight from the link tables.

    Counting the small, indexed link rows (article id, person or tag id) is an order of
    magnitude cheaper than joining and grouping with the articles: 18 ms instead of 350 ms
    for the most-used tags of 100,000 articles.
    """

    def _links(self):
        """The articles' link model for these rows and the name of its column naming them."""
        relation = self.model._meta.get_field("articles")
        return relation.through, relation.field.m2m_reverse_field_name()

    def with_article_counts(self):
        """Each row with ``article_count``, a correlated subquery (one index look-up per row,
        so a page of rows counts only its own rows' articles)."""
        through, column = self._links()
        links = (
            through.objects.filter(**{column: OuterRef("pk")})
            .order_by()
            .values(column)
            .annotate(n=Count("*"))
            .values("n")
        )
        return self.annotate(article_count=Coalesce(Subquery(links), 0))

    def most_used(self, limit, *, among=None, leaving_out=None):
        """The ``limit`` rows on the most articles, each with ``article_count``; two queries.

        ``among``: count only these articles (a queryset of article ids); ``leaving_out``: a
        row not to list.
        """
        through, column = self._links()
        links = through.objects.all()
        if among is not None:
            links = links.filter(article_id__in=among)
        if isinstance(leaving_out, self.model):
            links = links.exclude(**{column: leaving_out.pk})
        top = list(
            links.order_by()
            .values_list(column)
            .annotate(n=Count("*"))
            .order_by("-n", column)[:limit]
        )
        found = self.in_bulk([pk for pk, _ in top])
        for pk, count in top:
            found[pk].article_count = count
        return [found[pk] for pk, _ in top]


class Subject(models.Model):
    """What people and tags share: articles are about them."""

    class Meta:
        abstract = True

    def article_ids(self):
        """The ids of this person's or tag's articles, from its link rows (no join)."""
        through, column = type(self).objects.all()._links()
        return through.objects.filter(**{column: self.pk}).values("article_id")

    def count_articles(self):
        """How many articles it has, counted without a join (``with_article_counts`` for many)."""
        return self.article_ids().count()


class Person(Subject):
    name = models.CharField(max_length=200, help_text="Display name, e.g. “Donald J. Trump”.")
    source_name = models.CharField(
        max_length=200,
        help_text="The form the source used, e.g. “Trump, Donald J”.",
    )
    key = models.CharField(
        max_length=200,
        unique=True,
        editable=False,
        help_text="Case- and space-insensitive form of the source name; matches the same "
        "person across articles.",
    )
    sort_name = models.CharField(max_length=200, db_index=True, help_text="Last name first.")
    sort_key = SortKeyField(source="sort_name", help_text="The sort name folded: the A-Z order.")
    slug = models.SlugField(max_length=SLUG_MAX_LENGTH, unique=True, allow_unicode=True)
    description = models.TextField(
        blank=True,
        help_text="Who this is, in a sentence or two, for readers (plain text; a blank line "
        "starts a new paragraph). Shown on the person's page, in the directory and in search.",
    )

    objects = SubjectQuerySet.as_manager()

    class Meta:
        ordering = ["sort_key", "pk"]
        verbose_name_plural = "people"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse_kept("articles:person_detail", slug=self.slug)


class Tag(Subject):
    name = models.CharField(max_length=200)
    key = models.CharField(
        max_length=200,
        unique=True,
        editable=False,
        help_text="Case- and space-insensitive form of the name; one row per tag.",
    )
    sort_key = SortKeyField(source="name", help_text="The name folded: the A-Z order.")
    slug = models.SlugField(max_length=SLUG_MAX_LENGTH, unique=True, allow_unicode=True)
    description = models.TextField(
        blank=True,
        help_text="What the tag means, in a sentence or two, for readers (plain text; a blank "
        "line starts a new paragraph), e.g. “acq: company acquisitions and mergers”. Shown on "
        "the tag's page, in the directory and in search.",
    )

    objects = SubjectQuerySet.as_manager()

    class Meta:
        ordering = ["sort_key", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse_kept("articles:tag_detail", slug=self.slug)


class Alias(models.Model):
    """A person or tag merged into another: its key and slug now lead to the survivor."""

    key = models.CharField(
        max_length=200,
        unique=True,
        help_text="The merged-away key: a re-ingested file naming it lands on the survivor.",
    )
    slug = models.SlugField(
        max_length=SLUG_MAX_LENGTH,
        unique=True,
        allow_unicode=True,
        help_text="The merged-away slug: its old page redirects to the survivor.",
    )
    name = models.CharField(max_length=200, help_text="The name it had when merged.")
    merged = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class PersonAlias(Alias):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")

    class Meta(Alias.Meta):
        verbose_name_plural = "person aliases"


class TagAlias(Alias):
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="aliases")

    class Meta(Alias.Meta):
        verbose_name_plural = "tag aliases"


class ArticleQuerySet(models.QuerySet):
    def newest_first(self):
        return self.order_by(models.F("pub_date").desc(nulls_last=True), "-pk")

    def dated(self):
        return self.filter(pub_date__isnull=False)

    def undated(self):
        return self.filter(pub_date__isnull=True)

    def for_listing(self):
        """What an article card shows, without one query per card: not the body, only its
        opening (``lede``)."""
        return self.defer("body", "ingested").prefetch_related("people", "tags")

    def month_counts(self):
        """``{first day of a month: number of articles}`` for the dated articles, in one query.

        Grouped by day in the database (the date index serves it; SQLite's month
        truncation is a Python function called per row, 15x slower), by month here.
        """
        months = {}
        for day, count in self.day_counts().items():
            month = day.replace(day=1)
            months[month] = months.get(month, 0) + count
        return months

    def month_and_undated_counts(self):
        """``(month_counts(), number of undated articles)`` in one query."""
        months, undated = {}, 0
        for day, count in self.order_by().values_list("pub_date").annotate(n=Count("pk")):
            if day is None:
                undated = count
                continue
            month = day.replace(day=1)
            months[month] = months.get(month, 0) + count
        return months, undated

    def day_counts(self):
        """``{day: number of articles}`` for the dated articles, in one query."""
        return dict(self.dated().order_by().values_list("pub_date").annotate(n=Count("pk")))

    def published_before(self, article):
        """Dated articles before ``article`` in (date, id) order, the nearest first."""
        # A range on pub_date plus an exclusion (rather than an OR) lets the date index serve it.
        return (
            self.filter(pub_date__lte=article.pub_date)
            .exclude(pub_date=article.pub_date, pk__gte=article.pk)
            .order_by("-pub_date", "-pk")
        )

    def published_after(self, article):
        """Dated articles after ``article`` in (date, id) order, the nearest first."""
        return (
            self.filter(pub_date__gte=article.pub_date)
            .exclude(pub_date=article.pub_date, pk__lte=article.pk)
            .order_by("pub_date", "pk")
        )


class Article(models.Model):
    url = models.CharField(
        "source URL",
        max_length=500,
        unique=True,
        help_text="Line 1 of the source file: the article's identity (an http(s) URL or a urn:).",
    )
    title = models.CharField(max_length=500)
    publication = models.CharField(max_length=200, blank=True, db_index=True)
    slug = models.SlugField(max_length=SLUG_MAX_LENGTH, allow_unicode=True)
    pub_date = models.DateField(
        "publication date",
        null=True,
        blank=True,
        db_index=True,
        # The dates the ingest accepts; the admin's form keeps to them too.
        validators=[MinValueValidator(EARLIEST_PUB_DATE), MaxValueValidator(LATEST_PUB_DATE)],
    )
    body = models.TextField(help_text="Paragraphs separated by a blank line.")
    #: The start of the body, for a card's ``lede`` where lists leave the body unread; kept
    #: by the database itself, whatever writes the body (a stored generated column).
    opening = models.GeneratedField(
        expression=Substr("body", 1, LEDE_SOURCE_CHARS),
        output_field=models.TextField(),
        db_persist=True,
    )
    source_number = models.BigIntegerField(
        null=True,
        blank=True,
        help_text="The integer on line 5 of the source file. Its meaning is unknown (it is not "
        "the word count; perhaps a comment count); kept as the source gave it.",
    )
    word_count = models.PositiveIntegerField(default=0)
    people = models.ManyToManyField(Person, related_name="articles", blank=True)
    tags = models.ManyToManyField(Tag, related_name="articles", blank=True)
    source_fingerprint = models.CharField(
        max_length=64,
        editable=False,
        db_index=True,
        help_text="SHA-256 of the source file last ingested; an unchanged file is skipped.",
    )
    ingested = models.JSONField(
        default=dict,
        editable=False,
        help_text="The editable values as the source file last gave them; a field that "
        "differs from these was changed by an editor and survives a re-ingest.",
    )
    story = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The first version of the story this article is a version of (itself for "
        "the first); empty for an article on its own (articles.versions).",
    )
    text_signature = models.BinaryField(
        null=True, editable=False, help_text="MinHash of the body's shingles (articles.versions)."
    )
    versions_split = models.BooleanField(
        "never grouped with other versions",
        default=False,
        help_text="An editor split this article from a story it was wrongly grouped with.",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = [models.F("pub_date").desc(nulls_last=True), "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pub_date", "slug"],
                condition=Q(pub_date__isnull=False),
                name="article_unique_slug_per_day",
            ),
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(pub_date__isnull=True),
                name="article_unique_slug_undated",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        if self.pub_date is None:
            return reverse_kept("articles:article_undated", slug=self.slug)
        return reverse_kept(
            "articles:article_detail",
            year=self.pub_date.year,
            month=f"{self.pub_date.month:02d}",
            day=f"{self.pub_date.day:02d}",
            slug=self.slug,
        )

    @property
    def paragraphs(self):
        return [p for p in self.body.split("\n\n") if p.strip()]

    @property
    def display_title(self):
        """The title as lists and headings show it: ALL-CAPS wire headlines in title case
        (``articles.titles``); ``title`` itself is kept as the source gave it."""
        return display_title(self.title)

    @property
    def title_was_recased(self):
        return self.display_title != self.title

    @property
    def lede(self):
        """The first paragraph, or its start (from ``opening`` where the body is not read)."""
        text = self.body[:LEDE_SOURCE_CHARS] if "body" in self.__dict__ else self.opening
        first = text.split("\n\n", 1)[0].strip()
        if len(first) >= LEDE_SOURCE_CHARS - 1:
            first = first.rsplit(" ", 1)[0] + "…"
        return first


class ArticleBand(models.Model):
    """One band of an article's text signature: articles sharing one are compared
    (locality-sensitive hashing, ``articles.versions``)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    hash = models.BigIntegerField(db_index=True)

    def __str__(self):
        return f"article {self.article_id}: {self.hash:x}"


class PendingIndexUpdateQuerySet(models.QuerySet):
    #: Rows deleted per query: below every database's limit of bound parameters.
    DELETE_CHUNK = 5000

    def delete_rows(self, pks):
        """Delete exactly the rows ``pks`` (a drain deletes what it read, nothing queued since)."""
        pks = list(pks)
        for start in range(0, len(pks), self.DELETE_CHUNK):
            self.filter(pk__in=pks[start : start + self.DELETE_CHUNK]).delete()


class PendingIndexUpdate(models.Model):
    """An article whose search document must be rewritten (or removed, if it is gone).

    Written in the same transaction as the change, so a committed change is never lost to
    the index; ``articles.index.queue`` drains the queue under a database lock.
    """

    article_id = models.BigIntegerField(help_text="Not a foreign key: deletions queue too.")
    queued = models.DateTimeField(auto_now_add=True)

    objects = PendingIndexUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"article {self.article_id}"
