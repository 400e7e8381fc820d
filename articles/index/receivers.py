"""What queues an article for the index: every change that alters its document.

A save or delete through the ORM, a change of its people or tags (from either side), a
rename or deletion of a person or tag, and the bulk changes announced by
``articles.signals.articles_changed`` (ingest, merges). Connected by haystack's signal
processor slot (``HAYSTACK_SIGNAL_PROCESSOR = "articles.index.receivers.QueuedSignalProcessor"``).
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from haystack.signals import BaseSignalProcessor

from articles.index.queue import enqueue
from articles.models import Article, Person, Tag
from articles.signals import articles_changed, connect_receivers, disconnect_receivers


def article_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        enqueue([instance.pk])


def article_deleted(sender, instance, **kwargs):
    enqueue([instance.pk])


def relations_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """An article's people or tags changed (from either side of the relation)."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:
        enqueue([instance.pk])
    elif action == "pre_clear":
        enqueue(instance.articles.values_list("pk", flat=True))
    else:
        enqueue(pk_set)


def name_about_to_change(sender, instance, raw=False, **kwargs):
    """Remember a person's or tag's indexed values, to compare after the save."""
    if instance.pk and not raw:
        instance._indexed_values = (
            sender.objects.filter(pk=instance.pk).values_list("name", "slug").first()
        )


def name_saved(sender, instance, created, raw=False, **kwargs):
    """A renamed (or re-slugged) person or tag changes all its articles' documents."""
    before = getattr(instance, "_indexed_values", None)
    if not created and not raw and before != (instance.name, instance.slug):
        enqueue(instance.articles.values_list("pk", flat=True))


def name_deleted(sender, instance, **kwargs):
    enqueue(instance.articles.values_list("pk", flat=True))


def bulk_changed(sender, article_ids=(), **kwargs):
    enqueue(article_ids, stream=True)


RECEIVERS = [
    (post_save, article_saved, Article),
    (post_delete, article_deleted, Article),
    (m2m_changed, relations_changed, Article.people.through),
    (m2m_changed, relations_changed, Article.tags.through),
    (articles_changed, bulk_changed, None),
    *((pre_save, name_about_to_change, model) for model in (Person, Tag)),
    *((post_save, name_saved, model) for model in (Person, Tag)),
    *((pre_delete, name_deleted, model) for model in (Person, Tag)),
]


class QueuedSignalProcessor(BaseSignalProcessor):
    """Haystack's signal processor slot: connects ``RECEIVERS`` (and disconnects them)."""

    def setup(self):
        connect_receivers(RECEIVERS, "search-index")

    def teardown(self):
        disconnect_receivers(RECEIVERS, "search-index")
