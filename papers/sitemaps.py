"""The catalogue's pages in the sitemap: venues and each venue's year tabs (their counts are stored: VenueYear)."""

from shortscience.sitemaps import SiteSitemap

from .models import NO_YEAR, Venue, VenueYear


class VenueSitemap(SiteSitemap):
    changefreq = "weekly"

    def items(self):
        return Venue.objects.filter(paper_count__gt=0).order_by("key").only("key")


class VenueYearSitemap(SiteSitemap):
    changefreq = "weekly"

    def items(self):
        return (
            VenueYear.objects.filter(paper_count__gt=0)
            .select_related("venue")
            .only("year", "venue__key")
            .order_by("venue_id", "year")  # the unique (venue, year) index
        )

    def location(self, item):
        return item.venue.get_absolute_url(Venue.UNKNOWN_YEAR if item.year == NO_YEAR else item.year)
