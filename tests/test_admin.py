"""The editors' admin, through its real views with logged-in staff users."""

import datetime
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from haystack.query import SearchQuerySet

from articles.admin import LimitedCountPaginator
from articles.models import Article, Person, Tag, TagAlias
from tests.conftest import PASSWORD, REPO, staff_user
from tests.factories import ArticleFactory, PersonFactory, TagFactory

pytestmark = pytest.mark.django_db


def admin_url(model, view="changelist", *args):
    return reverse(f"admin:articles_{model._meta.model_name}_{view}", args=args)


def form_values(response):
    """What the browser would post back from an admin change form, unchanged."""

    def encode(value):
        if value is None:
            return ""
        if isinstance(value, list | tuple):
            return [encode(v) for v in value]
        if isinstance(value, datetime.date):
            return value.isoformat()
        return str(value)

    forms = [response.context["adminform"].form]
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is not None and value is not False:
                data[form.add_prefix(name)] = encode(value)
    return data


def post_change(client, obj, **changes):
    """Post ``obj``'s admin change form with ``changes``; return the response."""
    url = admin_url(type(obj), "change", obj.pk)
    data = form_values(client.get(url)) | changes
    return client.post(url, data)


def ingest(seed_dir, *options):
    out, err = StringIO(), StringIO()
    call_command("ingest", str(seed_dir), *options, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def changelist(client, model, **params):
    response = client.get(admin_url(model), params)
    assert response.status_code == 200
    return response


def listed(response):
    return [str(obj) for obj in response.context["cl"].result_list]


# -- articles: list, search, filters ---------------------------------------------------


@pytest.fixture
def archive():
    trump, putin = PersonFactory(name="Donald J. Trump"), PersonFactory(name="Vladimir Putin")
    russia, oil = TagFactory(name="Russia"), TagFactory(name="Oil")
    return {
        "summit": ArticleFactory(
            title="Summit in Hamburg", people=[trump, putin], tags=[russia], publication="NYT"
        ),
        "oil": ArticleFactory(
            title="Oil prices",
            url="https://example.com/markets/oil-prices.html",
            tags=[oil],
            pub_date=datetime.date(2016, 1, 2),
        ),
        "undated": ArticleFactory(title="A story with no date", pub_date=None, people=[putin]),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hamburg", ["Summit in Hamburg"]),
        ("markets/oil-prices", ["Oil prices"]),
        ("putin", ["Summit in Hamburg", "A story with no date"]),
        ("russia", ["Summit in Hamburg"]),
    ],
)
def test_articles_are_searched_by_title_url_person_and_tag(editor, archive, query, expected):
    assert listed(changelist(editor, Article, q=query)) == expected


def test_articles_are_filtered_by_date_publication_tag_and_person(editor, archive):
    trump, russia = Person.objects.get(name="Donald J. Trump"), Tag.objects.get(name="Russia")

    assert listed(changelist(editor, Article, dated="no")) == ["A story with no date"]
    assert listed(changelist(editor, Article, dated="yes")) == ["Summit in Hamburg", "Oil prices"]
    assert listed(changelist(editor, Article, publication="NYT")) == ["Summit in Hamburg"]
    assert listed(changelist(editor, Article, pub_date__year="2016")) == ["Oil prices"]
    assert listed(changelist(editor, Article, tag=russia.pk)) == ["Summit in Hamburg"]
    assert listed(changelist(editor, Article, person=trump.pk)) == ["Summit in Hamburg"]
    years = changelist(editor, Article).content.decode()
    assert "?pub_date__year=2016" in years
    assert "?pub_date__year=2017" in years
    bad = editor.get(admin_url(Article), {"tag": "nonsense"})
    assert bad["Location"].endswith("?e=1")  # the admin's "wrong filter" page


def test_the_tag_and_person_filters_are_autocomplete_boxes_not_lists(editor, archive):
    TagFactory.create_batch(30)
    russia = Tag.objects.get(name="Russia")

    page = changelist(editor, Article, tag=russia.pk, q="summit").content.decode()

    assert 'class="admin-autocomplete' in page
    assert f'<option value="{russia.pk}" selected>Russia</option>' in page
    assert "Tag 5" not in page  # the other tags are fetched as one types
    assert '<input type="hidden" name="q" value="summit">' in page  # picking keeps the search
    autocomplete = editor.get(
        reverse("admin:autocomplete"),
        {"app_label": "articles", "model_name": "article", "field_name": "tags", "term": "russ"},
    )
    assert [r["text"] for r in autocomplete.json()["results"]] == ["Russia"]


