"""The archive's own signal, and the one way its receivers are wired.

``articles_changed`` is sent when articles change in bulk (bypassing ``post_save``): the
search index (``articles.index.receivers``) and the figures cache (``articles.archive_cache``)
listen to it, so that bulk writers (the ingest command, merges in the admin) need not know
about either. Best sent inside the transaction that makes the change: the index then queues
the articles in that transaction, so that no crash after the commit can lose them.

Receivers are listed as ``(signal, receiver, sender)`` next to their code and connected
with ``connect_receivers`` (from ``ArticlesConfig.ready`` or haystack's signal processor).
"""

from django.dispatch import Signal

#: Sent with ``article_ids``: articles created or changed (fields, people or tags).
articles_changed = Signal()


def _uid(prefix, receiver, sender):
    return f"{prefix}:{receiver.__name__}:{sender and sender._meta.label}"


def connect_receivers(receivers, prefix):
    """Connect each ``(signal, receiver, sender)``, once however often this is called."""
    for signal, receiver, sender in receivers:
        signal.connect(receiver, sender=sender, dispatch_uid=_uid(prefix, receiver, sender))


def disconnect_receivers(receivers, prefix):
    for signal, receiver, sender in receivers:
        signal.disconnect(receiver, sender=sender, dispatch_uid=_uid(prefix, receiver, sender))
