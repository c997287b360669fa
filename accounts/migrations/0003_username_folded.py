"""Usernames become ASCII letters, digits, _ and - (not anon-…), one per folded name (accounts/usernames.py).

Existing accounts are checked, never renamed: each gets its folded name unless an older account (lower id) holds
it; the clashes and the names that break the rules are printed with what to do (`manage.py usernames_check`
prints them again), and the deploy goes on. 0004 makes the folded name unique."""

from django.db import migrations, models

import accounts.usernames


def assign_folded_names(apps, schema_editor):
    report = accounts.usernames.username_folds_assign(apps.get_model("accounts", "User"))
    if report:
        print("\n" + "\n".join(["Usernames need attention:", *report]))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_user_queryset"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="username_folded",
            field=models.TextField(editable=False, null=True),
        ),
        migrations.AlterField(
            model_name="user",
            name="username",
            field=models.CharField(
                error_messages={"unique": "A user with that username already exists."},
                help_text="Letters A to Z, digits, _ and -; not starting with anon-. 150 characters or fewer.",
                max_length=150,
                unique=True,
                validators=[accounts.usernames.UsernameValidator()],
                verbose_name="username",
            ),
        ),
        migrations.RunPython(assign_folded_names, migrations.RunPython.noop),
    ]
