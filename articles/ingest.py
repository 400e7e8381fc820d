"""Write parsed seed files into the database, in batches, each file all-or-nothing.

A run is one transaction. First, every file is read once (``survey``): its fingerprint
and the identifier on its line 1 (``parsing.read_identifier``), so that of two files with
the same URL the later one (in path order) wins over the whole run, whether it changed or
not; the others are reported as superseded. Then, batch by batch:

1. a winner whose fingerprint is already stored is unchanged and is not even parsed;
2. the rest are read again and parsed (``articles.parsing``, within ``parse_limits()``);
   a rejected file is reported as ``PATH:LINE: message`` and leaves no trace, and so is
   one that meets an unexpected error (its traceback is logged at debug level);
3. in a savepoint: create the missing people and tags, create new articles and update
   changed ones with bulk queries, then re-point their people and tags.  If the database
   refuses the batch, it is replayed file by file so that only the offending file is
   rejected.

Only regular files are read: a folder, a broken link, a FIFO (never opened for reading,
which could block) are rejected, and a file over the byte limit is rejected from its
size, unread.  A full disk ends the run with ``DiskFull``, everything rolled back.

Fields an editor changed in the admin (title, publication, date, people, tags) differ
from what the source last said (``Article.ingested``); a re-ingest keeps them and reports
it, unless ``override_edits`` is set.
"""

import errno
import hashlib
import logging
import os
import shutil
import sqlite3
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from articles import versions
from articles.checkpoints import checkpoint
from articles.index.queue import cancel_stream, pop_index_error
from articles.models import (
    SLUG_MAX_LENGTH,
    Article,
    Person,
    PersonAlias,
    Tag,
    TagAlias,
    unique_slug,
)
from articles.parsing import (
    ParsedArticle,
    ParseError,
    ParseLimits,
    check_file_size,
    normalize_key,
    parse_article,
    read_identifier,
)
from articles.signals import articles_changed

log = logging.getLogger(__name__)

BATCH_SIZE = 500
EDITABLE_FIELDS = ("title", "publication", "pub_date", "people", "tags")
UPDATED_FIELDS = (
    "title",
    "publication",
    "pub_date",
    "slug",
    "body",
    "source_number",
    "word_count",
    "text_signature",
    "source_fingerprint",
    "ingested",
    "updated",
)
#: What a file that is not a regular file is, by the type bits of its mode.
FILE_KINDS = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}
#: Below this many free bytes, an I/O error of the database is taken for a full disk.
NEARLY_FULL_BYTES = 1 << 20


def parse_limits() -> ParseLimits:
    """The limits for this archive: the settings' (``INGEST_LIMITS``, from ``ARCHIVE_MAX_*``)
    and the lengths of the database's columns."""
    name_columns = [
        model._meta.get_field(name).max_length
        for model, names in (
            (Person, ("name", "source_name", "key", "sort_name")),
            (Tag, ("name", "key")),
        )
        for name in names
    ]
    return ParseLimits(
        **settings.INGEST_LIMITS,
        max_url_chars=Article._meta.get_field("url").max_length,
        max_title_chars=Article._meta.get_field("title").max_length,
        max_name_chars=min(name_columns),
    )


class DiskFull(Exception):
    """A disk filled up during an ingest; the message says which and what became of the run."""

    def __init__(self, where: str, detail: str, committed: bool):
        outcome = (
            "the database holds this run, but the search index could not take it: its "
            "changes stay queued for `manage.py drain_index_queue` once there is room"
            if committed
            else "nothing of this run was written"
        )
        super().__init__(f"{where} is full: {detail}; {outcome}")


def full_disk(exc: BaseException | None) -> tuple[str, str] | None:
    """(which disk, what the system said) if ``exc``, or an exception it was raised from or
    while handling, is about a full disk: ("the disk holding /srv/archive/var",
    "No space left on device"); None otherwise."""
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            folder = Path(exc.filename).parent if exc.filename else settings.DATA_DIR
            return f"the disk holding {folder}", exc.strerror
        if isinstance(exc, sqlite3.Error):
            code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF  # primary result code
            folder = Path(connection.settings_dict["NAME"]).parent
            nearly_full = shutil.disk_usage(folder).free < NEARLY_FULL_BYTES
            if code == sqlite3.SQLITE_FULL or (code == sqlite3.SQLITE_IOERR and nearly_full):
                return f"the disk holding {folder}", str(exc)
        if getattr(exc, "sqlstate", None) == "53100":  # PostgreSQL's disk_full
            return "the database server's disk", str(exc).strip()
        exc = exc.__cause__ or exc.__context__
    return None


