"""Citations of an article in APA (7th), Chicago (17th, bibliography), MLA (9th) and BibTeX.

The title is the stored one, as the source gave it (``display_title`` is only for reading).
No author is known, so each style's rules for an unsigned newspaper article apply. The
address is the source URL when it is a web page; a source known only by an identifier
(``urn:...``) is cited at its permanent address in the archive, with the identifier.
"""

import re
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString

ARCHIVE_NAME = "The Archive"
MLA_MONTHS = [
    "Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.",
]  # fmt: skip
BIBTEX_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_BIBTEX_SPECIAL = re.compile(r"([\\{}%&$#_^~])")


@dataclass(frozen=True)
class Citation:
    style: str  # "APA", "Chicago", "MLA"
    html: SafeString  # the publication in italics
    text: str  # the same as plain text, to copy


@dataclass(frozen=True)
class Source:
    """Where the cited article is: its web address and, for a ``urn:``, that identifier."""

    url: str
    identifier: str


def source(article, permalink: str) -> Source:
    """``permalink``: the article's absolute address in the archive."""
    if article.url.startswith(("http://", "https://")):
        return Source(article.url, "")
    return Source(permalink, article.url)


def _cite(style, *parts):
    """A ``Citation`` from ``parts``: strings, or ``("i", text)`` for italics."""
    html, text = [], []
    for part in parts:
        if isinstance(part, tuple):
            html.append(format_html("<i>{}</i>", part[1]))
            text.append(part[1])
        elif part:
            html.append(escape(part))
            text.append(part)
    return Citation(style, SafeString("".join(html)), "".join(text))


def _end(text):
    """``text`` ending with one full stop (titles may end with ? or !)."""
    return text if text.endswith((".", "?", "!")) else f"{text}."


def apa(article, permalink):
    where = source(article, permalink)
    day = article.pub_date
    date = f"({day.year}, {day:%B} {day.day})." if day else "(n.d.)."
    container = article.publication or ARCHIVE_NAME
    identifier = f" [{where.identifier}]" if where.identifier else ""
    return _cite(
        "APA", f"{_end(article.title)} {date} ", ("i", container), f".{identifier} {where.url}"
    )


def chicago(article, permalink):
    where = source(article, permalink)
    day = article.pub_date
    date = f"{day:%B} {day.day}, {day.year}" if day else "n.d."
    identifier = f" {where.identifier}." if where.identifier else ""
    title = f"“{_end(article.title)}”"
    if article.publication:
        return _cite(
            "Chicago", ("i", article.publication), f". {title} {date}.{identifier} {where.url}."
        )
    return _cite("Chicago", f"{title} ", ("i", ARCHIVE_NAME), f", {date}.{identifier} {where.url}.")


def mla(article, permalink):
    where = source(article, permalink)
    day = article.pub_date
    date = f", {day.day} {MLA_MONTHS[day.month - 1]} {day.year}" if day else ""
    identifier = f", {where.identifier}" if where.identifier else ""
    return _cite(
        "MLA",
        f"“{_end(article.title)}” ",
        ("i", article.publication or ARCHIVE_NAME),
        f"{date}{identifier}, {where.url}.",
    )


def citations(article, permalink) -> list[Citation]:
    return [apa(article, permalink), chicago(article, permalink), mla(article, permalink)]


def bibtex_escape(text: str) -> str:
    """``text`` safe inside a BibTeX field: its special characters escaped."""
    replaced = _BIBTEX_SPECIAL.sub(
        lambda m: {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}.get(
            m.group(1), "\\" + m.group(1)
        ),
        text,
    )
    return " ".join(replaced.split())


def bibtex_key(article) -> str:
    slug = re.sub(r"[^A-Za-z0-9-]+", "", article.slug)[:40].strip("-") or "article"
    return f"{slug}-{article.pub_date.year}" if article.pub_date else f"{slug}-nd"


def bibtex(article, permalink) -> str:
    """A BibTeX entry (``@article`` with a publication, else ``@misc``), biblatex's ``date``
    and ``urldate``-free: the address and, for a ``urn:``, the identifier as ``note``."""
    where = source(article, permalink)
    kind = "article" if article.publication else "misc"
    fields = [("title", "{" + bibtex_escape(article.title) + "}")]
    if article.publication:
        fields.append(("journal", bibtex_escape(article.publication)))
    else:
        fields.append(("howpublished", ARCHIVE_NAME))
    day = article.pub_date
    if day:
        fields += [("year", str(day.year)), ("month", None), ("date", day.isoformat())]
    fields.append(("url", where.url.replace("}", "%7D").replace("{", "%7B")))
    if where.identifier:
        fields.append(("note", bibtex_escape(where.identifier)))
    lines = []
    for name, value in fields:
        if name == "month":
            lines.append(f"  month = {BIBTEX_MONTHS[day.month - 1]},")
        else:
            lines.append(f"  {name} = {{{value}}},")
    return "@{}{{{},\n{}\n}}\n".format(kind, bibtex_key(article), "\n".join(lines))
