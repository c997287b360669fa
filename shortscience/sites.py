"""The Site record (django.contrib.sites) that allauth names in its mail ("[ShortScience] Confirm your
address") and links: its domain and name come from SITE_URL and SITE_NAME. Migration 0002 sets them,
`manage.py site_sync` sets them again after a change, and the check shortscience.W001 says when they differ."""

from urllib.parse import urlsplit

from django.conf import settings


def site_values(site_url: str | None = None, site_name: str | None = None) -> dict:
    """{"domain", "name"} of the Site for SITE_URL ("https://shortscience.example" -> "shortscience.example",
    with a port when it has one) and SITE_NAME."""
    parts = urlsplit(site_url if site_url is not None else settings.SITE_URL)
    return {"domain": parts.netloc or parts.path, "name": site_name if site_name is not None else settings.SITE_NAME}


def site_sync(site_model) -> bool:
    """Make the SITE_ID row say site_values(); `site_model` is the Site model (a migration's historical one, or
    the real one). Returns True when it changed anything."""
    values = site_values()
    site = site_model.objects.filter(pk=settings.SITE_ID).first()
    if site is not None and {"domain": site.domain, "name": site.name} == values:
        return False
    site_model.objects.update_or_create(pk=settings.SITE_ID, defaults=values)
    return True
