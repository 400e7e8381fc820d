"""The ingest command: what lands in the database, idempotency, updates and rejections."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from articles.models import Article, Person, Tag
from tests.conftest import REAL_SEED

pytestmark = pytest.mark.django_db


def ingest(*paths, **options):
    """Run the real command; return (stdout, stderr)."""
    out, err = StringIO(), StringIO()
    call_command("ingest", *map(str, paths), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_the_real_seed_becomes_an_article_with_people_and_tags():
    out, _ = ingest(REAL_SEED)

    assert "1 created, 0 updated, 0 unchanged, 0 skipped" in out
    article = Article.objects.get()
    assert article.url == "https://www.nytimes.com/2017/07/07/world/europe/trump-putin-g20.html"
    assert article.title == (
        "Trump Questions Putin on Election Meddling at Eagerly Awaited Encounter"
    )
    assert article.publication == "The New York Times"
    assert article.pub_date == datetime.date(2017, 7, 7)
    assert article.source_number == 3652
    assert article.body.split("\n\n")[0].endswith("White House.")
    assert article.word_count > 1700
    assert sorted(p.name for p in article.people.all()) == ["Donald J. Trump", "Vladimir V. Putin"]
    assert sorted(t.name for t in article.tags.all()) == [
        "Group of Twenty",
        "Russia",
        "Russian Interference in 2016 US Elections and Ties to Trump Associates",
        "United States International Relations",
    ]
    assert article.get_absolute_url() == (
        "/articles/2017/07/07/"
        "trump-questions-putin-on-election-meddling-at-eagerly-awaited-encounter/"
    )


def test_ingesting_the_same_files_again_changes_nothing(write_seed, seed_dir):
    write_seed("001_a.txt", url="https://example.com/a")
    write_seed("002_b.txt", url="https://example.com/b", keywords="Putin  Vladimir V")
    ingest(seed_dir)
    before = list(Article.objects.values_list("id", "updated", "title").order_by("id"))

    out, _ = ingest(seed_dir)

    assert "0 created, 0 updated, 2 unchanged, 0 skipped" in out
    assert list(Article.objects.values_list("id", "updated", "title").order_by("id")) == before
    assert Person.objects.count() == 2
    assert Tag.objects.count() == 1


def test_an_unchanged_file_is_skipped_without_parsing_or_writing(write_seed, seed_dir):
    write_seed("001_a.txt")
    ingest(seed_dir)

    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        ingest(seed_dir)

    writes = [q["sql"] for q in queries if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []
    article_queries = [q["sql"] for q in queries if "articles_article" in q["sql"]]
    assert len(article_queries) == 1  # the fingerprint look-up


def test_a_changed_file_updates_its_article_and_its_people_and_tags_follow(write_seed, seed_dir):
    path = write_seed("001_a.txt", keywords="Trump  Donald J,Russia,Syria", title="Old - Reuters")
    ingest(seed_dir)
    article_id = Article.objects.get().id

    write_seed(
        "001_a.txt", keywords="Putin  Vladimir V,Russia", title="New title", body="Changed text."
    )
    out, _ = ingest(path)

    assert "0 created, 1 updated" in out
    article = Article.objects.get()
    assert article.id == article_id
    assert (article.title, article.publication, article.body) == ("New title", "", "Changed text.")
    assert [p.name for p in article.people.all()] == ["Vladimir V. Putin"]
    assert [t.name for t in article.tags.all()] == ["Russia"]
    # The people and tags that lost the article stay: other articles or editors may use them.
    assert Person.objects.filter(name="Donald J. Trump").exists()


def test_the_same_person_and_tag_across_articles_is_one_row(write_seed, seed_dir):
    write_seed("001.txt", url="https://example.com/1", keywords="Trump  Donald J,Group of Twenty")
    write_seed(
        "002.txt", url="https://example.com/2", keywords=" trump  donald j , GROUP OF TWENTY ,"
    )
    ingest(seed_dir)

    assert Person.objects.count() == 1
    assert Tag.objects.get().name == "Group of Twenty"  # the first spelling wins
    assert Tag.objects.get().articles.count() == 2


def test_of_two_files_with_the_same_url_the_later_one_wins(write_seed, seed_dir):
    write_seed("001_old.txt", url="https://example.com/same", title="Old copy")
    write_seed("002_new.txt", url="https://example.com/same", title="Newer copy")

    _, err = ingest(seed_dir)

    assert Article.objects.get().title == "Newer copy"
    assert "001_old.txt:1: superseded by" in err


def test_a_rejected_file_leaves_no_trace_and_the_others_go_in(write_seed, seed_dir):
    good = write_seed("001_good.txt", url="https://example.com/good", keywords="Good  Person A")
    bad = write_seed("002_bad.txt", raw=b"not an article at all\njust text\n")

    with pytest.raises(CommandError) as failure:
        ingest(seed_dir)

    assert failure.value.returncode == 1
    assert Article.objects.get().url == "https://example.com/good"
    assert Person.objects.count() == 1
    assert str(good) not in str(failure.value)
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("ingest", str(bad), stdout=out, stderr=err)
    assert f"{bad}:1:" in err.getvalue()


REFUSE_TITLE_SQL = {
    "sqlite": [
        "CREATE TRIGGER refuse BEFORE INSERT ON articles_article "
        "WHEN NEW.title = 'Refuse me' BEGIN SELECT RAISE(ABORT, 'refused'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
        "IF NEW.title = 'Refuse me' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; "
        "END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER refuse BEFORE INSERT ON articles_article "
        "FOR EACH ROW EXECUTE FUNCTION refuse()",
    ],
}


def test_a_file_the_database_refuses_is_rejected_alone(write_seed, seed_dir):
    """A batch the database refuses is replayed file by file; only the culprit is rejected."""
    with connection.cursor() as cursor:
        for statement in REFUSE_TITLE_SQL[connection.vendor]:
            cursor.execute(statement)
    write_seed("001.txt", url="https://example.com/1", keywords="Alpha  Ann,One")
    write_seed("002.txt", url="https://example.com/2", keywords="Beta  Bob,Two", title="Refuse me")
    write_seed("003.txt", url="https://example.com/3", keywords="Gamma  Gil,Three")

    with pytest.raises(CommandError, match="1 file"):
        ingest(seed_dir)

    assert sorted(Article.objects.values_list("url", flat=True)) == [
        "https://example.com/1",
        "https://example.com/3",
    ]
    assert sorted(Person.objects.values_list("name", flat=True)) == ["Ann Alpha", "Gil Gamma"]
    assert not Tag.objects.filter(name="Two").exists()


def test_dry_run_validates_and_counts_but_writes_nothing(write_seed, seed_dir):
    write_seed("001.txt")
    write_seed("002.txt", raw=b"")

    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("ingest", str(seed_dir), "--dry-run", stdout=out, stderr=err)

    assert "dry run, nothing written: 2 files: 1 created, 0 updated, 0 unchanged, 1 skipped" in (
        out.getvalue()
    )
    assert "002.txt:1:" in err.getvalue()
    assert not Article.objects.exists()
    assert not Person.objects.exists()


def test_missing_date_and_number_become_null_with_a_warning(write_seed, seed_dir):
    path = write_seed("001.txt", url="urn:example:1", date="", number="")

    _, err = ingest(seed_dir)

    article = Article.objects.get()
    assert article.pub_date is None
    assert article.source_number is None
    assert f"{path}:4:" in err
    assert f"{path}:5:" in err
    assert article.get_absolute_url().startswith("/articles/undated/")


def test_permalinks_are_unique_when_titles_and_days_are_shared(write_seed, seed_dir):
    for n in range(3):
        write_seed(f"00{n}.txt", url=f"https://example.com/{n}", title="Same Title")
    write_seed("010.txt", url="urn:x:1", title="Same Title", date="")
    write_seed("011.txt", url="urn:x:2", title="Same Title", date="")
    ingest(seed_dir)

    urls = [a.get_absolute_url() for a in Article.objects.all()]
    assert len(set(urls)) == 5
    assert "/articles/2017/07/07/same-title-2/" in urls


def test_a_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="nowhere: no such file or folder"):
        ingest(tmp_path / "nowhere")


def test_progress_is_plain_lines_when_not_on_a_terminal(write_seed, seed_dir):
    write_seed("001.txt")
    out, _ = ingest(seed_dir)
    assert "ingest: 1/1 files" in out


def test_an_editors_change_survives_a_reingest_unless_overridden(write_seed, seed_dir):
    path = write_seed("001.txt", title="Source title")
    ingest(seed_dir)
    Article.objects.update(title="Corrected by an editor")

    write_seed("001.txt", title="Source title", body="The body changed.")
    _, err = ingest(path)

    article = Article.objects.get()
    assert article.title == "Corrected by an editor"
    assert article.body == "The body changed."
    assert "kept the editor's title" in err

    write_seed("001.txt", title="Source title", body="The body changed again.")
    ingest(path, override_edits=True)
    assert Article.objects.get().title == "Source title"
