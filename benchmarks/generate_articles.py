"""Write N generated articles in the seed format (for the index and scale benchmarks).

    .venv/bin/python benchmarks/generate_articles.py FOLDER [COUNT] [--realistic]

Each article has ~800 words in 6-14 paragraphs joined without a separator (as the real
seeds are) and a date (2% undated). By default (the index benchmarks): 0-4 people and 1-5
tags drawn with a Zipf skew from pools of 3,000 people and 800 tags, dates in 2015-2017,
words following a Zipf law over the vocabulary of the Reuters sample when
``../shared/corpus`` exists (else a syllable vocabulary), so that common and rare words
behave as in real text. ``--realistic`` (the scale benchmark; needs the sample): real
sentences of the Reuters sample, titles from their openings, 0-4 of ~6,000 people with
common first and last names and 1-5 of ~350 subject and place tags (Zipf-skewed), dates
spread over three decades (1987-2017). Deterministic: the same COUNT gives the same files.
"""

import argparse
import itertools
import random
import re
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "reuters21578"
MONTHS = [date(2000, month, 1).strftime("%B") for month in range(1, 13)]
FIRST_NAMES = [
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William",
    "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Christopher", "Nancy", "Daniel", "Lisa", "Matthew", "Betty", "Anthony",
    "Margaret", "Mark", "Sandra", "Donald", "Ashley", "Steven", "Kimberly", "Paul", "Emily",
    "Andrew", "Donna", "Joshua", "Michelle", "Kenneth", "Carol", "Kevin", "Amanda", "Brian",
    "Melissa", "George", "Deborah", "Angela", "Vladimir", "Xi", "Emmanuel", "Theresa", "José",
    "Zoë", "Søren", "Ana", "Mohammed", "Fatima", "Hiroshi", "Olga", "Ivan", "Priya", "Chen",
    "Lars", "Ingrid", "Pedro", "Yuki", "Amara", "Kofi", "Leila", "Dmitri", "Giulia", "Rahul", "Mei"
]  # fmt: skip
LAST_NAMES = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott",
    "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera",
    "Campbell", "Mitchell", "Carter", "Roberts", "Merkel", "Putin", "Macron", "Abe", "Müller",
    "Ødegaard", "Kowalski", "Novák", "Tanaka", "Okafor", "Schmidt", "Rossi", "Dubois", "Ivanov",
    "Kim", "Park", "Singh", "Chatterjee", "Haddad", "Mensah", "Silva", "Santos", "Jansen",
    "Larsen", "Nakamura", "Cohen", "Murphy", "O’Brien"
]  # fmt: skip
SUBJECTS = [
    "Politics", "Economy", "Trade", "Elections", "Climate", "Health", "Education", "Immigration",
    "Defense", "Energy", "Technology", "Banking", "Housing", "Labor", "Courts", "Police",
    "Terrorism", "Diplomacy", "Sports", "Arts", "Television", "Music", "Books", "Science", "Space",
    "Medicine", "Agriculture", "Oil", "Taxes", "Budget", "Currencies", "Stocks", "Mergers",
    "Shipping", "Mining", "Coffee", "Grain", "Metals", "Inflation", "Interest Rates"
]  # fmt: skip
PLACES = [
    "Russia", "China", "Germany", "France", "Britain", "Japan", "Mexico", "Canada", "Brazil",
    "India", "Syria", "Iran", "Iraq", "Israel", "Egypt", "Turkey", "Ukraine", "Poland", "Italy",
    "Spain", "Greece", "Nigeria", "Kenya", "Australia", "Korea", "Vietnam", "Cuba", "Venezuela",
    "Argentina", "Chile", "México", "Zürich", "Москва", "São Paulo"
]  # fmt: skip


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


def sentences():
    """The sentences of the Reuters sample (6-45 words, not in capitals), in file order."""
    if not CORPUS.is_dir():
        raise SystemExit(f"--realistic needs the Reuters sample in {CORPUS}")
    found = []
    for path in sorted(CORPUS.glob("*.txt")):
        body = " ".join(path.read_text(errors="replace").split("\n")[5:])
        for sentence in re.split(r"(?<=[.!?])\s+", body):
            words = sentence.split()
            if 6 <= len(words) <= 45 and sentence.endswith(".") and not sentence.isupper():
                found.append(" ".join(words))
    return found


def realistic(rng, count):
    """``count`` articles as (title, keywords, date, dated?, body) from real sentences."""
    pool = sentences()
    people = [
        f"{last}  {first}{' ' + chr(65 + rng.randrange(26)) if rng.random() < 0.3 else ''}"
        for last in LAST_NAMES
        for first in FIRST_NAMES
    ]
    rng.shuffle(people)
    tags = [
        *SUBJECTS,
        *PLACES,
        *(f"{s} in {p}" for s in SUBJECTS[:12] for p in PLACES[:20]),
    ]
    rng.shuffle(tags)
    people_weights, tag_weights = zipf(people, 0.8), zipf(tags, 0.8)
    start, days = date(1987, 1, 1), (date(2017, 12, 31) - date(1987, 1, 1)).days
    for _ in range(count):
        paragraphs = [
            " ".join(rng.choices(pool, k=rng.randint(3, 6))) for _ in range(rng.randint(6, 14))
        ]
        title = " ".join(rng.choice(pool).rstrip(".").split()[: rng.randint(5, 10)])
        keywords = {*rng.choices(people, cum_weights=people_weights, k=rng.randint(0, 4))}
        keywords |= {*rng.choices(tags, cum_weights=tag_weights, k=rng.randint(1, 5))}
        day = start + timedelta(days=rng.randint(0, days))
        yield title, sorted(keywords), day, rng.random() > 0.02, "".join(paragraphs)


def zipf_vocabulary(rng, count):
    """``count`` articles as (title, keywords, date, dated?, body) of Zipf-distributed words."""
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
    for _ in range(count):
        paragraphs = []
        for _ in range(rng.randint(6, 14)):
            sentence_words = rng.choices(words, cum_weights=word_weights, k=rng.randint(60, 95))
            paragraphs.append(sentence_words[0].capitalize() + " " + " ".join(sentence_words[1:]))
        body = ".".join(paragraphs) + "."
        title = " ".join(rng.choices(words[50:], k=rng.randint(5, 10))).capitalize()
        keywords = {*rng.choices(people, cum_weights=people_weights, k=rng.randint(0, 4))}
        keywords |= {*rng.choices(tags, cum_weights=tag_weights, k=rng.randint(1, 5))}
        day = start + timedelta(days=rng.randrange(3 * 365))
        yield title, sorted(keywords), day, rng.random() > 0.02, body


def generate(folder, count, seed=2017, realistic_text=False):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    articles = (realistic if realistic_text else zipf_vocabulary)(rng, count)
    for n, (title, keywords, day, dated, body) in enumerate(articles):
        line4 = f"{MONTHS[day.month - 1]} {day.day}, {day.year}" if dated else ""
        (folder / f"{n:06d}_{rng.getrandbits(64):016x}.txt").write_text(
            f"https://example.com/{day:%Y/%m/%d}/story-{n}.html\n"
            f"{title} - The Generated Times\n{','.join(keywords)}\n{line4}\n{n}\n{body}\n"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder")
    parser.add_argument("count", type=int, nargs="?", default=20_000)
    parser.add_argument("--realistic", action="store_true")
    args = parser.parse_args()
    generate(args.folder, args.count, realistic_text=args.realistic)
