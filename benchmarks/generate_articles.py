"""Write N generated articles in the seed format (for the index benchmarks).

    .venv/bin/python benchmarks/generate_articles.py FOLDER [COUNT]   # default 20000

Each article has ~800 words in 6-14 paragraphs joined without a separator (as the real
seeds are), 0-4 people and 1-5 tags drawn with a Zipf skew from pools of 3,000 people
and 800 tags, and a date in 2015-2017 (2% undated). Words follow a Zipf law over the
vocabulary of the Reuters sample when ``../shared/corpus`` exists (else a syllable
vocabulary), so that common and rare words behave as in real text. Deterministic: the same
COUNT gives the same files.
"""

import itertools
import random
import re
import sys
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "reuters21578"
MONTHS = [date(2000, month, 1).strftime("%B") for month in range(1, 13)]


def vocabulary(rng):
    """Words by falling frequency: the Reuters sample's, or made-up ones."""
    counts = {}
    if CORPUS.is_dir():
        for path in sorted(CORPUS.glob("*.txt"))[:2000]:
            body = path.read_text(errors="replace").split("\n", 5)[-1].lower()
            for word in re.findall(r"[a-z]{2,}", body):
                counts[word] = counts.get(word, 0) + 1
    if len(counts) < 2000:
        syllables = [a + b for a in "klmnrstvdgpz" for b in "aeiou"]
        for _ in range(20_000):
            counts["".join(rng.choices(syllables, k=rng.randint(1, 4)))] = 1
    return sorted(counts, key=lambda w: (-counts[w], w))


def zipf(items, s=1.0):
    """``cum_weights`` for ``random.choices``: the k-th item weighs 1/k**s."""
    return list(itertools.accumulate(1 / (k**s) for k in range(1, len(items) + 1)))


def generate(folder, count, seed=2017):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    words = vocabulary(rng)
    word_weights = zipf(words)
    names = words[200:1400]
    people = [
        f"{rng.choice(names).title()}  {rng.choice(names).title()} {chr(65 + n % 26)}"
        for n in range(3000)
    ]
    tags = [" ".join(w.title() for w in rng.sample(names, rng.randint(1, 3))) for _ in range(800)]
    people_weights, tag_weights = zipf(people, 0.8), zipf(tags, 0.8)
    start = date(2015, 1, 1)
    for n in range(count):
        paragraphs = []
        for _ in range(rng.randint(6, 14)):
            sentence_words = rng.choices(words, cum_weights=word_weights, k=rng.randint(60, 95))
            paragraphs.append(sentence_words[0].capitalize() + " " + " ".join(sentence_words[1:]))
        body = ".".join(paragraphs) + "."
        title = " ".join(rng.choices(words[50:], k=rng.randint(5, 10))).capitalize()
        keywords = {*rng.choices(people, cum_weights=people_weights, k=rng.randint(0, 4))}
        keywords |= {*rng.choices(tags, cum_weights=tag_weights, k=rng.randint(1, 5))}
        day = start + timedelta(days=rng.randrange(3 * 365))
        dated = f"{MONTHS[day.month - 1]} {day.day}, {day.year}" if rng.random() > 0.02 else ""
        (folder / f"{n:06d}_{rng.getrandbits(64):016x}.txt").write_text(
            f"https://example.com/{day:%Y/%m/%d}/story-{n}.html\n"
            f"{title} - The Generated Times\n{','.join(sorted(keywords))}\n{dated}\n{n}\n{body}\n"
        )


if __name__ == "__main__":
    generate(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20_000)
