from django.contrib.admin import apps as admin_apps


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin on the site's own AdminSite (shortscience/admin_site.py), whose log-in is allauth's."""

    default = False  # the config of "shortscience.apps.AdminConfig" in INSTALLED_APPS, not of the shortscience app
    default_site = "shortscience.admin_site.AdminSite"
