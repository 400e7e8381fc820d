"""Precision and recall of grouping versions of one story, on planted duplicates.

    .venv/bin/python benchmarks/eval_versions.py [--planted 300]

The real Reuters sample (``../shared/corpus``, read in place) is ingested, plus, for
``--planted`` of its articles that are alone in it, a second version of each: the same
text with one word changed, the same text under a changed title, or the text with a
correction line added at the end (a third each). Over the planted articles: recall is the
share of planted pairs grouped together, precision the share of pairs grouped with a planted
article that are planted pairs. The groups among the corpus's own articles (wire stories
filed twice) are counted too, with a few examples to look at.
"""

import argparse
import random
import sqlite3
import tempfile
from itertools import combinations
from pathlib import Path

from bench_pages import manage

REPO = Path(__file__).resolve().parent.parent
REUTERS = REPO.parent / "shared" / "corpus" / "reuters21578"


def variant(lines, kind, rng, n):
    """A second version of a seed file's ``lines``: another URL, and one change."""
    lines = list(lines)
    lines[0] = f"urn:planted:{n}"
    body = lines[5:]
    if kind == "a word changed":
        words = " ".join(body).split()
        i = rng.randrange(len(words))
        words[i] = words[i] + "s"
        body = [" ".join(words)]
    elif kind == "title changed":
        lines[1] = "UPDATE: " + lines[1].replace(" - Reuters", "")[::-1].title()
    else:
        body = [*body, "(Corrects figure in third paragraph)"]
    return [*lines[:5], *body]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--planted", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(11)
    work = Path(tempfile.mkdtemp(prefix="eval-versions-"))
    env = {"ARCHIVE_DATA_DIR": str(work / "data"), "DJANGO_DEBUG": "0", "PATH": "/usr/bin:/bin"}
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "ingest", "-v", "0", str(REUTERS))
    database = sqlite3.connect(work / "data" / "archive.sqlite3")
    alone = [
        url
        for url, words in database.execute(
            "SELECT url, word_count FROM articles_article WHERE story_id IS NULL"
        )
        if words >= 40
    ]
    chosen = set(rng.sample(alone, args.planted))
    planted_dir = work / "planted"
    planted_dir.mkdir()
    kinds = ["a word changed", "title changed", "correction line"]
    pairs, kind_of = set(), {}
    n = 0
    for path in sorted(REUTERS.glob("*.txt")):
        lines = path.read_text(errors="replace").split("\n")
        if lines[0].strip() in chosen:
            kind = kinds[n % 3]
            (planted_dir / f"p{n:04}.txt").write_text("\n".join(variant(lines, kind, rng, n)))
            pair = (lines[0].strip(), f"urn:planted:{n}")
            pairs.add(pair)
            kind_of[pair] = kind
            n += 1
    manage(env, "ingest", "-v", "0", str(planted_dir))
    story = dict(database.execute("SELECT url, story_id FROM articles_article"))
    members = {}
    for url, story_id in story.items():
        if story_id is not None:
            members.setdefault(story_id, []).append(url)
    grouped = {tuple(sorted(pair)) for urls in members.values() for pair in combinations(urls, 2)}
    planted_urls = {url for pair in pairs for url in pair}
    truth = {tuple(sorted(pair)) for pair in pairs}
    with_planted = {pair for pair in grouped if set(pair) & planted_urls}
    found = truth & grouped
    print(f"\n{len(pairs)} planted duplicates among {len(story):,} articles\n")
    print("| kind | planted | grouped |")
    print("| --- | --- | --- |")
    for kind in kinds:
        of_kind = [p for p in pairs if kind_of[p] == kind]
        print(f"| {kind} | {len(of_kind)} | {sum(tuple(sorted(p)) in grouped for p in of_kind)} |")
    print(f"\nrecall {len(found) / len(truth):.3f}, precision {len(found) / len(with_planted):.3f}")
    corpus_groups = [urls for urls in members.values() if not set(urls) & planted_urls]
    print(f"groups among the corpus's own articles: {len(corpus_groups)}")
    titles = dict(database.execute("SELECT url, title FROM articles_article"))
    for urls in corpus_groups[:5]:
        print("  " + " | ".join(titles[url] for url in urls))


if __name__ == "__main__":
    main()
