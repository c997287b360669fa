from django.db import migrations

from shortscience.sites import site_sync


def site_from_site_url(apps, schema_editor):
    """The Site allauth names in its mail was example.com: it becomes SITE_URL's domain and SITE_NAME."""
    site_sync(apps.get_model("sites", "Site"))


class Migration(migrations.Migration):
    dependencies = [
        ("shortscience", "0001_initial"),
        ("sites", "0002_alter_domain_unique"),
    ]

    operations = [migrations.RunPython(site_from_site_url, migrations.RunPython.noop)]
