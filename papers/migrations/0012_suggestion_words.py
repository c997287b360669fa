"""The tables of the words "did you mean" looks among (papers.models.AuthorName and TitleWord); 0013 fills them, makes
their trigram indexes and the trigger that keeps them (apart, so that Django's own indexes of their keys exist when
0013 drops them)."""

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
        migrations.CreateModel(
            name="TitleWord",
            fields=[
                ("word", models.TextField(primary_key=True, serialize=False)),
            ],
        ),
    ]
