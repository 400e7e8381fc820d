"""The editors' admin: correct articles' metadata, rename and merge people and tags.

Changelists stay fast on a big archive: their rows come from one query plus one
prefetch per relation (``ListingChangeList``), the filters for a tag or a person
are autocomplete boxes rather than lists of every tag, and nothing counts the
whole table (``show_full_result_count``, no facets, ``LimitedCountPaginator``).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.text import smart_split, unescape_string_literal

from articles import versions
from articles.merging import merge
from articles.models import Article, Person, PersonAlias, Tag, TagAlias, unique_slug

admin.site.site_header = admin.site.site_title = "The Archive: editors"
admin.site.index_title = "Articles, people and tags"


class LimitedCountPaginator(Paginator):
    """Counts at most ``count_limit + 1`` rows, so that a page of a huge table never scans it.

    Past the limit, the last page offered is the limit's; ``count_is_exact``
    tells the template (admin/articles/pagination.html) to say "more than".
    """

    count_limit = 10_000

    @cached_property
    def count(self):
        rows = self.object_list.order_by().values("pk")  # nothing but the rows to count
        return rows[: self.count_limit + 1].count()

    @property
    def count_is_exact(self):
        return self.count <= self.count_limit


class ListingChangeList(ChangeList):
    """A changelist whose rows get what they show from ``ModelAdmin.list_queryset``."""

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        return self.model_admin.list_queryset(queryset)


class FastChangelistMixin:
    """Changelist options shared by the archive's admins (see the module docstring)."""

    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = LimitedCountPaginator
    list_per_page = 50

    def get_changelist(self, request, **kwargs):
        return ListingChangeList

    def list_queryset(self, queryset):
        return queryset


def linked_article_ids(field_name, **lookups):
    """Ids of the articles linked through ``Article.<field_name>`` to the rows matching ``lookups``.

    An uncorrelated subquery: the database runs it once, and filtering on it
    needs no join (and so no ``DISTINCT``) in the changelist query.
    """
    field = Article._meta.get_field(field_name)
    target = field.m2m_reverse_field_name()
    lookups = {f"{target}__{lookup}": value for lookup, value in lookups.items()}
    return field.remote_field.through.objects.filter(**lookups).values(field.m2m_field_name())


def shortened(names, shown=3):
    """The first ``shown`` names and how many more: a changelist row stays one or two lines."""
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" +{more} more" if more > 0 else "")


def search_words(text):
    """The words of an admin search; a quoted phrase is one word (as in Django's own search)."""
    for word in smart_split(text):
        if word.startswith(('"', "'")) and word[0] == word[-1]:
            word = unescape_string_literal(word)
        yield word


class AutocompleteFilter(admin.ListFilter):
    """Filter by one person or tag chosen in an autocomplete box (the admin's select2)."""

    template = "admin/articles/autocomplete_filter.html"
    field_name = None  # a many-to-many field of Article
    parameter_name = None

    def __init__(self, request, params, model, model_admin):
        field = model._meta.get_field(self.field_name)
        self.title = field.related_model._meta.verbose_name
        super().__init__(request, params, model, model_admin)
        if self.parameter_name in params:
            self.used_parameters[self.parameter_name] = params.pop(self.parameter_name)[-1]
        self.form_field = forms.ModelChoiceField(
            queryset=field.related_model._default_manager.all(),
            required=False,
            widget=AutocompleteSelect(field, model_admin.admin_site, attrs={"data-width": "100%"}),
        )

    def has_output(self):
        return True

    def expected_parameters(self):
        return [self.parameter_name]

    def value(self):
        return self.used_parameters.get(self.parameter_name, "")

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            pk = int(self.value())
        except ValueError as exc:
            raise IncorrectLookupParameters(exc) from exc
        return queryset.filter(pk__in=linked_article_ids(self.field_name, pk=pk))

    def choices(self, changelist):
        widget_id = f"filter-{self.parameter_name}"
        yield {
            "widget": self.form_field.widget.render(
                self.parameter_name, self.value(), attrs={"id": widget_id}
            ),
            "widget_id": widget_id,
            "hidden": [
                (name, v)
                for name, values in changelist.filter_params.items()
                if name != self.parameter_name
                for v in values
            ],
            "clear_url": changelist.get_query_string(remove=[self.parameter_name]),
            "selected": bool(self.value()),
        }


class TagFilter(AutocompleteFilter):
    field_name = "tags"
    parameter_name = "tag"


class PersonFilter(AutocompleteFilter):
    field_name = "people"
    parameter_name = "person"