def changelist_queries(client, model, **params):
    with CaptureQueriesContext(connection) as queries:
        changelist(client, model, **params)
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize("params", [{}, {"q": "article"}, {"dated": "yes"}])
def test_the_article_list_takes_the_same_queries_for_3_or_60_articles(editor, params):
    people, tags = PersonFactory.create_batch(3), TagFactory.create_batch(3)

    def queries():
        return changelist_queries(editor, Article, **params)

    ArticleFactory.create_batch(3, people=people, tags=tags)
    few = queries()
    ArticleFactory.create_batch(57, people=people, tags=tags)
    many = queries()

    assert len(few) == len(many) <= 12
    assert not any("django_date_trunc" in sql for sql in many)  # a per-row Python call
    counts = [sql for sql in many if "COUNT(" in sql.upper()]
    assert counts and all("LIMIT 10001" in sql for sql in counts)  # never the whole table


@pytest.mark.parametrize("model", [Person, Tag])
def test_the_people_and_tag_lists_take_the_same_queries_for_3_or_60_rows(editor, model):
    factory, relation = (PersonFactory, "people") if model is Person else (TagFactory, "tags")

    def add_rows(count):
        for _ in range(count):
            ArticleFactory(**{relation: [factory()]})

    add_rows(3)
    few = changelist_queries(editor, model)
    add_rows(57)
    assert len(few) == len(changelist_queries(editor, model)) <= 8


def test_past_ten_thousand_the_list_says_more_than(editor, monkeypatch):
    monkeypatch.setattr(LimitedCountPaginator, "count_limit", 5)
    ArticleFactory.create_batch(7)

    page = changelist(editor, Article).content.decode()

    assert "More than 5 articles" in page


# -- articles: editing ------------------------------------------------------------------


def test_an_editor_changes_title_date_publication_people_and_tags(editor, archive):
    summit = archive["summit"]
    oil, putin = Tag.objects.get(name="Oil"), Person.objects.get(name="Vladimir Putin")

    response = post_change(
        editor,
        summit,
        title="Summit in Hamburg, Germany",
        pub_date="2017-07-08",
        publication="The New York Times",
        people=[str(putin.pk)],
        tags=[str(oil.pk)],
    )

    assert response.status_code == 302
    summit.refresh_from_db()
    assert summit.title == "Summit in Hamburg, Germany"
    assert summit.pub_date == datetime.date(2017, 7, 8)
    assert summit.publication == "The New York Times"
    assert [p.name for p in summit.people.all()] == ["Vladimir Putin"]
    assert [t.name for t in summit.tags.all()] == ["Oil"]
    assert editor.get(summit.get_absolute_url()).status_code == 200
    entry = LogEntry.objects.get(object_id=str(summit.pk))
    assert (entry.user.username, entry.action_flag) == ("eddie", CHANGE)
    history = editor.get(admin_url(Article, "history", summit.pk)).content.decode()
    assert "eddie" in history
    assert "Changed Title, Publication date, Publication, People and Tags." in history


def test_people_and_tags_are_autocomplete_widgets_and_body_and_url_read_only(editor, archive):
    summit = archive["summit"]
    url = admin_url(Article, "change", summit.pk)
    page = editor.get(url).content.decode()

    assert page.count('class="admin-autocomplete') == 2
    assert summit.body.split("\n\n")[0] in page
    assert summit.url in page

    post_change(editor, summit, body="Tampered.", url="https://evil.example/")
    summit.refresh_from_db()
    assert summit.body != "Tampered."
    assert summit.url != "https://evil.example/"


def test_view_on_site_leads_to_the_public_page(editor, archive):
    summit = archive["summit"]
    page = editor.get(admin_url(Article, "change", summit.pk)).content.decode()
    link = page.split('class="viewsitelink"')[0].rsplit('href="', 1)[1].split('"')[0]

    response = editor.get(link)
    assert response.status_code == 302
    assert response["Location"].endswith(summit.get_absolute_url())


def test_moving_an_article_to_a_day_with_the_same_slug_keeps_both_pages(editor):
    first = ArticleFactory(slug="budget", pub_date=datetime.date(2017, 1, 1))
    second = ArticleFactory(slug="budget", pub_date=datetime.date(2017, 1, 2))

    assert post_change(editor, second, pub_date="2017-01-01").status_code == 302

    second.refresh_from_db()
    assert second.slug == "budget-2"
    assert editor.get(first.get_absolute_url()).status_code == 200
    assert editor.get(second.get_absolute_url()).status_code == 200


def test_editors_cannot_add_articles_people_or_tags(editor):
    for model in (Article, Person, Tag):
        assert editor.get(admin_url(model, "add")).status_code == 403


