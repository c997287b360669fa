"""Full-text search of summaries (summaries/search.py): the stored search vector generated from the body and its
GIN index (Postgres only, so made here rather than declared on the model)."""

import django.contrib.postgres.search
from django.db import migrations, models

import shortscience.search


def index_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE INDEX summary_search_vector_idx ON summaries_summary USING gin (search_vector)")


def index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS summary_search_vector_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("summaries", "0007_moderation"),
    ]

    operations = [
        migrations.AddField(
            model_name="summary",
            name="search_vector",
            field=models.GeneratedField(
                db_persist=True,
                expression=shortscience.search.SearchDocument(("body", "A")),
                output_field=django.contrib.postgres.search.SearchVectorField(null=True),
            ),
        ),
        migrations.RunPython(index_create, index_drop),
    ]
