"""The table of author names "did you mean" looks among (papers.models.AuthorName); 0013 fills it, its trigram
index and the trigger that keeps it (apart, so that Django's own index of the key exists when 0013 drops it)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0011_search_document"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuthorName",
            fields=[
                ("name", models.TextField(primary_key=True, serialize=False)),
            ],
        ),
    ]