def read_source(path: Path, limits: ParseLimits) -> bytes:
    """The bytes of the regular file ``path``; ``ParseError`` (line 1) for anything else, an
    unreadable file, or one over the byte limit (judged by its size, before reading)."""
    try:
        # Non-blocking: opening a FIFO for reading would otherwise wait for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise ParseError(str(path), 1, _unopenable(path, exc)) from None
    try:
        status = os.fstat(fd)
        if stat.S_ISDIR(status.st_mode):
            raise ParseError(str(path), 1, "a folder, not a file")
        if not stat.S_ISREG(status.st_mode):
            raise ParseError(str(path), 1, _not_regular(status.st_mode))
        check_file_size(status.st_size, str(path), limits)
        with open(fd, "rb", closefd=False) as file:
            return file.read(limits.max_file_bytes + 1)  # parse_article rejects one that grew
    finally:
        os.close(fd)


def _not_regular(mode: int) -> str:
    return f"not a regular file ({FILE_KINDS.get(stat.S_IFMT(mode), 'an unknown kind')})"


def _unopenable(path: Path, exc: OSError) -> str:
    """Why ``path`` could not be opened, in words."""
    if exc.errno == errno.ENOENT and path.is_symlink():
        return "a broken symbolic link"
    if exc.errno == errno.ENXIO:  # what a socket answers
        return _not_regular(path.stat().st_mode)
    return f"cannot read the file ({exc.strerror})"


