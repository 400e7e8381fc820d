"""Editors merge a tag or person into any other from its change page (an autocomplete box,
not a changelist page), and the merged-away name still finds the articles in search."""

import re

import pytest
from django.contrib.admin.models import LogEntry
from haystack.query import SearchQuerySet

from articles.models import Tag, TagAlias
from tests.factories import ArticleFactory, PersonFactory, TagFactory
from tests.test_admin import admin_url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ussr(search_index):
    soviet = TagFactory(name="Soviet Union", slug="soviet-union")
    ussr = TagFactory(name="ussr", slug="ussr")
    made = {
        "soviet": soviet,
        "ussr": ussr,
        "grain": ArticleFactory(title="Grain sales to Moscow", tags=[ussr]),
        "space": ArticleFactory(title="A space station in orbit", tags=[soviet]),
        "other": ArticleFactory(title="Coffee prices", tags=[TagFactory(name="coffee")]),
    }
    return made


def search(client, q):
    response = client.get("/api/search/", {"q": q})
    assert response.status_code == 200
    return response.json()


def test_the_change_page_offers_merge_into_and_the_form_autocompletes(editor, ussr):
    page = editor.get(admin_url(Tag, "change", ussr["ussr"].pk)).content.decode()
    merge_url = admin_url(Tag, "merge", ussr["ussr"].pk)
    assert f'<a href="{merge_url}">Merge into…</a>' in page

    form = editor.get(merge_url).content.decode()
    assert 'class="admin-autocomplete' in form  # select2 over the admin's autocomplete view
    assert 'data-field-name="tags"' in form and 'data-model-name="article"' in form
    assert "“ussr” has 1 article." in form
    # The autocomplete answers with any tag, wherever it would be in the changelist.
    found = editor.get(
        "/admin/autocomplete/",
        {"term": "sov", "app_label": "articles", "model_name": "article", "field_name": "tags"},
    ).json()
    assert [r["text"] for r in found["results"]] == ["Soviet Union"]


def test_merging_into_the_chosen_tag(editor, ussr):
    response = editor.post(
        admin_url(Tag, "merge", ussr["ussr"].pk), {"survivor": ussr["soviet"].pk}, follow=True
    )
    assert response.redirect_chain[-1][0] == admin_url(Tag, "change", ussr["soviet"].pk)
    assert "Merged “ussr” into “Soviet Union”; 1 articles re-pointed" in response.content.decode()
    assert not Tag.objects.filter(slug="ussr").exists()
    assert TagAlias.objects.get(slug="ussr").tag == ussr["soviet"]
    assert set(ussr["soviet"].articles.all()) == {ussr["grain"], ussr["space"]}
    assert LogEntry.objects.filter(object_repr="Soviet Union").exists()
    assert editor.get("/tags/ussr/").headers["Location"] == "/tags/soviet-union/"


def test_a_tag_cannot_be_merged_into_itself(editor, ussr):
    response = editor.post(admin_url(Tag, "merge", ussr["ussr"].pk), {"survivor": ussr["ussr"].pk})
    assert response.status_code == 200
    assert "it cannot merge into itself" in response.content.decode()
    assert Tag.objects.filter(slug="ussr").exists()


def test_viewers_cannot_merge(viewer, ussr):
    response = viewer.get(admin_url(Tag, "merge", ussr["ussr"].pk))
    assert response.status_code == 403
    page = viewer.get(admin_url(Tag, "change", ussr["ussr"].pk)).content.decode()
    assert "Merge into…" not in page


def test_the_merged_away_name_still_finds_the_survivors_articles(editor, ussr):
    assert {r["title"] for r in search(editor, "tag:ussr")["results"]} == {"Grain sales to Moscow"}
    editor.post(admin_url(Tag, "merge", ussr["ussr"].pk), {"survivor": ussr["soviet"].pk})

    found = search(editor, "tag:ussr")
    assert {r["title"] for r in found["results"]} == {
        "Grain sales to Moscow",
        "A space station in orbit",  # never tagged ussr: the survivor's own
    }
    assert found["messages"] == [
        "“ussr” was merged into “Soviet Union”: tag:ussr finds the articles of “Soviet Union” too."
    ]
    assert {r["title"] for r in search(editor, "coffee -tag:ussr")["results"]} == {"Coffee prices"}
    assert SearchQuerySet().filter(tags__in=["soviet-union"]).count() == 2


def test_a_merged_person_is_found_by_the_old_name(editor, search_index):
    survivor = PersonFactory(name="Mikhail S. Gorbachev", sort_name="Gorbachev, Mikhail S")
    old = PersonFactory(name="Mikhail Gorbachov", sort_name="Gorbachov, Mikhail")
    ArticleFactory(title="Talks in Reykjavik", people=[survivor])
    ArticleFactory(title="Perestroika explained", people=[old])
    editor.post(
        re.sub(r"/tag/", "/person/", admin_url(Tag, "merge", old.pk)), {"survivor": survivor.pk}
    )
    assert {r["title"] for r in search(editor, 'person:"mikhail gorbachov"')["results"]} == {
        "Talks in Reykjavik",
        "Perestroika explained",
    }
