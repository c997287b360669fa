from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin on the site's own AdminSite (shortscience/admin_site.py), whose log-in is allauth's."""

    default = False  # the config of "shortscience.apps.AdminConfig" in INSTALLED_APPS, not of the shortscience app
    default_site = "shortscience.admin_site.AdminSite"


class ShortScienceConfig(AppConfig):
    """The project package's app: its table (OutboundPace), its checks (shortscience/checks.py), its commands."""

    name = "shortscience"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401 (registers them)
