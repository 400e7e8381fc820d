"""Versions of one story (the same wire story filed again, corrected, retitled) are grouped:
one result per story, its other versions a click away; an editor can split a wrong one."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import versions
from articles.ingest import find_files, ingest_files
from articles.models import Article

STORY = (
    "TOKYO — Japan's trade surplus with the United States rose sharply in February as "
    "exports of cars and electronics climbed, the finance ministry said on Monday, adding "
    "to pressure from Washington for Tokyo to open its markets to American goods and to "
    "stimulate domestic demand before the summit of industrial nations in Venice this June."
)
OTHER = (
    "LONDON — The Bank of England left its lending rate unchanged on Thursday, saying that "
    "inflation remained under control and that sterling had steadied after weeks of selling "
    "on the foreign exchanges, while dealers had expected a cut of half a point before May."
)


@pytest.fixture
def filed(search_index, write_seed, seed_dir):
    """One story in four versions (as first filed, a word corrected, retitled, with a
    correction line), an unrelated story and a short item; ingested."""

    def file(name, title, body, url=None):
        write_seed(
            name,
            url=url or f"https://wire.example/{name}",
            title=f"{title} - Reuters",
            keywords="Japan,Trade",
            body=body,
        )

    file("01.txt", "JAPAN TRADE SURPLUS WITH U.S. RISES", STORY)
    file("02.txt", "JAPAN TRADE SURPLUS WITH U.S. RISES", STORY.replace("sharply", "steeply"))
    file("03.txt", "JAPAN'S SURPLUS WITH U.S. CLIMBS IN FEBRUARY", STORY)
    file("04.txt", "JAPAN TRADE SURPLUS RISES", STORY + "\n(Corrects day of statement)")
    file("05.txt", "BANK OF ENGLAND HOLDS RATE", OTHER)
    file("06.txt", "JAPAN TRADE BRIEF", "Japan trade surplus rose.")
    ingest_files(find_files([seed_dir]))
    return {a.url.rsplit("/", 1)[1]: a for a in Article.objects.all()}


def story_of(articles, name):
    return Article.objects.get(pk=articles[name].pk).story_id


def test_versions_of_one_story_are_grouped_and_others_are_not(filed):
    first = filed["01.txt"].pk
    assert {story_of(filed, n) for n in ("01.txt", "02.txt", "03.txt", "04.txt")} == {first}
    assert story_of(filed, "05.txt") is None
    assert story_of(filed, "06.txt") is None  # too short to judge


def test_a_result_list_shows_one_card_per_story_with_its_other_versions(client, filed):
    answer = client.get("/api/search/", {"q": "japan surplus"}).json()
    assert answer["count"] == 5  # counted as articles: four versions and the short item
    assert len(answer["results"]) == 2  # one card for the story, one for the short item
    story = next(r for r in answer["results"] if r["duplicates"])
    assert len(story["duplicates"]) == 3
    assert {d["url"] for d in story["duplicates"]} | {story["url"]} == {
        f"https://wire.example/0{n}.txt" for n in (1, 2, 3, 4)
    }
    for version in story["duplicates"]:
        assert client.get(version["permalink"]).status_code == 200
    page = client.get("/search/?q=japan+surplus").content.decode()
    assert "3 other versions of this story" in page
    assert "versions of one story are listed together" in page


def test_an_article_page_lists_its_other_versions(client, filed):
    page = client.get(filed["02.txt"].get_absolute_url()).content.decode()
    assert "Other versions of this story" in page
    for name in ("01.txt", "03.txt", "04.txt"):
        assert filed[name].get_absolute_url() in page
    assert "Other versions" not in client.get(filed["05.txt"].get_absolute_url()).content.decode()


def test_grouping_survives_re_ingest_and_edits(filed, seed_dir):
    article = Article.objects.get(pk=filed["03.txt"].pk)
    article.title = "Japan's surplus climbs (edited)"
    article.save()
    report = ingest_files(find_files([seed_dir]))
    assert report.unchanged == 6
    assert story_of(filed, "03.txt") == filed["01.txt"].pk


def test_a_version_whose_text_changes_leaves_its_story(filed, write_seed, seed_dir):
    write_seed(
        "04.txt",
        url="https://wire.example/04.txt",
        title="JAPAN TRADE SURPLUS RISES - Reuters",
        body=OTHER.replace("LONDON", "PARIS"),
    )
    ingest_files(find_files([seed_dir]))
    now = story_of(filed, "04.txt")  # now a version of the other story
    assert now == story_of(filed, "05.txt") == min(filed["04.txt"].pk, filed["05.txt"].pk)
    assert story_of(filed, "01.txt") == filed["01.txt"].pk  # the rest stays together


def test_an_editor_splits_a_wrongly_grouped_article_for_good(client, filed, write_seed, seed_dir):
    editor = User.objects.create_superuser("editor", "e@example.org", "x")
    client.force_login(editor)
    response = client.post(
        "/admin/articles/article/",
        {"action": "split_from_story", "_selected_action": [filed["03.txt"].pk]},
        follow=True,
    )
    assert "Split 1 article(s) from their stories" in response.content.decode()
    assert story_of(filed, "03.txt") is None
    assert story_of(filed, "01.txt") == filed["01.txt"].pk

    # A later ingest of its changed file does not put it back.
    write_seed(
        "03.txt",
        url="https://wire.example/03.txt",
        title="JAPAN'S SURPLUS WITH U.S. CLIMBS - Reuters",
        body=STORY,
    )
    ingest_files(find_files([seed_dir]))
    assert story_of(filed, "03.txt") is None
    change = client.get(f"/admin/articles/article/{filed['01.txt'].pk}/change/")
    assert "JAPAN TRADE SURPLUS RISES" in change.content.decode()  # its other versions


def test_the_first_version_leaving_renames_the_story(filed):
    versions.split(Article.objects.get(pk=filed["01.txt"].pk))
    assert story_of(filed, "02.txt") == filed["02.txt"].pk
    assert story_of(filed, "04.txt") == filed["02.txt"].pk


def test_group_versions_signs_and_groups_an_older_archive(filed, capsys):
    Article.objects.update(text_signature=None, story=None)
    call_command("group_versions")
    assert "4 articles are versions" in capsys.readouterr().out
    assert story_of(filed, "04.txt") == filed["01.txt"].pk


def versions_listed(response):
    """The "Other versions of this story" section of an article page."""
    page = response.content.decode()
    start = page.find('<section class="versions"')
    return page[start : page.index("</section>", start)] if start >= 0 else ""


def test_a_split_is_not_hidden_by_a_readers_cached_page(client, admin_client, filed):
    """The story's pages change when an editor splits it: a browser revalidating what it
    kept gets the new list, not a 304."""
    page, split_away = (filed[name].get_absolute_url() for name in ("01.txt", "03.txt"))
    kept = client.get(page)
    assert f'href="{split_away}"' in versions_listed(kept)
    admin_client.post(
        "/admin/articles/article/",
        {"action": "split_from_story", "_selected_action": [filed["03.txt"].pk]},
    )
    again = client.get(page, HTTP_IF_NONE_MATCH=kept["ETag"])
    assert again.status_code == 200
    assert versions_listed(again)  # the two others
    assert f'href="{split_away}"' not in versions_listed(again)


def test_grouping_an_older_archive_is_not_hidden_by_a_readers_cached_page(client, filed):
    Article.objects.update(story=None)
    page = filed["01.txt"].get_absolute_url()
    kept = client.get(page)
    assert not versions_listed(kept)
    call_command("group_versions")
    again = client.get(page, HTTP_IF_NONE_MATCH=kept["ETag"])
    assert again.status_code == 200
    assert versions_listed(again)


def test_a_page_of_results_without_versions_costs_no_query_for_them(filed):
    alone = [filed["05.txt"].pk, filed["06.txt"].pk]
    versions.other_versions(alone)  # the map of stories read once per archive version
    with CaptureQueriesContext(connection) as queries:
        assert versions.other_versions(alone) == {}
        found = versions.other_versions([filed["02.txt"].pk, *alone])
    assert len(queries) == 1
    assert [v.pk for v in found[filed["02.txt"].pk]] == [
        filed[name].pk for name in ("01.txt", "03.txt", "04.txt")
    ]
