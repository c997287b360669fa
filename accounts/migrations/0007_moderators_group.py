from django.db import migrations


def create_moderators(apps, schema_editor):
    from accounts.moderators import moderators_group_sync

    moderators_group_sync(apps)


def remove_moderators(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Moderators").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_user_is_confirmed"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("papers", "0009_merge_permission"),
        ("summaries", "0007_moderation"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="user",
            options={
                "permissions": [("ban_user", "Can ban and unban users")],
                "verbose_name": "user",
                "verbose_name_plural": "users",
            },
        ),
        migrations.RunPython(create_moderators, remove_moderators),
    ]
