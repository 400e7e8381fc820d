"""Known-item evaluation of search through the HTTP API: exact titles, rare words, phrases and
titles with one typo, on the real Reuters sample (never copied into the repository).

    .venv/bin/python benchmarks/eval_search.py [--items 300] [--extra 0]

1. Builds an archive in a fresh ``ARCHIVE_DATA_DIR`` from ``../shared/corpus/reuters21578``
   (plus ``--extra`` generated articles, to evaluate at a larger size) with the real
   ``migrate`` and ``ingest``, and serves it with gunicorn (2 workers).
2. Picks ``--items`` known items (articles whose title no other article shares) and asks
   ``/api/search/`` for each: its exact title; three of its rarest body words; a phrase of
   three words from its body; its title with one word of 5+ letters misspelt (two letters
   swapped, one dropped, one doubled or one replaced, at random).
3. Prints MRR@10 per kind (the rank of the item among the first 10 results, or 0), how many
   searches the archive corrected, and how many corrections changed a correctly spelled
   word; and the response times per kind (p50, p95, ms; single client).
"""

import argparse
import json
import random
import re
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from bench_pages import get, manage, serve, write_seeds

REPO = Path(__file__).resolve().parent.parent
REUTERS = REPO.parent / "shared" / "corpus" / "reuters21578"
WORD = re.compile(r"[A-Za-z]+")


def build(work, extra):
    seeds = work / "seeds"
    seeds.mkdir()
    for path in sorted(REUTERS.glob("*.txt")):
        (seeds / path.name).write_bytes(path.read_bytes())
    if extra:
        write_seeds(seeds / "generated", extra)
    env = {
        "ARCHIVE_DATA_DIR": str(work / "data"),
        "DJANGO_DEBUG": "0",
        "ARCHIVE_SEARCH_RATE": "0",  # one client asks a great deal
        "PATH": "/usr/bin:/bin",
    }
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    manage(env, "ingest", "-v", "0", str(seeds))
    return env


def reuters_articles():
    """(title, body) of each Reuters file: line 2 and the body (line 6 on)."""
    articles = []
    for path in sorted(REUTERS.glob("*.txt")):
        lines = path.read_text(errors="replace").split("\n")
        articles.append((lines[1].strip(), " ".join(lines[5:])))
    return articles


def misspell(word, rng):
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["swap", "drop", "double", "replace"])
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    letter = rng.choice([c for c in "etaoinshrdlu" if c != word[i].lower()])
    return word[:i] + (letter.upper() if word[i].isupper() else letter) + word[i + 1 :]


def items(articles, count, rng):
    """Known items: (kind, query, title, the misspelt word in the query, or None)."""
    titles = {}
    for title, _ in articles:
        titles[title] = titles.get(title, 0) + 1
    frequency = {}
    for _, body in articles:
        for word in {w.lower() for w in WORD.findall(body)}:
            frequency[word] = frequency.get(word, 0) + 1
    chosen = [a for a in articles if titles[a[0]] == 1 and len(WORD.findall(a[1])) > 30]
    rng.shuffle(chosen)
    found = []
    for title, body in chosen[:count]:
        found.append(("exact title", title, title, None))
        words = sorted(
            {w for w in WORD.findall(body) if len(w) > 3}, key=lambda w: frequency[w.lower()]
        )
        found.append(("three rare words", " ".join(words[:3]), title, None))
        body_words = WORD.findall(body)
        rarest = min(range(1, len(body_words) - 2), key=lambda i: frequency[body_words[i].lower()])
        phrase = " ".join(body_words[rarest - 1 : rarest + 2])  # around its rarest word
        found.append(("phrase", f'"{phrase}"', title, None))
        long_words = [w for w in WORD.findall(title) if len(w) >= 5]
        if long_words:
            word = rng.choice(long_words)
            typo = misspell(word, rng)
            found.append(("title, one typo", title.replace(word, typo, 1), title, typo))
    return found


def evaluate(base, queries):
    results = {}
    for kind, query, title, typo in queries:
        started = time.perf_counter()
        answer = json.loads(get(f"{base}/api/search/?{urlencode({'q': query})}"))
        took = (time.perf_counter() - started) * 1000
        titles = [r["title"] for r in answer["results"][:10]]
        rank = titles.index(title) + 1 if title in titles else 0
        corrected = answer.get("corrected_query")
        wrongly = 0
        if corrected:
            # Words changed other than the one misspelt: corrections of correct words.
            before, after = WORD.findall(query.lower()), WORD.findall(corrected.lower())
            misspelt = (typo or "").lower()
            wrongly = sum(1 for b, a in zip(before, after, strict=False) if b not in (a, misspelt))
            if wrongly:
                print(f"  {kind}: {query!r} -> {corrected!r}")
        entry = results.setdefault(kind, {"ranks": [], "ms": [], "corrected": 0, "wrong": 0})
        entry["ranks"].append(rank)
        entry["ms"].append(took)
        entry["corrected"] += bool(corrected)
        entry["wrong"] += wrongly
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--extra", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(7)
    work = Path(tempfile.mkdtemp(prefix="eval-search-"))
    env = build(work, args.extra)
    queries = items(reuters_articles(), args.items, rng)
    server, base = serve(env)
    try:
        get(f"{base}/api/search/?q=warmup")
        results = evaluate(base, queries)
    finally:
        server.terminate()
    print(f"\n{args.items} known items, {2000 + args.extra:,} articles\n")
    print(
        "| kind | searches | MRR@10 | found in top 10 | corrected | correct words changed "
        "| p50 ms | p95 ms |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for kind, entry in results.items():
        ranks, ms = entry["ranks"], sorted(entry["ms"])
        mrr = statistics.mean(1 / r if r else 0 for r in ranks)
        found = sum(1 for r in ranks if r)
        print(
            f"| {kind} | {len(ranks)} | {mrr:.3f} | {found} | {entry['corrected']} | "
            f"{entry['wrong']} | {statistics.median(ms):.0f} | {ms[int(len(ms) * 0.95)]:.0f} |"
        )


if __name__ == "__main__":
    main()
