from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_username_folded"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="username_folded",
            field=models.TextField(editable=False, null=True, unique=True),
        ),
    ]
