"""The feeds, with Django's syndication framework.

RSS 2.0 as the original wrote it (its templates/rss.php): `/rss.xml` (the latest 100), `/rss-all.xml` (all),
`/rss-full.xml` (all, with the whole text). Only summaries scoring more than 1 are in them, as there; each item has
the paper's title, the author's name ("Anonymous" for an anonymous summary), the markdown text without its URLs (cut
to 500 characters but in the full feed), link and guid `/paper?bibtexKey=KEY#anchor`, pubDate the last edit, and the
`shortscience:` elements `arxivid`, `bibtexkey` and `votes` that the Reddit bot (ShortScience-org/mlbot) reads.
"All" is bounded (FEED_ALL_LIMIT, FEED_FULL_LIMIT: the newest first) so that no request reads the whole table.

Atom feeds of the latest summaries, of one paper's and one venue's, with the rendered (sanitised) HTML; one user's
is accounts.feeds.UserAtom.

Only public summaries appear (`Summary.objects.public()`: not private, not hidden, author in good standing).
Anonymous visitors get them from the page cache (summaries/urls.py), invalidated by the writes that change them."""

import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from papers.models import Paper, Venue
from shortscience.params import text_param

from .models import Summary

# The original's pattern for the URLs it took out of the text.
URL_RE = re.compile(r"\b(?:https?|ftp|file)://[-A-Z0-9+&@#/%?=~_|$!:,.;]*[A-Z0-9+&@#/%=~_|$]", re.IGNORECASE)
DESCRIPTION_LENGTH = 500
LATEST_RSS = 100
LATEST_ATOM = 50
MIN_RSS_SCORE = 2  # the original: "score > 1", so that someone other than the author has voted for it
KEY_MAX_LENGTH = 500


class ShortScienceRss(Rss201rev2Feed):
    """RSS 2.0 with the original's `shortscience:` namespace (its URI was the site's address) and elements."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:shortscience": settings.SITE_URL}

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        handler.addQuickElement("ttl", "60")

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("author", item["author_plain"])  # the original's: a name, not an address
        if item.get("arxivid"):
            handler.addQuickElement("shortscience:arxivid", item["arxivid"])
        handler.addQuickElement("shortscience:bibtexkey", item["bibtexkey"])
        handler.addQuickElement("shortscience:votes", str(item["votes"]))


def plain_text(body: str, *, limit: int | None) -> str:
    text = URL_RE.sub("", body)
    return text if limit is None or len(text) <= limit else text[:limit] + "..."


class SummaryFeed(Feed):
    """What the feeds share: items are summaries with their paper and author (one query). Every address is made
    from SITE_URL, as the pages' canonical links are (the syndication framework would use the Site's domain and
    the request's scheme)."""

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        feed.feed["feed_url"] = settings.SITE_URL + request.get_full_path()
        return feed

    def _absolute(self, path: str) -> str:
        return settings.SITE_URL + path

    def item_title(self, item):
        return item.paper.title

    def item_link(self, item):
        return self._absolute(item.paper.get_absolute_url() + f"#{item.anchor}")

    def item_guid(self, item):
        return self.item_link(item)

    item_guid_is_permalink = True

    def item_author_name(self, item):
        return item.author_name

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.edited_at


class OriginalRss(SummaryFeed):
    feed_type = ShortScienceRss
    title = description = "ShortScience.org Latest Summaries"
    link = settings.SITE_URL + "/"
    limit = LATEST_RSS
    full_text = False

    def items(self):
        return (
            Summary.objects.public()
            .filter(score__gte=MIN_RSS_SCORE)
            .select_related("paper", "author")
            .order_by("-edited_at")[: self.limit]
        )

    def item_description(self, item):
        return plain_text(item.body, limit=None if self.full_text else DESCRIPTION_LENGTH)

    def item_pubdate(self, item):
        return item.edited_at  # the original's pubDate

    def item_extra_kwargs(self, item):
        return {
            "arxivid": item.paper.arxiv_id,
            "bibtexkey": item.paper.bibtex_key,
            "votes": item.score,
            "author_plain": item.author_name,
        }


class AllRss(OriginalRss):
    @property
    def limit(self):
        return settings.FEED_ALL_LIMIT


class FullRss(OriginalRss):
    full_text = True

    @property
    def limit(self):
        return settings.FEED_FULL_LIMIT


class AtomFeed(SummaryFeed):
    feed_type = Atom1Feed

    def item_description(self, item):
        return item.body_html  # rendered and sanitised at save (shortscience/markup.py)

    def latest(self, obj):
        return Summary.objects.public().select_related("paper", "author").order_by("-edited_at")

    def items(self, obj):
        return self.latest(obj)[:LATEST_ATOM]


class LatestAtom(AtomFeed):
    title = "ShortScience: latest summaries"
    subtitle = "The latest summaries of research papers on ShortScience"
    link = settings.SITE_URL + "/?tab=recent"


class PaperAtom(AtomFeed):
    def get_object(self, request, *args, **kwargs):
        key = text_param(request.GET, "bibtexKey", max_length=KEY_MAX_LENGTH, status=404).strip()
        paper = Paper.objects.filter(bibtex_key=key).first() if key else None
        if paper is None:
            raise Http404(f"Unknown paper: {key}" if key else "The address needs ?bibtexKey=…")
        return paper

    def title(self, obj):
        return f"ShortScience: summaries of “{obj.title}”"

    def link(self, obj):
        return self._absolute(obj.get_absolute_url())

    def latest(self, obj):
        return super().latest(obj).filter(paper=obj)


class VenueAtom(AtomFeed):
    def get_object(self, request, *args, **kwargs):
        key = text_param(request.GET, "key", max_length=100, status=404)
        venue = Venue.objects.filter(key=key).first() if key else None
        if venue is None:
            raise Http404(f"There is no venue “{key}”.")
        return venue

    def title(self, obj):
        return f"ShortScience: summaries of papers in {obj.name or obj.key}"

    def link(self, obj):
        return self._absolute(obj.get_absolute_url())

    def latest(self, obj):
        """The venue's summaries among the site's latest FEED_VENUE_WINDOW: a summary does not store its venue, and
        walking every public summary to find a quiet venue's few read them all (93,000 rows, 15 s cold, at 100,000
        summaries); this reads at most the window's rows, from the recent-summaries index."""
        window = Summary.objects.public().order_by("-edited_at").values("pk")[: settings.FEED_VENUE_WINDOW]
        return super().latest(obj).filter(pk__in=window, paper__venue=obj)
