"""Model factories for tests that need articles without going through seed files."""

import datetime

import factory

from articles.models import Article, Person, Tag


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person{n} Example")
    source_name = factory.LazyAttribute(lambda p: ", ".join(reversed(p.name.rsplit(" ", 1))))
    key = factory.LazyAttribute(lambda p: p.source_name.lower())
    sort_name = factory.LazyAttribute(lambda p: p.source_name)
    slug = factory.Sequence(lambda n: f"person-{n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"Tag {n}")
    key = factory.LazyAttribute(lambda t: t.name.lower())
    slug = factory.Sequence(lambda n: f"tag-{n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    url = factory.Sequence(lambda n: f"https://example.com/articles/{n}.html")
    title = factory.Sequence(lambda n: f"Article number {n}")
    publication = "The New York Times"
    slug = factory.Sequence(lambda n: f"article-number-{n}")
    pub_date = datetime.date(2017, 7, 7)
    body = "First paragraph of the story.\n\nSecond paragraph of the story."
    word_count = 10
    source_fingerprint = factory.Sequence(lambda n: f"{n:064x}")

    @factory.post_generation
    def people(self, create, extracted, **kwargs):
        if create and extracted:
            self.people.set(extracted)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)