# -- people and tags: counts, rename, merge -----------------------------------------------


def test_people_and_tags_are_listed_with_sortable_article_counts_and_searched(editor):
    busy, quiet = TagFactory(name="Busy"), TagFactory(name="Quiet")
    ArticleFactory.create_batch(3, tags=[busy])
    ArticleFactory(tags=[quiet])
    PersonFactory(name="Angela Merkel")
    PersonFactory(name="Emmanuel Macron")

    by_count = changelist(editor, Tag, o="-3")  # the third column: article count
    assert [(t.name, t.article_count) for t in by_count.context["cl"].result_list] == [
        ("Busy", 3),
        ("Quiet", 1),
    ]
    assert listed(changelist(editor, Tag, o="3")) == ["Quiet", "Busy"]
    assert listed(changelist(editor, Person, q="merk")) == ["Angela Merkel"]


def test_renaming_a_tag_keeps_its_slug_and_page(editor):
    tag = TagFactory(name="Russia", slug="russia")
    ArticleFactory(tags=[tag])

    response = post_change(editor, tag, name="Russian Federation", slug="hacked")

    assert response.status_code == 302
    tag.refresh_from_db()
    assert (tag.name, tag.slug) == ("Russian Federation", "russia")
    assert "Russian Federation" in editor.get("/tags/russia/").content.decode()


def test_renaming_a_person_keeps_the_slug_and_the_source_key(editor, write_seed, seed_dir):
    write_seed("001.txt", url="https://example.com/a", keywords="Trump  Donald J")
    ingest(seed_dir)
    person = Person.objects.get()
    slug = person.slug

    post_change(editor, person, name="President Trump", sort_name="Trump, President")
    write_seed("002.txt", url="https://example.com/b", keywords="Trump  Donald J")
    ingest(seed_dir)

    person = Person.objects.get()  # the new file found the renamed person
    assert (person.name, person.slug, person.articles.count()) == ("President Trump", slug, 2)


def merge_through_admin(client, model, objects, survivor):
    """The two steps of the merge action: the confirmation page, then the merge."""
    ids = [str(o.pk) for o in objects]
    confirm = client.post(admin_url(model), {"action": "merge_selected", "_selected_action": ids})
    assert confirm.status_code == 200
    assert "Which" in confirm.content.decode()
    return client.post(
        admin_url(model),
        {
            "action": "merge_selected",
            "_selected_action": ids,
            "survivor": str(survivor.pk),
            "merge": "yes",
        },
        follow=True,
    )


def test_merging_tags_through_the_admin(editor):
    russia, russian, oil = (TagFactory(name=n) for n in ["Russia", "Russian Federation", "Oil"])
    a = ArticleFactory(tags=[russian, oil])
    b = ArticleFactory(tags=[russia, russian])

    response = merge_through_admin(editor, Tag, [russia, russian], survivor=russia)

    assert "Merged Russian Federation into “Russia”; 2 articles re-pointed" in (
        response.content.decode()
    )
    assert sorted(t.name for t in a.tags.all()) == ["Oil", "Russia"]
    assert [t.name for t in b.tags.all()] == ["Russia"]
    assert editor.get(f"/tags/{russian.slug}/")["Location"] == russia.get_absolute_url()
    assert TagAlias.objects.get().tag == russia
    log = LogEntry.objects.order_by("pk")
    assert [(e.object_repr, e.action_flag) for e in log] == [
        ("Russian Federation", DELETION),
        ("Russia", CHANGE),
    ]
    survivor_page = editor.get(admin_url(Tag, "change", russia.pk)).content.decode()
    assert "Russian Federation" in survivor_page  # listed among its aliases


def test_merging_people_through_the_admin_proposes_the_busiest_as_survivor(editor):
    busy, rare = PersonFactory(name="Donald J. Trump"), PersonFactory(name="Donald Trump")
    ArticleFactory.create_batch(2, people=[busy])
    ArticleFactory(people=[rare])
    ids = [str(rare.pk), str(busy.pk)]

    confirm = editor.post(
        admin_url(Person), {"action": "merge_selected", "_selected_action": ids}
    ).content.decode()

    assert f'value="{busy.pk}"\n          checked' in confirm
    merge_through_admin(editor, Person, [rare, busy], survivor=busy)
    assert list(Person.objects.values_list("name", flat=True)) == ["Donald J. Trump"]
    assert busy.articles.count() == 3


def test_merging_one_tag_is_refused(editor):
    tag = TagFactory()
    response = editor.post(
        admin_url(Tag), {"action": "merge_selected", "_selected_action": [str(tag.pk)]}, follow=True
    )
    assert "Select at least two to merge." in response.content.decode()
    assert Tag.objects.count() == 1


