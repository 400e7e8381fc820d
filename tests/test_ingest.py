"""The ingest command: what lands in the database, idempotency, updates and rejections."""

import datetime
import errno
import socket
import sqlite3
import subprocess
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection

from articles.models import Article, Person, Tag
from tests.conftest import REAL_SEED, seed_text
from tests.processes import archive_env, manage

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


# --------------------------------------------------------------------------- hostile and odd files


def ingest_rejecting(*paths, **options):
    """Run the command where some file is rejected; return (stdout, stderr)."""
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("ingest", *map(str, paths), stdout=out, stderr=err, **options)
    assert failure.value.returncode == 1
    return out.getvalue(), err.getvalue()


def test_a_5000_digit_source_number_rejects_that_file_only(write_seed, seed_dir):
    bad = write_seed("001_bad.txt", url="https://example.com/bad", number="7" * 5000)
    write_seed("002_good.txt", url="https://example.com/good")

    out, err = ingest_rejecting(seed_dir)

    assert "1 created, 0 updated, 0 unchanged, 1 skipped" in out
    assert f"rejected: {bad}:5: source number longer than 20 digits (5,000)" in err
    assert list(Article.objects.values_list("url", flat=True)) == ["https://example.com/good"]


def test_an_unexpected_error_rejects_that_file_only(write_seed, seed_dir, monkeypatch, caplog):
    """The safety net: a bug met while reading one file (here a parser that raises) rejects
    that file with PATH:LINE, logs the traceback at debug level, and the run goes on."""
    import articles.ingest

    bad = write_seed("001_bad.txt", url="https://example.com/bad")
    write_seed("002_good.txt", url="https://example.com/good")
    real_parse = articles.ingest.parse_article

    def parse_with_a_bug(data, path, *args):
        if path == str(bad):
            raise RuntimeError("a bug " + "x" * 500)
        return real_parse(data, path, *args)

    monkeypatch.setattr(articles.ingest, "parse_article", parse_with_a_bug)
    caplog.set_level("DEBUG", logger="articles.ingest")

    _, err = ingest_rejecting(seed_dir)

    assert f"rejected: {bad}:1: unexpected error (RuntimeError: a bug xxx" in err
    assert "x" * 100 not in err  # the exception's text is cut short
    assert "DJANGO_LOG_LEVEL=DEBUG logs the traceback" in err
    assert list(Article.objects.values_list("url", flat=True)) == ["https://example.com/good"]
    [record] = [r for r in caplog.records if r.exc_info]
    assert record.levelname == "DEBUG" and str(bad) in record.getMessage()


def test_control_characters_are_removed_at_the_door(write_seed, seed_dir):
    path = write_seed(
        "001.txt",
        title="A\x01 Story\x7f - Reuters",
        keywords="Tr\x1bump  Donald J,Rus\x9bsia",
        body="Some\x02thing\x1ehappened.",
    )

    _, err = ingest(seed_dir)

    article = Article.objects.get()
    assert (article.title, article.body) == ("A Story", "Something happened.")
    assert [p.name for p in article.people.all()] == ["Donald J. Trump"]
    assert [t.name for t in article.tags.all()] == ["Russia"]
    assert f"warning: {path}:2: removed 6 control characters (lines 2, 3 and 6)" in err


@pytest.mark.parametrize("date", ["December 31, 9999", "January 1, 0001"])
def test_implausible_dates_are_not_recorded(write_seed, seed_dir, date):
    undated = write_seed("001.txt", url="urn:x:1", date=date)
    write_seed("002.txt", url="https://example.com/2017/07/07/x.html", date=date)

    _, err = ingest(seed_dir)

    assert Article.objects.get(url="urn:x:1").pub_date is None
    fallback = Article.objects.get(url="https://example.com/2017/07/07/x.html")
    assert fallback.pub_date == datetime.date(2017, 7, 7)
    assert f"{undated}:4: date {date!r} out of range (years 1600 to 2100)" in err


def test_files_over_a_limit_are_rejected_and_the_others_go_in(write_seed, seed_dir, settings):
    settings.INGEST_LIMITS = {"max_body_chars": 40, "max_keywords": 2}
    long_body = write_seed("001.txt", url="urn:x:1", body="x" * 41)
    many_keywords = write_seed("002.txt", url="urn:x:2", keywords="a,b,c")
    long_title = write_seed("003.txt", url="urn:x:3", title="T" * 501)
    write_seed("004.txt", url="urn:x:4", body="x" * 40, keywords="a,b")

    out, err = ingest_rejecting(seed_dir)

    assert "1 created, 0 updated, 0 unchanged, 3 skipped" in out
    assert f"{long_body}:6: body longer than 40 characters (41)" in err
    assert f"{many_keywords}:3: more than 2 keywords (3)" in err
    assert f"{long_title}:2: title longer than 500 characters (501)" in err
    assert list(Article.objects.values_list("url", flat=True)) == ["urn:x:4"]
    assert Tag.objects.count() == 2


def test_a_file_over_the_byte_limit_is_rejected_before_it_is_read(write_seed, seed_dir):
    huge = seed_dir / "001_huge.txt"
    with huge.open("wb") as file:
        file.truncate(100_000_000)  # sparse: 100 MB of NUL bytes that take no disk space
    write_seed("002.txt")

    _, err = ingest_rejecting(seed_dir)

    assert f"rejected: {huge}:1: file larger than 8,000,000 bytes (100,000,000)" in err
    assert Article.objects.count() == 1


