"""The pages worth indexing that summaries make: papers with at least one public summary (their last edit as
lastmod). A paper without one is a thin page (noindex) and is left out."""

from django.db.models import Max

from papers.models import paper_url
from shortscience.sitemaps import SiteSitemap

from .models import Summary


class PaperSitemap(SiteSitemap):
    changefreq = "weekly"

    def items(self):
        """One row per paper: its key and its public summaries' last edit, in paper order (a stable paging)."""
        return (
            Summary.objects.public()
            .values("paper_id", "paper__bibtex_key")
            .annotate(lastmod=Max("edited_at"))
            .order_by("paper_id")
        )

    def location(self, item):
        return paper_url(item["paper__bibtex_key"])

    def lastmod(self, item):
        return item["lastmod"]
