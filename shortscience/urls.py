from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_safe

from accounts.sitemaps import ProfileSitemap
from papers.sitemaps import VenueSitemap, VenueYearSitemap
from summaries.sitemaps import PaperSitemap

from . import views
from .api import api

# /sitemap.xml is an index of sections, each in pages of 50,000 addresses (/sitemap-papers.xml?p=2).
SITEMAPS = {
    "papers": PaperSitemap,
    "profiles": ProfileSitemap,
    "venues": VenueSitemap,
    "venue-years": VenueYearSitemap,
}


def _sitemap(view):
    """Kept in the shared cache for SITEMAP_CACHE_SECONDS whatever is written meanwhile: a page of 50,000 papers
    reads one key each (about 0.7 s at 100,000 summaries), and crawlers need it fresh by the hour, not the second."""
    return require_safe(cache_page(settings.SITEMAP_CACHE_SECONDS)(view))


urlpatterns = [
    path("", include("summaries.urls")),
    path("", include("papers.urls")),
    path("", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/", api.urls),  # the JSON API: the apps' routers, joined in api.py
    path("admin/", admin.site.urls),
    path("about", views.about, name="about"),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots"),
    path(
        "sitemap.xml",
        _sitemap(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path("sitemap-<section>.xml", _sitemap(sitemap_views.sitemap), {"sitemaps": SITEMAPS}, name="sitemap-section"),
]

handler400 = "shortscience.views.bad_request"
handler404 = "shortscience.views.page_not_found"
handler500 = "shortscience.views.server_error"
