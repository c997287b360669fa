from django.conf import settings
from django.urls import path
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_safe

from shortscience import page_cache

from . import feeds, views


def _feed(feed, scopes=lambda request: [page_cache.LISTS]):
    """A feed as a GET view that anonymous readers get from the page cache, dropped by the writes to `scopes`."""
    return require_safe(page_cache.cache_for_anonymous(scopes)(feed))


def _big_feed(feed):
    """The feeds of "all" summaries (thousands of items, polled every 30 s by the Reddit bot) are kept in the shared
    cache for FEED_ALL_CACHE_SECONDS whatever is written meanwhile, not made again after each vote."""
    return require_safe(cache_page(settings.FEED_ALL_CACHE_SECONDS)(feed))


def _paper_scopes(request):
    return [page_cache.scope("paper", request.GET.get("bibtexKey", "").strip())]


app_name = "summaries"

urlpatterns = [
    path("", views.home, name="home"),
    path("paper", views.paper_detail, name="paper"),
    path("random", views.random_summary, name="random"),
    path("rss.xml", _feed(feeds.OriginalRss()), name="rss"),
    path("rss-all.xml", _big_feed(feeds.AllRss()), name="rss-all"),
    path("rss-full.xml", _big_feed(feeds.FullRss()), name="rss-full"),
    path("atom.xml", _feed(feeds.LatestAtom()), name="atom"),
    path("paper/atom", _feed(feeds.PaperAtom(), _paper_scopes), name="paper-atom"),
    path("venue/atom", _feed(feeds.VenueAtom()), name="venue-atom"),
    path("search", views.search, name="search"),
    path("export", views.export, name="export"),
    path("report", views.report_create, name="report"),
    path("settings/reports", views.my_reports, name="my-reports"),
    path("summary/preview", views.summary_preview, name="preview"),
    path("summary/save/<int:paper_id>", views.summary_save, name="save"),
    path("summary/<int:summary_id>/delete", views.summary_delete, name="delete"),
    path("summary/<int:summary_id>/revisions", views.summary_revisions, name="revisions"),
    path("summary/<int:summary_id>/vote", views.summary_vote, name="vote"),
    path("summary/<int:summary_id>/comments", views.comment_create, name="comment-create"),
    path("comment/<int:comment_id>/delete", views.comment_delete, name="comment-delete"),
]