def test_entries_that_are_not_regular_files_are_rejected(write_seed, seed_dir):
    import os

    folder = seed_dir / "001_folder.txt"
    folder.mkdir()
    inside = write_seed("001_folder.txt/inside.txt", url="urn:x:inside")
    broken = seed_dir / "002_broken.txt"
    broken.symlink_to(seed_dir / "nowhere.txt")
    fifo = seed_dir / "003_fifo.txt"
    os.mkfifo(fifo)  # opening it for reading would block: it must never be opened
    socket_file = seed_dir / "004_socket.txt"
    with socket.socket(socket.AF_UNIX) as unix_socket:
        unix_socket.bind(str(socket_file))
    write_seed("005_good.txt", url="urn:x:good")

    out, err = ingest_rejecting(seed_dir)

    assert f"rejected: {folder}:1: a folder, not a file" in err
    assert f"rejected: {broken}:1: a broken symbolic link" in err
    assert f"rejected: {fifo}:1: not a regular file (a FIFO)" in err
    assert f"rejected: {socket_file}:1: not a regular file (a socket)" in err
    assert "2 created, 0 updated, 0 unchanged, 4 skipped" in out
    assert sorted(Article.objects.values_list("url", flat=True)) == ["urn:x:good", "urn:x:inside"]
    assert str(inside) not in err
    # A FIFO named on the command line is rejected the same way.
    _, err = ingest_rejecting(fifo)
    assert f"rejected: {fifo}:1: not a regular file (a FIFO)" in err


def test_the_later_file_for_a_url_keeps_winning_on_every_run(write_seed, seed_dir):
    old = write_seed("001_old.txt", url="https://example.com/same", title="Old copy")
    new = write_seed("002_new.txt", url="https://example.com/same", title="Newer copy")
    ingest(seed_dir)

    for _ in range(2):
        out, err = ingest(seed_dir)
        assert "0 created, 0 updated, 1 unchanged, 0 skipped, 1 superseded" in out
        assert f"warning: {old}:1: superseded by {new} (same URL)" in err
        assert Article.objects.get().title == "Newer copy"


def test_the_later_file_wins_even_when_it_is_rejected(write_seed, seed_dir):
    """A broken newer copy does not bring the older one back: the article stays as it was."""
    write_seed("001_old.txt", url="https://example.com/same", title="Old copy")
    write_seed("002_new.txt", url="https://example.com/same", title="Newer copy")
    ingest(seed_dir)
    write_seed("002_new.txt", url="https://example.com/same", title="")

    out, err = ingest_rejecting(seed_dir)

    assert "0 created, 0 updated, 0 unchanged, 1 skipped, 1 superseded" in out
    assert "002_new.txt:2: empty title" in err
    assert Article.objects.get().title == "Newer copy"


def test_the_model_keeps_to_the_date_range_the_ingest_accepts():
    article = Article(url="urn:x:1", title="T", slug="t", body="B", source_fingerprint="0")
    for year in (1599, 2101):
        article.pub_date = datetime.date(year, 1, 1)
        with pytest.raises(ValidationError) as invalid:
            article.full_clean()
        assert list(invalid.value.error_dict) == ["pub_date"]
    article.pub_date = datetime.date(2100, 12, 31)
    article.full_clean()


# --------------------------------------------------------------------------- real processes


@pytest.mark.slow
def test_the_limits_are_read_from_the_environment(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "001.txt").write_text(seed_text(url="urn:x:1", body="x" * 51))
    (seeds / "002.txt").write_text(seed_text(url="urn:x:2", body="x" * 50))
    env = archive_env(tmp_path / "data", ARCHIVE_MAX_BODY_CHARS="50")
    manage(env, "migrate", "--noinput")

    result = manage(env, "ingest", str(seeds), check=False)

    assert result.returncode == 1
    assert f"{seeds / '001.txt'}:6: body longer than 50 characters (51)" in result.stderr
    assert "1 created" in result.stdout


@pytest.fixture
def tiny_disk(tmp_path):
    """A 3 MiB tmpfs of its own (mounting needs root); unmounted afterwards."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount_point)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=True)


def fill(disk, leave):
    """Fill ``disk`` up, leaving about ``leave`` bytes free; returns the filler file."""
    filler = disk / "filler"
    with filler.open("wb") as file:
        try:
            while True:
                file.write(b"\0" * 65536)
                file.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    with filler.open("r+b") as file:
        file.truncate(max(0, filler.stat().st_size - leave))
    return filler


def stored_rows(database):
    tables = ["article", "person", "tag", "article_people", "article_tags", "pendingindexupdate"]
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return {t: db.execute(f"SELECT COUNT(*) FROM articles_{t}").fetchone()[0] for t in tables}


@pytest.mark.slow
@pytest.mark.parametrize("free", [0, 256 * 1024], ids=["already-full", "fills-up-during-the-run"])
def test_a_full_disk_is_one_clear_line_and_nothing_half_written(tiny_disk, tmp_path, free):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for n in range(40):
        body = f"Paragraph {n} of a long story about the markets. " * 600  # ~30 KB
        (seeds / f"{n:03}.txt").write_text(
            seed_text(url=f"urn:x:{n}", keywords=f"Person{n}  Ann,Tag {n}", body=body)
        )
    data = tiny_disk / "data"
    env = archive_env(data)
    manage(env, "migrate", "--noinput")
    filler = fill(tiny_disk, free)

    result = manage(env, "ingest", str(seeds), check=False)

    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    [line] = [line for line in result.stderr.splitlines() if "is full" in line]
    assert line.startswith(f"CommandError: the disk holding {data} is full: "), line
    assert line.endswith("; nothing of this run was written"), line
    filler.unlink()
    assert set(stored_rows(data / "archive.sqlite3").values()) == {0}

    manage(env, "ingest", str(seeds))  # with room again, the run goes through whole
    assert stored_rows(data / "archive.sqlite3")["article"] == 40