class PublicationFilter(admin.AllValuesFieldListFilter):
    """By publication; articles from a source without one (wire stories) under a name too."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if choice["display"] == "":
                choice = {**choice, "display": "(no publication)"}
            yield choice


class DatedFilter(admin.SimpleListFilter):
    title = "date"
    parameter_name = "dated"

    def lookups(self, request, model_admin):
        return [("yes", "has a date"), ("no", "has no date")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.dated()
        if self.value() == "no":
            return queryset.undated()
        return queryset


@admin.register(Article)
class ArticleAdmin(FastChangelistMixin, admin.ModelAdmin):
    list_display = ["title", "pub_date", "publication", "people_list", "tag_list"]
    search_fields = ["title", "url", "people__name", "tags__name"]
    search_help_text = "Words of the title, a piece of the source URL, a person's or tag's name."
    date_hierarchy = "pub_date"
    list_filter = [
        ("publication", PublicationFilter),
        DatedFilter,
        TagFilter,
        PersonFilter,
    ]
    autocomplete_fields = ["people", "tags"]
    #: What the source file says and the story's versions: shown, not edited here.
    source_fields = ["url", "slug", "source_number", "word_count", "body", "created", "updated"]
    version_fields = ["other_versions", "versions_split"]
    fieldsets = [
        (None, {"fields": ["title", "pub_date", "publication", "people", "tags"]}),
        ("From the source file", {"fields": source_fields}),
        ("Versions of the same story", {"fields": version_fields}),
    ]
    readonly_fields = [*source_fields, *version_fields]
    actions = ["split_from_story"]

    @admin.display(description="other versions")
    def other_versions(self, article):
        """The story's other versions, each a link to its admin page."""
        found = versions.versions_of(article)
        if not found:
            return "none: this article stands alone"
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (reverse(f"{self.admin_site.name}:articles_article_change", args=[v.pk]), v.title)
                for v in found
            ),
        )

    @admin.action(
        description="Split from their stories (not versions of them)", permissions=["change"]
    )
    def split_from_story(self, request, queryset):
        for article in queryset:
            versions.split(article)
            self.log_change(request, article, "Split from its story: never grouped again.")
        self.message_user(
            request,
            f"Split {queryset.count()} article(s) from their stories; they stand alone from now "
            "on, whatever later ingests find.",
            messages.SUCCESS,
        )

    @property
    def media(self):
        """With what the autocomplete filters need: select2 and the submit-on-pick script."""
        select2 = AutocompleteSelect(Article.tags.field, self.admin_site).media
        filters = forms.Media(
            js=["admin/js/autocomplete.js", "articles/autocomplete_filter.js"],  # in this order
            css={"all": ["articles/admin.css"]},
        )
        return super().media + select2 + filters

    def list_queryset(self, queryset):
        return queryset.for_listing()

    def get_search_results(self, request, queryset, search_term):
        """Articles with every word in the title, the URL, or a person's or tag's name."""
        for word in search_words(search_term):
            # Names first, then their articles through the relation's index.
            named = Q(name__icontains=word)
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(url__icontains=word)
                | Q(pk__in=linked_article_ids("people", pk__in=Person.objects.filter(named)))
                | Q(pk__in=linked_article_ids("tags", pk__in=Tag.objects.filter(named)))
            )
        return queryset, False

    def has_add_permission(self, request):
        return False  # articles come from source files (manage.py ingest)

    @admin.display(description="people")
    def people_list(self, article):
        return shortened([p.name for p in article.people.all()])

    @admin.display(description="tags")
    def tag_list(self, article):
        return shortened([t.name for t in article.tags.all()])

    def save_model(self, request, obj, form, change):
        if "pub_date" in form.changed_data:
            # The slug is unique per day: keep it unless the new day has it already.
            taken = set(
                Article.objects.filter(pub_date=obj.pub_date)
                .exclude(pk=obj.pk)
                .values_list("slug", flat=True)
            )
            obj.slug = unique_slug(obj.slug, taken)
        super().save_model(request, obj, form, change)


class AliasInline(admin.TabularInline):
    """The merged-away names that now lead here; deleting one ends its redirect."""

    fields = readonly_fields = ["name", "slug", "key", "merged"]
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


class PersonAliasInline(AliasInline):
    model = PersonAlias


class TagAliasInline(AliasInline):
    model = TagAlias


@admin.display(description="articles", ordering="article_count")
def article_count_column(obj):
    """A sortable ``list_display`` column of ``article_count`` (see ``list_queryset``)."""
    return obj.article_count


