"""Descriptions for tags and people; a stored, folded sort key for their A-Z order.

The sort keys of existing rows are computed here (``articles.text.sort_key``); new and changed
rows get theirs on every save (``SortKeyField.pre_save``, ``bulk_create`` included).
"""

from django.db import migrations, models

import articles.models

BATCH = 1000


def fill_sort_keys(apps, schema_editor):
    from articles.text import sort_key

    for model_name, source in (("Tag", "name"), ("Person", "sort_name")):
        model = apps.get_model("articles", model_name)
        rows = []
        for row in model.objects.only("pk", source).iterator(chunk_size=BATCH):
            row.sort_key = sort_key(getattr(row, source))[:200]
            rows.append(row)
            if len(rows) == BATCH:
                model.objects.bulk_update(rows, ["sort_key"])
                rows = []
        model.objects.bulk_update(rows, ["sort_key"])


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0003_story_versions"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="description",
            field=models.TextField(blank=True, help_text="Who this is, in a sentence or two, for readers (plain text; a blank line starts a new paragraph). Shown on the person's page, in the directory and in search."),
        ),
        migrations.AddField(
            model_name="tag",
            name="description",
            field=models.TextField(blank=True, help_text="What the tag means, in a sentence or two, for readers (plain text; a blank line starts a new paragraph), e.g. “acq: company acquisitions and mergers”. Shown on the tag's page, in the directory and in search."),
        ),
        migrations.AddField(
            model_name="person",
            name="sort_key",
            field=articles.models.SortKeyField(db_index=True, default="", editable=False, help_text="The sort name folded: the A-Z order.", max_length=200, source="sort_name"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="tag",
            name="sort_key",
            field=articles.models.SortKeyField(db_index=True, default="", editable=False, help_text="The name folded: the A-Z order.", max_length=200, source="name"),
            preserve_default=False,
        ),
        migrations.RunPython(fill_sort_keys, migrations.RunPython.noop, elidable=True),
        migrations.AlterModelOptions(
            name="person",
            options={"ordering": ["sort_key", "pk"], "verbose_name_plural": "people"},
        ),
        migrations.AlterModelOptions(
            name="tag",
            options={"ordering": ["sort_key", "pk"]},
        ),
    ]
