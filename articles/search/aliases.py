"""Names of merged-away tags and people still find their articles: ``tag:ussr`` after USSR was
merged into Soviet Union finds Soviet Union's articles (and says so).

A merge keeps the old name as an alias of the survivor (``TagAlias``, ``PersonAlias``). For a
``tag:`` or ``person:`` clause whose words are all in an alias's name (a phrase: in that
order; a prefix: the start of one of its words), the clause also matches the survivor's
articles (by slug). One small query, only for queries with such clauses.
"""

from haystack.query import SQ

from articles.models import PersonAlias, TagAlias
from articles.text import fold

MAX_ALIASES = 5000
KINDS = {"tag": (TagAlias, "tag", "tags"), "person": (PersonAlias, "person", "people")}


def _matches(clause, words):
    wanted = fold(clause.value).split()
    if not wanted:
        return False
    if clause.prefix:
        return any(word.startswith(wanted[-1]) for word in words) and set(wanted[:-1]) <= set(words)
    if clause.phrase:
        n = len(wanted)
        return any(words[i : i + n] == wanted for i in range(len(words) - n + 1))
    return set(wanted) <= set(words)


def resolve_aliases(query):
    """Set ``query.also`` for its ``tag:``/``person:`` clauses that name a merged-away tag or
    person; returns a message for each such name."""
    messages = []
    for prefix, (model, relation, index_field) in KINDS.items():
        clauses = [clause for clause in query.clauses if clause.field == prefix]
        if not clauses:
            continue
        rows = model.objects.values_list("name", f"{relation}__slug", f"{relation}__name")
        aliases = [(name, fold(name).split(), slug, survivor) for name, slug, survivor in rows]
        for clause in clauses:
            for name, words, slug, survivor in aliases[:MAX_ALIASES]:
                if _matches(clause, words):
                    query.also.setdefault(clause, []).append(SQ(**{f"{index_field}__in": [slug]}))
                    messages.append(
                        f"“{name}” was merged into “{survivor}”: {prefix}:{clause.value} "
                        f"{'leaves out' if clause.negated else 'finds'} the articles of "
                        f"“{survivor}” too."
                    )
    return messages
