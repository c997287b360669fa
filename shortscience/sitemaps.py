"""What the apps' sitemaps share: addresses from SITE_URL (as canonical links and feeds make them), 50,000 URLs a
page (the protocol's limit; /sitemap.xml is the index of the pages)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap

URLS_PER_PAGE = 50_000


class SiteSitemap(Sitemap):
    limit = URLS_PER_PAGE

    @property
    def protocol(self):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc
