"""The A-Z directories and the admin's lists: one case- and accent-insensitive order, in the
database (SQLite and PostgreSQL alike), and every letter linked whatever the page."""

import re

import pytest
from django.contrib.auth.models import User
from django.db import connection

from articles.directory import initial, letter_param
from articles.models import Person, Tag
from articles.text import sort_key
from tests.factories import ArticleFactory, PersonFactory, TagFactory

pytestmark = pytest.mark.django_db

#: As Reuters and the Times mix them: wire codes in lower case, names capitalised, accents.
MIXED = ["acq", "Russia", "earn", "Égypte", "rubber", "Archives", "USSR", "money-fx", "ussr-x"]
EXPECTED = ["acq", "Archives", "earn", "Égypte", "money-fx", "rubber", "Russia", "USSR", "ussr-x"]


def names(page, kind="tags"):
    return re.findall(rf'<li><a href="/{kind}/[^"]+">([^<]+)</a>', page.content.decode())


def test_sort_keys_ignore_case_and_accents_and_put_non_letters_first():
    assert sort_key("Émile  Zola") == "emile zola"
    assert sort_key("ÉTATS-UNIS") == sort_key("états-unis") == "etats-unis"
    assert sort_key("3M Co") == "#3m co"
    assert sort_key("“Quoted”") == "#“quoted”"
    assert sorted(["#3m", "a", "zz", "#!"]) == ["#!", "#3m", "a", "zz"]
    assert [initial(sort_key(n)) for n in ["Émile", "3M", "москва"]] == ["E", "#", "М"]
    assert [letter_param(v) for v in ["r", "R", "#", "ab", "", "1", "м"]] == [
        "R", "R", "#", None, None, None, "М",
    ]  # fmt: skip


def test_the_sort_key_is_stored_on_every_write_bulk_create_too():
    tag = TagFactory(name="Zürich")
    assert Tag.objects.get(pk=tag.pk).sort_key == "zurich"
    tag.name = "Ängelholm"
    tag.save()
    assert Tag.objects.get(pk=tag.pk).sort_key == "angelholm"
    Tag.objects.bulk_create([Tag(name="Örebro", key="örebro", slug="orebro")])
    assert Tag.objects.get(slug="orebro").sort_key == "orebro"
    person = PersonFactory(name="Émile Zola", sort_name="Zola, Émile")
    assert Person.objects.get(pk=person.pk).sort_key == "zola, emile"


def test_the_database_orders_tags_case_and_accent_insensitively(client):
    for name in MIXED:
        TagFactory(name=name)
    assert list(Tag.objects.values_list("name", flat=True)) == EXPECTED  # the model's order
    assert names(client.get("/tags/")) == EXPECTED


def test_pages_continue_in_order_and_the_letter_bar_links_every_letter(client, monkeypatch):
    monkeypatch.setattr("articles.views.DirectoryView.paginate_by", 3)
    for name in MIXED:
        TagFactory(name=name)
    first, second = client.get("/tags/"), client.get("/tags/?page=2")
    assert names(first) + names(second) == EXPECTED[:6]

    for page in (first, second):  # every letter, whatever the page: not only this page's
        bar = re.findall(r'<a href="\?letter=([^"]+)"[^>]*>([^<]+)</a>', page.content.decode())
        assert [letter for letter, _ in bar] == ["A", "E", "M", "R", "U"]

    page = client.get("/tags/?letter=r")
    assert names(page) == ["rubber", "Russia"]
    assert '<a href="?letter=R" title="2 tags" aria-current="page">R</a>' in page.content.decode()
    assert "2 tags under R" in page.content.decode()
    assert names(client.get("/tags/?letter=E")) == ["earn", "Égypte"]  # É files under E


def test_the_non_letter_group_comes_first_and_has_its_own_page(client):
    for name in ["Zinc", "1987 Crash", "alpha"]:
        TagFactory(name=name)
    assert names(client.get("/tags/")) == ["1987 Crash", "alpha", "Zinc"]
    assert names(client.get("/tags/?letter=%23")) == ["1987 Crash"]


def test_letters_follow_the_name_filter_and_the_count_sort(client):
    for name in MIXED:
        TagFactory(name=name)
    ArticleFactory(tags=[Tag.objects.get(name="rubber")])
    page = client.get("/tags/", {"q": "ss", "sort": "count"}).content.decode()
    assert re.findall(r"letter=([^\"]+)\"", page) == ["R", "U"]  # Russia, USSR, ussr-x
    page = client.get("/tags/", {"letter": "R", "sort": "count"})
    assert names(page) == ["rubber", "Russia"]


def test_people_are_filed_by_folded_last_name(client):
    for name, sort_name in [
        ("Zoe adams", "adams, Zoe"),
        ("Ángel Álvarez", "Álvarez, Ángel"),
        ("Bo Berg", "Berg, Bo"),
        ("Al Aaron", "Aaron, Al"),
    ]:
        PersonFactory(name=name, sort_name=sort_name)
    assert names(client.get("/people/"), "people") == [
        "Al Aaron", "Zoe adams", "Ángel Álvarez", "Bo Berg",
    ]  # fmt: skip


def test_the_admin_lists_tags_and_people_in_the_same_order(client):
    for name in MIXED:
        TagFactory(name=name)
    client.force_login(User.objects.create_superuser("boss", "boss@example.com", "x" * 20))
    page = client.get("/admin/articles/tag/").content.decode()
    listed = re.findall(r'<th class="field-name_column"><a href="[^"]+">([^<]+)</a>', page)
    assert listed == EXPECTED
    page = client.get("/admin/articles/tag/?o=-1").content.decode()  # the name column, Z-A
    assert (
        re.findall(r'<th class="field-name_column"><a href="[^"]+">([^<]+)</a>', page)
        == (EXPECTED[::-1])
    )


def test_on_postgresql_the_sort_key_compares_byte_by_byte_whatever_the_locale():
    """PostgreSQL would otherwise sort by the database's locale (en_US ignores spaces and
    signs): collation "C" gives SQLite's order, so both engines list the same."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite compares text byte by byte already")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, collation_name FROM information_schema.columns "
            "WHERE column_name = 'sort_key' ORDER BY table_name"
        )
        assert cursor.fetchall() == [("articles_person", "C"), ("articles_tag", "C")]
    for name in ["new york", "newark", "New-Jersey"]:
        TagFactory(name=name)
    assert list(Tag.objects.values_list("name", flat=True)) == ["new york", "New-Jersey", "newark"]
