from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0006_author_rows_without_db_constraint"),
    ]

    operations = [
        migrations.RenameField(model_name="paper", old_name="venue_name", new_name="published_in"),
        migrations.AlterField(
            model_name="paper",
            name="published_in",
            field=models.CharField(
                blank=True,
                help_text="Journal or booktitle as imported (the venue's name may differ)",
                max_length=500,
            ),
        ),
    ]