# -- re-ingest keeps the editors' changes ---------------------------------------------------


def test_a_reingest_keeps_what_an_editor_changed_and_says_so(editor, write_seed, seed_dir):
    write_seed("001.txt", url="https://example.com/a", title="Old title - NYT", keywords="Oil")
    ingest(seed_dir)
    article = Article.objects.get()
    gas = TagFactory(name="Gas")
    post_change(editor, article, title="Corrected title", tags=[str(gas.pk)])

    out, _ = ingest(seed_dir)
    assert "0 created, 0 updated, 1 unchanged" in out  # an unchanged file touches nothing
    write_seed(
        "001.txt",
        url="https://example.com/a",
        title="New source title - NYT",
        keywords="Oil,Petrol",
        date="July 8, 2017",
        body="A corrected body.",
    )
    out, err = ingest(seed_dir)

    assert "0 created, 1 updated" in out
    assert "kept the editor's title, tags for https://example.com/a" in err
    article.refresh_from_db()
    assert article.title == "Corrected title"
    assert [t.name for t in article.tags.all()] == ["Gas"]
    assert article.body == "A corrected body."  # not editable: the file wins
    assert article.pub_date == datetime.date(2017, 7, 8)  # not edited: the file wins


def test_override_edits_lets_the_file_win(editor, write_seed, seed_dir):
    write_seed("001.txt", url="https://example.com/a", title="Old title - Reuters", keywords="Oil")
    ingest(seed_dir)
    article = Article.objects.get()
    post_change(editor, article, title="Corrected title", publication="The Times")

    write_seed("001.txt", url="https://example.com/a", title="New title - Reuters", keywords="Oil")
    _, err = ingest(seed_dir, "--override-edits")

    assert "kept the editor's" not in err
    article.refresh_from_db()
    assert (article.title, article.publication) == ("New title", "Reuters")


# -- roles, login, security -------------------------------------------------------------


def test_setup_roles_is_idempotent(roles):
    call_command("setup_roles", stdout=StringIO())
    viewer = Group.objects.get(name="viewer")
    assert Group.objects.count() == 2
    assert {p.codename for p in viewer.permissions.all()} == {
        "view_article",
        "view_person",
        "view_tag",
        "view_personalias",
        "view_tagalias",
    }


