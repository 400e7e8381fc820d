"""What the search index holds for each article (the schema contract; see the README).

Haystack discovers this module by its name; ``articles.index`` keeps the documents in step.

Stored fields are what a result card and the JSON API show, so that a results page needs no
database query per result; every stored field costs index size, and each says why it is there.
"""

from haystack import indexes
from haystack.fields import FacetMultiValueField

from articles.index.documents import PART_SEPARATOR, document_fingerprint, relations
from articles.models import Article


class ArticleIndex(indexes.SearchIndex, indexes.Indexable):
    # Title, people, tags and body; stemmed, case- and accent-insensitive. Not stored: the
    # body is stored once, below. (Built in prepare_text: a template costs 1 ms an article.)
    # The parts are joined by PART_SEPARATOR, so that no phrase matches across two of them.
    text = indexes.CharField(document=True)
    # Stored: the card's heading.
    title = indexes.CharField(model_attr="title", boost=3.0)
    # Stored, not indexed: the card's publication name ("" when the source gave none).
    publication = indexes.CharField(model_attr="publication", indexed=False, default="")
    # Display names, searchable (``person:``, ``tag:``) and boosted; stored for the cards,
    # in the same order as the slugs below.
    person_names = indexes.MultiValueField(boost=2.0)
    tag_names = indexes.MultiValueField(boost=1.5)
    # Slugs, exact: filters (``people__in=[slug]``) and facets. Stored: card links.
    people = FacetMultiValueField()
    tags = FacetMultiValueField()
    # Stored: the card's date; sortable (newest/oldest) and filterable by range.
    pub_date = indexes.DateField(model_attr="pub_date", null=True)
    # Facets by year and month ("YYYY-MM"), for the timeline; not stored.
    year = indexes.FacetIntegerField(stored=False)
    month = indexes.FacetCharField(stored=False)
    # Autocomplete over titles and names (edge n-grams); not stored.
    autocomplete = indexes.EdgeNgramField(stored=False)
    # Stored, not indexed: the card's link, the source URL (API), and the body the
    # highlighted snippet and "more like this" come from (Whoosh compresses stored fields).
    permalink = indexes.CharField(indexed=False)
    url = indexes.CharField(model_attr="url", indexed=False)
    body = indexes.CharField(model_attr="body", indexed=False)
    # Stored, not indexed: what check_index compares to find stale documents.
    fingerprint = indexes.CharField(indexed=False)

    def get_model(self):
        return Article

    def index_queryset(self, using=None):
        return self.get_model().objects.prefetch_related("people", "tags")

    def prepare_text(self, article):
        people, tags = relations(article)
        return PART_SEPARATOR.join(
            [article.title, *(p.name for p in people), *(t.name for t in tags), article.body]
        )

    def prepare_person_names(self, article):
        return [person.name for person in relations(article)[0]]

    def prepare_tag_names(self, article):
        return [tag.name for tag in relations(article)[1]]

    def prepare_people(self, article):
        return [person.slug for person in relations(article)[0]]

    def prepare_tags(self, article):
        return [tag.slug for tag in relations(article)[1]]

    def prepare_year(self, article):
        return article.pub_date.year if article.pub_date else None

    def prepare_month(self, article):
        return f"{article.pub_date:%Y-%m}" if article.pub_date else None

    def prepare_autocomplete(self, article):
        people, tags = relations(article)
        return "\n".join([article.title, *(p.name for p in people), *(t.name for t in tags)])

    def prepare_permalink(self, article):
        return article.get_absolute_url()

    def prepare_fingerprint(self, article):
        return document_fingerprint(article)