class MergeForm(forms.Form):
    survivor = forms.ModelChoiceField(
        queryset=None, widget=forms.RadioSelect, empty_label=None, label="Keep"
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survivor"].queryset = queryset


class MergeIntoForm(forms.Form):
    """The person or tag to merge into, chosen in an autocomplete box (any of them, not only
    those on one changelist page)."""

    def __init__(self, *args, obj, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        relation = "people" if isinstance(obj, Person) else "tags"
        self.fields["survivor"] = forms.ModelChoiceField(
            queryset=type(obj).objects.exclude(pk=obj.pk),
            label="Merge into",
            help_text=f"Type a few letters of the {obj._meta.verbose_name} to keep.",
            error_messages={"invalid_choice": "Choose another one: it cannot merge into itself."},
            widget=AutocompleteSelect(
                Article._meta.get_field(relation), admin_site, attrs={"data-width": "24em"}
            ),
        )


class PersonTagAdminMixin(FastChangelistMixin):
    """People and tags: sortable article counts, stable slugs, merging.

    The search index follows renames and deletions by itself (``articles.index``).
    """

    readonly_fields = ["slug", "key", "articles_link"]
    actions = ["merge_selected"]
    change_form_template = "admin/articles/change_form_merge.html"
    list_display_links = ["name_column"]
    ordering = ["sort_key", "pk"]  # case- and accent-insensitive, as the public directories

    def get_queryset(self, request):
        # Annotated here, not in list_queryset: the changelist sorts by the count before that.
        return super().get_queryset(request).with_article_counts()

    def has_add_permission(self, request):
        return False  # people and tags come from source files (manage.py ingest)

    @admin.display(description="name", ordering="sort_key")
    def name_column(self, obj):
        """The name, sorted case- and accent-insensitively (by the stored ``sort_key``)."""
        return obj.name

    @admin.display(description="articles")
    def articles_link(self, obj):
        """The article changelist filtered to ``obj``."""
        url = reverse(f"{self.admin_site.name}:articles_article_changelist")
        return format_html(
            '<a href="{}?{}={}">{} articles</a>',
            url,
            self.model._meta.model_name,
            obj.pk,
            obj.count_articles(),
        )

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_merge"
        view = self.admin_site.admin_view(self.merge_into_view)
        return [path("<path:object_id>/merge/", view, name=name), *super().get_urls()]

    def merge_into_view(self, request, object_id):
        """Merge this person or tag into another, chosen with an autocomplete box."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not (self.has_change_permission(request, obj) and self.has_delete_permission(request)):
            raise PermissionDenied
        form = MergeIntoForm(
            request.POST if request.method == "POST" else None,
            obj=obj,
            admin_site=self.admin_site,
        )
        if form.is_valid():
            survivor = form.cleaned_data["survivor"]
            self.log_deletions(request, [obj])
            result = merge(survivor, [obj])
            self.log_change(request, survivor, f"Merged {obj} into it.")
            self.message_user(
                request,
                format_html(
                    "Merged “{}” into “{}”; {} articles re-pointed; its old page redirects and "
                    "searches for its name find “{}”.",
                    obj,
                    survivor,
                    len(result.article_ids),
                    survivor,
                ),
                messages.SUCCESS,
            )
            return redirect(
                reverse(
                    f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_change",
                    args=[survivor.pk],
                )
            )
        return TemplateResponse(
            request,
            "admin/articles/merge_into.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Merge “{obj}” into another {self.opts.verbose_name}",
                "opts": self.opts,
                "original": obj,
                "article_count": obj.count_articles(),
                "form": form,
                "media": self.media + form.media,
            },
        )

    @admin.action(description="Merge the selected into one…", permissions=["change", "delete"])
    def merge_selected(self, request, queryset):
        queryset = queryset.order_by("-article_count", "pk")  # rows of ListingChangeList
        if queryset.count() < 2:
            self.message_user(request, "Select at least two to merge.", messages.WARNING)
            return None
        form = MergeForm(request.POST if "merge" in request.POST else None, queryset=queryset)
        if form.is_valid():
            survivor = form.cleaned_data["survivor"]
            others = [o for o in queryset if o.pk != survivor.pk]
            self.log_deletions(request, others)
            result = merge(survivor, others)
            self.log_change(request, survivor, f"Merged {', '.join(result.merged)} into it.")
            self.message_user(
                request,
                format_html(
                    "Merged {} into “{}”; {} articles re-pointed; the old pages redirect.",
                    ", ".join(result.merged),
                    survivor,
                    len(result.article_ids),
                ),
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "admin/articles/merge_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Merge {self.model._meta.verbose_name_plural}",
                "opts": self.model._meta,
                "form": form,
                "objects": queryset,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
                "media": self.media,
            },
        )


@admin.register(Person)
class PersonAdmin(PersonTagAdminMixin, admin.ModelAdmin):
    list_display = ["name_column", "source_name", "slug", article_count_column]
    search_fields = ["name", "source_name", "slug"]
    fields = ["name", "sort_name", "description", "source_name", "slug", "key", "articles_link"]
    readonly_fields = [*PersonTagAdminMixin.readonly_fields, "source_name"]
    inlines = [PersonAliasInline]


@admin.register(Tag)
class TagAdmin(PersonTagAdminMixin, admin.ModelAdmin):
    list_display = ["name_column", "slug", article_count_column]
    search_fields = ["name", "slug"]
    fields = ["name", "description", "slug", "key", "articles_link"]
    inlines = [TagAliasInline]
