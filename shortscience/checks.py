"""System checks of what settings alone cannot say."""

from django.conf import settings
from django.core import checks
from django.db import DatabaseError

from .sites import site_values


@checks.register(checks.Tags.database)
def site_matches_site_url(app_configs=None, databases=None, **kwargs):
    """shortscience.W001: the Site row (mail subjects, links in allauth's mail) is not what SITE_URL and SITE_NAME
    say. Run by `manage.py migrate` and `manage.py check --database default`."""
    if not databases or "default" not in databases:
        return []
    from django.contrib.sites.models import Site

    try:
        site = Site.objects.filter(pk=settings.SITE_ID).values("domain", "name").first()
    except DatabaseError:  # not migrated yet: migrate creates it
        return []
    wanted = site_values()
    if site == wanted:
        return []
    return [
        checks.Warning(
            f"The Site record says {site!r}, SITE_URL and SITE_NAME say {wanted!r}: mail would name the wrong site.",
            hint="Run `manage.py site_sync`.",
            id="shortscience.W001",
        )
    ]