@dataclass
class IngestReport:
    """What an ingest did; messages are ``PATH:LINE: text``."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    kept_edits: list[str] = field(default_factory=list)
    superseded: list[str] = field(default_factory=list)
    changed_ids: list[int] = field(default_factory=list)
    index_error: Exception | None = None  # the search index could not follow (stays queued)

    @property
    def files(self):
        return (
            self.created + self.updated + self.unchanged + len(self.rejected) + len(self.superseded)
        )

    def summary(self):
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.rejected)} skipped, {len(self.superseded)} superseded"
        )


@dataclass
class SourceFile:
    path: Path
    fingerprint: str = ""
    #: The identifier on line 1, when it has one.
    url: str | None = None
    #: ``PATH:LINE: message`` when the file could not be read.
    rejection: str | None = None
    #: The later file with the same identifier, which wins.
    superseded_by: Path | None = None
    data: bytes = b""
    parsed: ParsedArticle | None = None


def find_files(paths: Iterable[str | Path]) -> list[Path]:
    """The ``*.txt`` entries under ``paths`` (files or folders), each folder in sorted order,
    each path once.

    Entries that are not regular files (a folder named ``x.txt``, a broken link, a FIFO)
    are listed too, for the ingest to report. Raises ``FileNotFoundError`` naming a path
    that does not exist.
    """
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(path.rglob("*.txt")))
        elif os.path.lexists(path):
            found.append(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return list(dict.fromkeys(found))


def fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def ingest_files(
    files: list[Path],
    *,
    dry_run: bool = False,
    override_edits: bool = False,
    batch_size: int = BATCH_SIZE,
    on_progress: Callable[[int], None] | None = None,
) -> IngestReport:
    """Ingest ``files`` in order; with ``dry_run`` validate and count, write nothing.

    Raises ``DiskFull`` when a disk fills up (the run is rolled back, unless only the
    search index, updated after the commit, could not take it).
    """
    committed = False
    pop_index_error()  # not ours: left by earlier work of this thread

    def mark_committed():
        nonlocal committed
        committed = True

    try:
        with transaction.atomic():
            transaction.on_commit(mark_committed)  # first: before the search index's hook
            ingester = Ingester(override_edits=override_edits)
            sources = ingester.survey(files)
            for start in range(0, len(files), batch_size):
                batch = sources[start : start + batch_size]
                done = len(ingester.report.changed_ids)
                ingester.ingest_batch(batch)
                if not dry_run:
                    versions.assign(ingester.report.changed_ids[done:])
                    # Sent inside the transaction, batch by batch (also with no ids): the
                    # search index queues the changes in it, so a crash cannot lose them,
                    # indexes them while the ingest goes on, and catches up on any change an
                    # interrupted run left pending (articles.index.queue).
                    articles_changed.send(
                        sender=Article, article_ids=ingester.report.changed_ids[done:]
                    )
                    checkpoint("ingest:in-transaction")  # a batch written, nothing committed
                if on_progress:
                    on_progress(len(batch))
            if dry_run:
                transaction.set_rollback(True)
    except Exception as exc:
        cancel_stream()  # the index's share of a run that rolled back
        disk = full_disk(exc)
        if disk is None:
            raise
        raise DiskFull(*disk, committed) from exc
    ingester.report.index_error = pop_index_error()
    return ingester.report


class Ingester:
    """Keeps the look-up caches (people, tags, slugs) for one ingest run."""

    def __init__(self, *, override_edits=False):
        self.override_edits = override_edits
        self.limits = parse_limits()
        self.report = IngestReport()
        self.person_ids: dict[str, int] = {}
        self.tag_ids: dict[str, int] = {}
        self.person_slugs: set[str] | None = None
        self.tag_slugs: set[str] | None = None
        self.article_slugs: dict = {}
        # Keys of merged-away people and tags -> their survivor's key (articles.merging).
        self.aliases = {
            "people": dict(PersonAlias.objects.values_list("key", "person__key")),
            "tags": dict(TagAlias.objects.values_list("key", "tag__key")),
        }

    # -- reading ------------------------------------------------------------

    def survey(self, paths: list[Path]) -> list[SourceFile]:
        """Read every file once: its fingerprint and identifier, or why it cannot be read.

        Of the files with one identifier, all but the last are marked superseded (line 1's
        identifier is the file's identity, even if the rest of the file is rejected later).
        """
        sources = [SourceFile(path) for path in paths]
        latest: dict[str, SourceFile] = {}
        for source in sources:
            try:
                data = read_source(source.path, self.limits)
                source.fingerprint = fingerprint(data)
                source.url = read_identifier(data, self.limits)
            except Exception as exc:
                source.rejection = self.rejection(source.path, exc)
                continue
            if source.url is not None:
                latest[source.url] = source
        for source in sources:
            winner = latest.get(source.url) if source.url is not None else source
            if winner is not source:
                source.superseded_by = winner.path
        return sources

    @staticmethod
    def rejection(path: Path, exc: Exception) -> str:
        """The ``PATH:LINE: message`` for a file that failed with ``exc``."""
        if isinstance(exc, ParseError):
            return str(exc)
        # The safety net: a bug must cost one file, not the run.
        log.debug("Unexpected error on %s", path, exc_info=True)
        text = str(exc)
        text = text if len(text) <= 100 else text[:97] + "..."
        return (
            f"{path}:1: unexpected error ({type(exc).__name__}: {text}); a bug: please "
            "report it with the file (DJANGO_LOG_LEVEL=DEBUG logs the traceback)"
        )

    def read(self, sources: list[SourceFile]) -> list[SourceFile]:
        """The files of a batch to parse, read again (a batch at a time is held in memory);
        unreadable, superseded and unchanged ones are reported or counted, and dropped."""
        current = []
        for source in sources:
            if source.rejection is not None:
                self.report.rejected.append(source.rejection)
            elif source.superseded_by is not None:
                self.report.superseded.append(
                    f"{source.path}:1: superseded by {source.superseded_by} (same URL)"
                )
            else:
                current.append(source)
        known = set(
            Article.objects.filter(
                source_fingerprint__in={s.fingerprint for s in current}
            ).values_list("source_fingerprint", flat=True)
        )
        fresh = []
        for source in current:
            if source.fingerprint in known:
                self.report.unchanged += 1
                continue
            try:
                source.data = read_source(source.path, self.limits)
            except Exception as exc:
                self.report.rejected.append(self.rejection(source.path, exc))
                continue
            source.fingerprint = fingerprint(source.data)  # of the bytes parsed
            fresh.append(source)
        return fresh

    def parse(self, sources: list[SourceFile]) -> list[SourceFile]:
        """Parse the files; the rejected ones are reported and dropped."""
        parsed = []
        for source in sources:
            data, source.data = source.data, b""
            try:
                source.parsed = parse_article(data, str(source.path), self.limits)
            except Exception as exc:
                self.report.rejected.append(self.rejection(source.path, exc))
                continue
            self.report.warnings.extend(
                f"{source.path}:{w.line}: {w.message}" for w in source.parsed.warnings
            )
            parsed.append(source)
        return parsed

    # -- writing ------------------------------------------------------------

    def ingest_batch(self, sources: list[SourceFile]):
        sources = self.parse(self.read(sources))
        if not sources:
            return
        try:
            with transaction.atomic():
                self.write(sources)
        except DatabaseError as exc:
            if full_disk(exc):
                raise
            # Replay one file at a time so that only the file the database
            # refuses is rejected; the caches may hold rows that rolled back.
            self.reset_caches()
            for source in sources:
                try:
                    with transaction.atomic():
                        self.write([source])
                except DatabaseError as exc:
                    self.reset_caches()
                    self.report.rejected.append(f"{source.path}:1: database refused it: {exc}")

    def reset_caches(self):
        self.person_ids.clear()
        self.tag_ids.clear()
        self.person_slugs = self.tag_slugs = None
        self.article_slugs.clear()

    def write(self, sources: list[SourceFile]):
        people = self.ensure_people(p for s in sources for p in s.parsed.people)
        tags = self.ensure_tags(t for s in sources for t in s.parsed.tags)
        self.load_article_slugs({s.parsed.pub_date for s in sources})
        existing = {
            a.url: a
            for a in Article.objects.filter(url__in=[s.parsed.url for s in sources])
            .prefetch_related("people", "tags")
            .only("id", "url", "title", "publication", "pub_date", "slug", "ingested")
        }
        new, changed, links = [], [], {}
        for source in sources:
            parsed = source.parsed
            wanted_people = [people[self.person_key(p.key)] for p in parsed.people]
            wanted_tags = [tags[self.tag_key(t)] for t in parsed.tags]
            article = existing.get(parsed.url)
            if article is None:
                article = Article(url=parsed.url)
                self.apply(article, source, {})
                new.append(article)
            else:
                kept = self.apply(article, source, self.current_values(article))
                if "people" in kept:
                    wanted_people = [p.pk for p in article.people.all()]
                if "tags" in kept:
                    wanted_tags = [t.pk for t in article.tags.all()]
                changed.append(article)
            links[parsed.url] = (wanted_people, wanted_tags)

        Article.objects.bulk_create(new)  # sets the ids on SQLite and PostgreSQL
        for article in changed:
            # One plain UPDATE each: faster than bulk_update's CASE expressions,
            # which grow with the batch (measured: 3.6 s vs 1.1 s for 2,000 articles).
            Article.objects.filter(pk=article.pk).update(
                **{name: getattr(article, name) for name in UPDATED_FIELDS}
            )
        self.link(new + changed, links)
        self.report.created += len(new)
        self.report.updated += len(changed)
        self.report.changed_ids.extend(a.pk for a in new + changed)

    @staticmethod
    def current_values(article):
        return {
            "title": article.title,
            "publication": article.publication,
            "pub_date": article.pub_date.isoformat() if article.pub_date else None,
            "people": sorted(p.key for p in article.people.all()),
            "tags": sorted(t.key for t in article.tags.all()),
        }

    def apply(self, article, source, current):
        """Copy the parsed file onto ``article``; return the editable fields kept as edited."""
        parsed = source.parsed
        from_file = {
            "title": parsed.title,
            "publication": parsed.publication,
            "pub_date": parsed.pub_date.isoformat() if parsed.pub_date else None,
            "people": sorted({self.person_key(p.key) for p in parsed.people}),
            "tags": sorted({self.tag_key(t) for t in parsed.tags}),
        }
        ingested = self.resolve_aliases(article.ingested)
        kept = [
            name
            for name in EDITABLE_FIELDS
            if current
            and current[name] != ingested.get(name, current[name])
            and current[name] != from_file[name]
            and not self.override_edits
        ]
        if kept:
            self.report.kept_edits.append(
                f"{source.path}:1: kept the editor's {', '.join(kept)} for {parsed.url}"
            )
        if "title" not in kept:
            article.title = parsed.title
        if "publication" not in kept:
            article.publication = parsed.publication
        old_date = article.pub_date
        if "pub_date" not in kept:
            article.pub_date = parsed.pub_date
        if not article.slug or article.pub_date != old_date:
            article.slug = self.article_slug(article.title, article.pub_date)
        article.body = parsed.body
        article.source_number = parsed.source_number
        article.word_count = parsed.word_count
        article.text_signature = versions.signature(parsed.body) or b""
        article.source_fingerprint = source.fingerprint
        article.ingested = from_file
        article.updated = timezone.now()
        return kept

    def link(self, articles, links):
        """Point each article at exactly its wanted people and tags."""
        for relation, position in (("people", 0), ("tags", 1)):
            through = getattr(Article, relation).through
            target = "person_id" if relation == "people" else "tag_id"
            ids = [a.pk for a in articles]
            current = {}
            for article_id, other_id in through.objects.filter(article_id__in=ids).values_list(
                "article_id", target
            ):
                current.setdefault(article_id, set()).add(other_id)
            stale, rows = [], []
            for article in articles:
                wanted = set(links[article.url][position])
                have = current.get(article.pk, set())
                if wanted == have:
                    continue
                if have:
                    stale.append(article.pk)
                rows.extend(through(article_id=article.pk, **{target: o}) for o in wanted)
            if stale:
                through.objects.filter(article_id__in=stale).delete()
            through.objects.bulk_create(rows)

    # -- people, tags and slugs --------------------------------------------------

    def person_key(self, key):
        return self.aliases["people"].get(key, key)

    def tag_key(self, name):
        key = normalize_key(name)
        return self.aliases["tags"].get(key, key)

    def resolve_aliases(self, values):
        """``values`` (as in ``Article.ingested``) with merged-away keys replaced by survivors."""
        resolved = dict(values)
        for name, aliases in self.aliases.items():
            if name in resolved:
                resolved[name] = sorted({aliases.get(key, key) for key in resolved[name]})
        return resolved

    def ensure_people(self, names) -> dict[str, int]:
        """Ids of people by key (merged-away keys: the survivor's), creating the missing ones."""
        wanted = {self.person_key(p.key): p for p in names}
        missing = [key for key in wanted if key not in self.person_ids]
        if missing:
            self.person_ids.update(Person.objects.filter(key__in=missing).values_list("key", "id"))
            new = [wanted[key] for key in missing if key not in self.person_ids]
            if new:
                if self.person_slugs is None:
                    self.person_slugs = set(Person.objects.values_list("slug", flat=True))
                    self.person_slugs.update(PersonAlias.objects.values_list("slug", flat=True))
                rows = []
                for p in new:
                    slug = unique_slug(p.name, self.person_slugs, "person", SLUG_MAX_LENGTH)
                    self.person_slugs.add(slug)
                    rows.append(
                        Person(
                            name=p.name,
                            source_name=p.source,
                            key=p.key,
                            sort_name=p.sort_name,
                            slug=slug,
                        )
                    )
                Person.objects.bulk_create(rows)  # sets the ids, as for articles in write()
                self.person_ids.update((p.key, p.pk) for p in rows)
        return {key: self.person_ids[key] for key in wanted}

    def ensure_tags(self, names) -> dict[str, int]:
        """Ids of tags by key (merged-away keys: the survivor's), creating the missing ones."""
        wanted = {}
        for name in names:
            wanted.setdefault(self.tag_key(name), name)
        missing = [key for key in wanted if key not in self.tag_ids]
        if missing:
            self.tag_ids.update(Tag.objects.filter(key__in=missing).values_list("key", "id"))
            new = [key for key in missing if key not in self.tag_ids]
            if new:
                if self.tag_slugs is None:
                    self.tag_slugs = set(Tag.objects.values_list("slug", flat=True))
                    self.tag_slugs.update(TagAlias.objects.values_list("slug", flat=True))
                rows = []
                for key in new:
                    slug = unique_slug(wanted[key], self.tag_slugs, "tag", SLUG_MAX_LENGTH)
                    self.tag_slugs.add(slug)
                    rows.append(Tag(name=wanted[key], key=key, slug=slug))
                Tag.objects.bulk_create(rows)
                self.tag_ids.update((t.key, t.pk) for t in rows)
        return {key: self.tag_ids[key] for key in wanted}

    def load_article_slugs(self, dates):
        """Cache the slugs taken on each of ``dates`` (``None``: undated), in one query."""
        missing = {d for d in dates if d not in self.article_slugs}
        if not missing:
            return
        for d in missing:
            self.article_slugs[d] = set()
        days = Q(pub_date__in=[d for d in missing if d])
        if None in missing:
            days |= Q(pub_date__isnull=True)
        for pub_date, slug in Article.objects.filter(days).values_list("pub_date", "slug"):
            self.article_slugs[pub_date].add(slug)

    def article_slug(self, title, pub_date):
        """A slug unique among the articles of ``pub_date`` (or among undated ones)."""
        self.load_article_slugs({pub_date})
        taken = self.article_slugs[pub_date]
        slug = unique_slug(title, taken, "article", SLUG_MAX_LENGTH)
        taken.add(slug)
        return slug
