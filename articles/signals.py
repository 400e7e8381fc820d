"""Signals the archive sends when it changes articles in bulk (bypassing ``post_save``).

The search index listens to these, so that bulk writers (the ingest command,
merges in the admin) need not know how the index is kept. Best sent inside the
transaction that makes the change: the index then queues the articles in that
transaction, so that no crash after the commit can lose them (articles.indexing).
"""

from django.dispatch import Signal

#: Sent with ``article_ids``: articles created or changed (fields, people or tags).
articles_changed = Signal()