def test_a_viewer_sees_everything_and_changes_nothing(viewer, archive):
    summit, russia = archive["summit"], Tag.objects.get(name="Russia")

    for model in (Article, Person, Tag):
        assert changelist(viewer, model).status_code == 200
    page = viewer.get(admin_url(Article, "change", summit.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert "Summit in Hamburg" in page.content.decode()
    assert "merge_selected" not in changelist(viewer, Tag).content.decode()

    data = {"title": "Vandalised", "pub_date": "2017-07-07", "publication": "NYT"}
    assert viewer.post(admin_url(Article, "change", summit.pk), data).status_code == 403
    assert viewer.post(admin_url(Tag, "delete", russia.pk), {"post": "yes"}).status_code == 403
    oil = Tag.objects.get(name="Oil")
    merge = viewer.post(
        admin_url(Tag),
        {
            "action": "merge_selected",
            "_selected_action": [str(russia.pk), str(oil.pk)],
            "survivor": str(russia.pk),
            "merge": "yes",
        },
        follow=True,
    )
    assert merge.status_code == 200  # no action for a viewer: the list again
    summit.refresh_from_db()
    assert summit.title == "Summit in Hamburg"
    assert Tag.objects.count() == 2


def login(client, password):
    return client.post(
        reverse("admin:login"),
        {"username": "eddie", "password": password, "next": reverse("admin:index")},
    )


def test_five_failed_logins_lock_the_client_out_with_a_clear_page(roles, client):
    staff_user("eddie", "editor")
    for _ in range(4):
        assert login(client, "wrong").status_code == 200  # the form again, with an error

    locked = login(client, "wrong")

    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many failed logins" in page
    assert "5 times" in page
    assert "15 minutes" in page
    assert login(client, PASSWORD).status_code == 429  # even the right password, for now


def test_a_successful_login_before_the_limit_resets_the_failures(roles, client):
    staff_user("eddie", "editor")
    for _ in range(4):
        login(client, "wrong")
    assert login(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert login(client, "wrong").status_code == 200


def test_session_and_csrf_cookies_are_secure_over_https_only(roles, client):
    staff_user("eddie", "editor")

    over_http = login(client, PASSWORD)
    assert not over_http.cookies["sessionid"]["secure"]
    client.logout()
    form = client.get(reverse("admin:login"), secure=True)
    assert form.cookies["csrftoken"]["secure"]
    over_https = client.post(
        reverse("admin:login"),
        {"username": "eddie", "password": PASSWORD},
        secure=True,
        headers={"referer": "https://testserver/"},
    )
    assert over_https.status_code == 302
    assert over_https.cookies["sessionid"]["secure"]


def test_a_proxy_saying_https_makes_the_cookies_secure(roles, client):
    staff_user("eddie", "editor")
    form = client.get(reverse("admin:login"), headers={"x-forwarded-proto": "https"})
    assert form.cookies["csrftoken"]["secure"]


@pytest.mark.slow
def test_the_admin_path_is_a_setting(tmp_path):
    env = os.environ | {"ARCHIVE_ADMIN_PATH": "/backstage/", "ARCHIVE_DATA_DIR": str(tmp_path)}
    code = "from django.urls import reverse; print(reverse('admin:index'))"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "/backstage/"


# -- search stays in step: searchable as soon as the admin answers (``search_index``) ------


def titles(results):
    return sorted(r.title for r in results)


def test_search_follows_an_admin_edit_of_title_people_and_tags(search_index, editor):
    putin, oil = PersonFactory(name="Vladimir Putin"), TagFactory(name="Oil")
    article = ArticleFactory(title="Summit in Hamburg", tags=[TagFactory(name="Russia")])
    assert titles(SearchQuerySet().auto_query("Hamburg")) == ["Summit in Hamburg"]

    post_change(
        editor, article, title="Summit in Zanzibar", people=[str(putin.pk)], tags=[str(oil.pk)]
    )

    assert titles(SearchQuerySet().auto_query("Zanzibar")) == ["Summit in Zanzibar"]
    assert titles(SearchQuerySet().auto_query("Hamburg")) == []
    assert titles(SearchQuerySet().filter(tags__in=[oil.slug])) == ["Summit in Zanzibar"]
    assert titles(SearchQuerySet().filter(people__in=[putin.slug])) == ["Summit in Zanzibar"]


def test_search_follows_an_admin_delete(search_index, editor):
    article = ArticleFactory(title="Summit in Hamburg")
    assert SearchQuerySet().auto_query("Hamburg").count() == 1

    editor.post(admin_url(Article, "delete", article.pk), {"post": "yes"})

    assert SearchQuerySet().auto_query("Hamburg").count() == 0


def test_search_follows_an_admin_rename_and_delete_of_a_tag(search_index, editor):
    tag = TagFactory(name="Russia")
    ArticleFactory(title="Summit in Hamburg", tags=[tag])
    assert SearchQuerySet().filter(tag_names="russia").count() == 1

    post_change(editor, tag, name="Kremlin politics")
    assert SearchQuerySet().filter(tag_names="kremlin").count() == 1
    assert SearchQuerySet().filter(tag_names="russia").count() == 0

    editor.post(admin_url(Tag, "delete", tag.pk), {"post": "yes"})
    assert SearchQuerySet().filter(tag_names="kremlin").count() == 0
    assert SearchQuerySet().auto_query("Hamburg").count() == 1


def test_the_search_pages_facets_name_a_tag_as_an_editor_just_renamed_it(
    search_index, editor, client
):
    tag = TagFactory(name="Russia")
    ArticleFactory(title="Summit in Hamburg", tags=[tag])
    before = client.get("/search/", {"q": "hamburg"}).content.decode()
    assert 'rel="nofollow">Russia</a>' in before  # the names read once, then kept

    post_change(editor, tag, name="Kremlin politics", description="The Russian leadership.")

    after = client.get("/search/", {"q": "hamburg", "tag": tag.slug}).content.decode()
    assert 'aria-label="Kremlin politics, 1 article, selected: remove"' in after
    assert f'<span hidden id="facet-tags-{tag.slug}">The Russian leadership.</span>' in after
    assert "Russia<" not in after


def test_search_follows_an_admin_merge(search_index, editor):
    russia, russian = TagFactory(name="Russia"), TagFactory(name="Russian Federation")
    ArticleFactory(title="Summit in Hamburg", tags=[russian])
    ArticleFactory(title="Oil in Siberia", tags=[russia, russian])
    assert SearchQuerySet().filter(tags__in=[russian.slug]).count() == 2

    merge_through_admin(editor, Tag, [russia, russian], survivor=russia)

    assert SearchQuerySet().filter(tags__in=[russian.slug]).count() == 0
    assert titles(SearchQuerySet().filter(tags__in=[russia.slug])) == [
        "Oil in Siberia",
        "Summit in Hamburg",
    ]
