"""Full-text search of papers (papers/search.py): the authors' names denormalised onto the paper (authors_text),
the stored search vector generated from title (A), authors (B), keywords (C) and abstract (D), its GIN index, and
pg_trgm with trigram indexes on titles and author names for "did you mean". The indexes are Postgres-only, so they
are made here rather than declared on the models (SQLite has no GIN: `make run` searches with icontains)."""

import django.contrib.postgres.search
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

import shortscience.search

INDEXES = (
    ("paper_search_vector_idx", "papers_paper", "USING gin (search_vector)"),
    ("paper_title_trgm_idx", "papers_paper", "USING gin (title gin_trgm_ops)"),
    ("author_name_trgm_idx", "papers_author", "USING gin (name gin_trgm_ops)"),
)


def authors_text_fill(apps, schema_editor):
    """Each stored paper's authors_text from its author rows, before the vector is generated from it."""
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE papers_paper p SET authors_text = a.names FROM ("
            "SELECT x.paper_id, string_agg(n.name, E'\\n' ORDER BY x.position) AS names "
            "FROM papers_paperauthor x JOIN papers_author n ON n.id = x.author_id GROUP BY x.paper_id) a "
            "WHERE a.paper_id = p.id"
        )
        return
    Paper, PaperAuthor = apps.get_model("papers", "Paper"), apps.get_model("papers", "PaperAuthor")
    names = {}
    for paper_id, name in PaperAuthor.objects.order_by("paper_id", "position").values_list("paper_id", "author__name"):
        names.setdefault(paper_id, []).append(name)
    for paper_id, paper_names in names.items():
        Paper.objects.filter(pk=paper_id).update(authors_text="\n".join(paper_names))


def indexes_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, table, method in INDEXES:
            schema_editor.execute(f"CREATE INDEX {name} ON {table} {method}")


def indexes_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, _, _ in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0008_venue_counts"),
    ]

    operations = [
        TrigramExtension(),
        migrations.AddField(
            model_name="paper",
            name="authors_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(authors_text_fill, migrations.RunPython.noop, elidable=True),
        migrations.AddField(
            model_name="paper",
            name="search_vector",
            field=models.GeneratedField(
                db_persist=True,
                expression=shortscience.search.SearchDocument(
                    ("title", "A"), ("authors_text", "B"), ("keywords", "C"), ("abstract", "D"), json=("keywords",)
                ),
                output_field=django.contrib.postgres.search.SearchVectorField(null=True),
            ),
        ),
        migrations.RunPython(indexes_create, indexes_drop),
    ]
