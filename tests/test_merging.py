"""Merging people and tags: articles re-pointed in bulk, old pages redirect, re-ingests follow."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.merging import merge
from articles.models import Article, Person, PersonAlias, Tag, TagAlias
from articles.signals import articles_changed
from tests.factories import ArticleFactory, PersonFactory, TagFactory

pytestmark = pytest.mark.django_db


def ingest(*paths, **options):
    out, err = StringIO(), StringIO()
    call_command("ingest", *map(str, paths), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def changed_ids():
    """The article ids of every ``articles_changed`` sent during the test, in order."""
    sent = []

    def receiver(sender, article_ids, **kwargs):
        sent.append(sorted(article_ids))

    articles_changed.connect(receiver, weak=False)
    yield sent
    articles_changed.disconnect(receiver)


def tag_names(article):
    return sorted(t.name for t in article.tags.all())


def test_merging_tags_moves_their_articles_to_the_survivor_and_leaves_aliases(changed_ids):
    russia, russian, rus, other = (TagFactory(name=n) for n in ["Russia", "Russian", "RUS", "X"])
    both = ArticleFactory(tags=[russia, russian])
    only_russian = ArticleFactory(tags=[russian, other])
    only_rus = ArticleFactory(tags=[rus])
    untouched = ArticleFactory(tags=[other])
    before = Article.objects.get(pk=untouched.pk).updated

    result = merge(russia, [russian, rus])

    assert tag_names(both) == ["Russia"]
    assert tag_names(only_russian) == ["Russia", "X"]
    assert tag_names(only_rus) == ["Russia"]
    assert tag_names(untouched) == ["X"]
    assert Article.objects.get(pk=untouched.pk).updated == before
    assert not Tag.objects.filter(pk__in=[russian.pk, rus.pk]).exists()
    assert sorted(TagAlias.objects.values_list("key", "slug", "name", "tag")) == sorted(
        [
            (russian.key, russian.slug, "Russian", russia.pk),
            (rus.key, rus.slug, "RUS", russia.pk),
        ]
    )
    assert result.article_ids == sorted([both.pk, only_russian.pk, only_rus.pk])
    assert changed_ids == [result.article_ids]


def test_a_merge_takes_the_same_queries_for_10_or_200_articles():
    def queries_to_merge(count):
        survivor, other = TagFactory(), TagFactory()
        for _ in range(count):
            ArticleFactory(tags=[other])
        with CaptureQueriesContext(connection) as queries:
            merge(survivor, [other])
        assert survivor.articles.count() == count
        # The merge's own queries, up to queueing its articles for the index (the index
        # reads a large change in bulk batches; that is measured by the index benchmarks).
        sql = [q["sql"] for q in queries.captured_queries]
        return next(i for i, q in enumerate(sql) if "articles_pendingindexupdate" in q)

    assert queries_to_merge(10) == queries_to_merge(200)


def test_merging_people_moves_articles_and_chains_aliases(client):
    trump, trump_dj, donald, putin = PersonFactory.create_batch(4)
    article = ArticleFactory(people=[trump_dj, putin])

    merge(trump, [trump_dj])
    merge(donald, [trump])  # the survivor of the first merge is merged away in turn

    assert sorted(p.pk for p in article.people.all()) == sorted([donald.pk, putin.pk])
    assert set(PersonAlias.objects.values_list("slug", "person")) == {
        (trump_dj.slug, donald.pk),
        (trump.slug, donald.pk),
    }
    response = client.get(f"/people/{trump_dj.slug}/")
    assert response.status_code == 301
    assert response["Location"] == donald.get_absolute_url()


def test_the_old_page_of_a_merged_tag_redirects_to_the_survivor(client):
    survivor, merged = TagFactory(), TagFactory()
    ArticleFactory(tags=[merged])
    merge(survivor, [merged])

    response = client.get(f"/tags/{merged.slug}/")

    assert response.status_code == 301
    assert response["Location"] == survivor.get_absolute_url()
    page = client.get(f"/tags/{merged.slug}/", follow=True)
    assert page.status_code == 200
    assert survivor.name in page.content.decode()
    assert client.get("/tags/never-existed/").status_code == 404
    assert client.get(f"/people/{merged.slug}/").status_code == 404  # a tag alias, not a person


def test_merging_a_row_with_itself_changes_nothing(changed_ids):
    tag = TagFactory()
    ArticleFactory(tags=[tag])

    merge(tag, [tag])

    assert tag.articles.count() == 1
    assert not TagAlias.objects.exists()
    assert changed_ids == []


def test_a_reingested_file_naming_a_merged_tag_or_person_lands_on_the_survivor(
    write_seed, seed_dir
):
    path = write_seed(
        "001.txt", url="https://example.com/a", keywords="Trump  Donald J,Russian Federation"
    )
    write_seed("002.txt", url="https://example.com/b", keywords="Trump  Donald,Russia")
    ingest(seed_dir)
    merge(Tag.objects.get(name="Russia"), [Tag.objects.get(name="Russian Federation")])
    merge(
        Person.objects.get(source_name__startswith="Trump, Donald J"),
        [Person.objects.get(source_name="Trump, Donald")],
    )

    write_seed(
        "001.txt",
        url="https://example.com/a",
        keywords="Trump  Donald J,Russian Federation",
        body="A changed body.",
    )
    write_seed("003.txt", url="https://example.com/c", keywords="Trump  Donald,Russian Federation")
    out, err = ingest(seed_dir)

    assert "1 created, 1 updated, 1 unchanged" in out
    assert "kept the editor's" not in err  # a merge is not an edit of the article
    assert list(Tag.objects.values_list("name", flat=True)) == ["Russia"]
    assert Person.objects.count() == 1
    for article in Article.objects.all():
        assert tag_names(article) == ["Russia"]
        assert [p.name for p in article.people.all()] == ["Donald J. Trump"]
    assert Article.objects.get(url="https://example.com/a").body == "A changed body."
    assert path.exists()


def test_after_a_merge_a_file_that_adds_a_tag_still_updates_the_tags(write_seed, seed_dir):
    write_seed("001.txt", url="https://example.com/a", keywords="Russia,Russian Federation")
    ingest(seed_dir)
    merge(Tag.objects.get(name="Russia"), [Tag.objects.get(name="Russian Federation")])

    write_seed("001.txt", url="https://example.com/a", keywords="Russia,Russian Federation,Oil")
    _, err = ingest(seed_dir)

    assert "kept the editor's" not in err
    assert tag_names(Article.objects.get()) == ["Oil", "Russia"]


def test_new_people_and_tags_do_not_take_a_merged_away_slug(write_seed, seed_dir, client):
    write_seed("001.txt", url="https://example.com/a", keywords="Oil,Petroleum")
    ingest(seed_dir)
    oil, petroleum = Tag.objects.get(name="Oil"), Tag.objects.get(name="Petroleum")
    merge(oil, [petroleum])
    TagAlias.objects.filter(slug="petroleum").update(key="something-else")  # a renamed source

    write_seed("002.txt", url="https://example.com/b", keywords="Petroleum")
    ingest(seed_dir)

    new = Tag.objects.get(name="Petroleum")
    assert new.slug == "petroleum-2"
    assert client.get("/tags/petroleum/")["Location"] == oil.get_absolute_url()
