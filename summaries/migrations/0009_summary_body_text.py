"""Summaries keep the text of their rendered HTML (body_text: no markdown, no tags), and are searched in it: the
search snippets had shown the source (**bold**, \\cite{…}, URLs). The search vector is made again from the new
column (a generated column cannot change its expression in place), after the text is filled, so that it is
computed once."""

from html.parser import HTMLParser

import django.contrib.postgres.search
from django.db import migrations, models

import shortscience.search

# shortscience.markup.html_text as it is when this migration is written (a migration keeps the code it runs).
_TEXT_BREAKS = frozenset(
    "p div br hr li ul ol dl dt dd h1 h2 h3 h4 h5 h6 pre blockquote table thead tbody tr td th".split()
)


class _TextCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_starttag(self, tag, attrs):
        self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in _TEXT_BREAKS:
            self.parts.append(" ")

    def handle_data(self, data):
        self.parts.append(data)


def _html_text(html):
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return " ".join("".join(collector.parts).split())


def body_text_fill(apps, schema_editor):
    Summary = apps.get_model("summaries", "Summary")
    db = schema_editor.connection.alias
    rows = Summary.objects.using(db).order_by("pk").values_list("pk", "body_html")
    last, batch = 0, 2000
    while True:
        chunk = list(rows.filter(pk__gt=last)[:batch])
        if not chunk:
            return
        Summary.objects.using(db).bulk_update(
            [Summary(pk=pk, body_text=_html_text(html)) for pk, html in chunk], ["body_text"], batch_size=500
        )
        last = chunk[-1][0]


def index_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE INDEX summary_search_vector_idx ON summaries_summary USING gin (search_vector)")


class Migration(migrations.Migration):
    dependencies = [
        ("summaries", "0008_search_vector"),
    ]

    operations = [
        migrations.RemoveField(model_name="summary", name="search_vector"),  # its index goes with it
        migrations.AddField(
            model_name="summary",
            name="body_text",
            field=models.TextField(
                default="",
                editable=False,
                help_text="The rendered text without its markup (searched, and cut into snippets)",
            ),
        ),
        migrations.RunPython(body_text_fill, migrations.RunPython.noop),
        migrations.AddField(
            model_name="summary",
            name="search_vector",
            field=models.GeneratedField(
                db_persist=True,
                expression=shortscience.search.SearchDocument(("body_text", "A")),
                output_field=django.contrib.postgres.search.SearchVectorField(null=True),
            ),
        ),
        migrations.RunPython(index_create, migrations.RunPython.noop),
    ]
