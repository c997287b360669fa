"""Profiles in the sitemap: people with public, signed summaries (the others' profiles are noindex)."""

from django.db.models import Max, Q

from shortscience.sitemaps import SiteSitemap
from summaries.models import public_summaries

from .models import User


class ProfileSitemap(SiteSitemap):
    changefreq = "weekly"

    def items(self):
        signed = public_summaries("summaries__") & Q(summaries__is_anonymous=False)
        return (
            User.objects.filter(is_banned=False, summary_stats__signed_count__gt=0)
            .annotate(lastmod=Max("summaries__edited_at", filter=signed))
            .only("username")
            .order_by("pk")
        )

    def lastmod(self, item):
        return item.lastmod
