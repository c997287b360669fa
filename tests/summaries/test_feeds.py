"""The feeds (summaries/feeds.py, accounts/feeds.py): RSS as the original wrote it (its templates/rss.php, read by
the Reddit bot ShortScience-org/mlbot through feedparser) and Atom feeds of the latest summaries, of a paper's, a
user's and a venue's. Every feed is parsed by feedparser, as real readers parse it."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import feedparser
import pytest
from django.conf import settings
from django.contrib.sites.models import Site
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.models import User
from summaries import services
from summaries.models import Summary
from tests.factories import UserFactory, make_paper, make_summary

pytestmark = pytest.mark.django_db

# The original's fields (templates/rss.php): channel and item elements, in the namespaces they are in.
SS = settings.SITE_URL  # the original's namespace URI was the site's address
CHANNEL_FIELDS = {"title", "description", "link", "ttl", "lastBuildDate"}
ITEM_FIELDS = {"title", "author", "description", "link", "guid", "pubDate", f"{{{SS}}}bibtexkey", f"{{{SS}}}votes"}
RSS_FEEDS = ("summaries:rss", "summaries:rss-all", "summaries:rss-full")


def upvoted(summary, votes=2):
    for n in range(votes):
        services.vote_cast(summary=summary, voter=UserFactory(username=f"fan{summary.pk}x{n}"), value=1)
    return Summary.objects.get(pk=summary.pk)


def fetch(client, name, query=""):
    response = client.get(reverse(name) + query)
    assert response.status_code == 200, response.content[:300]
    return response


def parsed(client, name, query=""):
    feed = feedparser.parse(fetch(client, name, query).content)
    assert not feed.bozo, feed.bozo_exception
    return feed


@pytest.fixture
def arxiv_summary():
    paper = make_paper(
        bibtex_key="journals/corr/1512.03385",
        title="Deep Residual Learning for Image Recognition",
        arxiv_id="1512.03385",
        source="arxiv",
    )
    author = UserFactory(username="joecohen", display_name="Joseph Cohen")
    body = "Residual nets, see https://arxiv.org/abs/1512.03385 for the paper. " + "More words. " * 60
    return upvoted(make_summary(paper=paper, author=author, body=body))


def test_the_rss_feed_has_the_original_fields_for_the_reddit_bot(client, arxiv_summary):
    root = ET.fromstring(fetch(client, "summaries:rss").content)
    channel = root.find("channel")
    assert {child.tag for child in channel if child.tag != "item"} >= CHANNEL_FIELDS
    (item,) = channel.findall("item")
    assert {child.tag for child in item} >= ITEM_FIELDS
    assert item.findtext("title") == "Deep Residual Learning for Image Recognition"
    assert item.findtext("author") == "Joseph Cohen"
    link = f"{SS}/paper?bibtexKey=journals/corr/1512.03385#joecohen"
    assert item.findtext("link") == link and item.findtext("guid") == link
    assert item.findtext(f"{{{SS}}}arxivid") == "1512.03385"
    assert item.findtext(f"{{{SS}}}votes") == "2"
    # what mlbot.py does with it
    feed = parsed(client, "summaries:rss-all")
    (entry,) = feed.entries
    assert entry["shortscience_arxivid"] == "1512.03385"
    assert entry["shortscience_bibtexkey"] == "journals/corr/1512.03385"
    assert int(entry["shortscience_votes"]) == 2
    assert entry["summary"].startswith("Residual nets, see  for the paper.")  # URLs taken out, as the original did


def test_descriptions_are_cut_to_500_characters_but_in_the_full_feed(client, arxiv_summary):
    short = parsed(client, "summaries:rss").entries[0]["summary"]
    full = parsed(client, "summaries:rss-full").entries[0]["summary"]
    assert len(short) == 503 and short.endswith("...")
    assert len(full) > 600 and not full.endswith("...")


def test_only_summaries_that_others_voted_up_are_in_the_rss(client):
    make_summary(body="Nobody voted for me")
    upvoted(make_summary(body="One vote"), votes=1)
    liked = upvoted(make_summary(body="Two votes"))
    for name in RSS_FEEDS:
        assert [e["summary"] for e in parsed(client, name).entries] == [liked.body], name


def test_an_anonymous_summary_never_names_its_author(client):
    author = UserFactory(username="secretwriter", display_name="Secret Writer")
    summary = upvoted(make_summary(author=author, is_anonymous=True, body="Said without a name"))
    for name in (*RSS_FEEDS, "summaries:atom"):
        body = fetch(client, name).content.decode()
        assert "Said without a name" in body, name
        assert "secretwriter" not in body and "Secret Writer" not in body, name
    entry = parsed(client, "summaries:rss").entries[0]
    assert entry["author"] == "Anonymous"
    assert entry["link"].endswith(f"#anon-{summary.pk}")
    assert parsed(client, "accounts:atom", "?name=secretwriter").entries == []


def test_private_hidden_and_banned_summaries_are_in_no_feed(client):
    shown = upvoted(make_summary(body="Shown to all"))
    private = upvoted(make_summary(body="Kept private", is_private=True))
    hidden = upvoted(make_summary(body="Hidden by a moderator"))
    services.summary_hidden_set(summaries=Summary.objects.filter(pk=hidden.pk), is_hidden=True)
    banned = UserFactory(username="spammer")
    upvoted(make_summary(author=banned, body="By a banned user", paper=private.paper))
    services.user_banned_set(users=User.objects.filter(pk=banned.pk), is_banned=True)
    feeds = [(name, "") for name in (*RSS_FEEDS, "summaries:atom")]
    feeds += [("summaries:paper-atom", f"?bibtexKey={p.paper.bibtex_key}") for p in (shown, private, hidden)]
    feeds += [("summaries:venue-atom", f"?key={shown.paper.venue.key}")]
    for name, query in feeds:
        body = fetch(client, name, query).content.decode()
        for secret in ("Kept private", "Hidden by a moderator", "By a banned user", "spammer"):
            assert secret not in body, (name, query, secret)
    assert "Shown to all" in fetch(client, "summaries:atom").content.decode()
    assert client.get(reverse("accounts:atom") + "?name=spammer").status_code == 404


def test_atom_feeds_of_a_paper_a_user_and_a_venue(client):
    author = UserFactory(username="ada", display_name="Ada L")
    paper = make_paper(bibtex_key="conf/nips/RenHGS15", title="Faster R-CNN")
    mine = make_summary(paper=paper, author=author, body="Region *proposals*")
    make_summary(paper=paper, body="Another view")
    make_summary(author=author, body="On another paper")
    make_summary(paper=make_paper(bibtex_key="journals/jmlr/Other15"), body="Elsewhere")
    by_paper = parsed(client, "summaries:paper-atom", "?bibtexKey=conf/nips/RenHGS15")
    assert by_paper.feed.title == "ShortScience: summaries of “Faster R-CNN”"
    assert len(by_paper.entries) == 2
    by_user = parsed(client, "accounts:atom", "?name=Ada")
    assert [e["title"] for e in by_user.entries] == [
        e.paper.title for e in Summary.objects.filter(author=author).order_by("-edited_at")
    ]
    entry = next(e for e in by_user.entries if e["title"] == "Faster R-CNN")
    assert entry["author"] == "Ada L"
    assert "<em>proposals</em>" in entry["summary"]  # the rendered HTML
    assert entry["link"] == f"{SS}{mine.paper.get_absolute_url()}#ada"
    by_venue = parsed(client, "summaries:venue-atom", "?key=conf/nips")
    assert len(by_venue.entries) == 3  # make_paper's papers are conf/nips unless told
    for name, query in (
        ("summaries:paper-atom", "?bibtexKey=conf/none/X"),
        ("summaries:paper-atom", ""),
        ("accounts:atom", "?name=nobody"),
        ("summaries:venue-atom", "?key=conf/none"),
    ):
        assert client.get(reverse(name) + query).status_code == 404, (name, query)


def test_markup_in_titles_and_names_stays_inert_in_every_feed(client):
    evil = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    author = UserFactory(username="evilname", display_name=evil)
    summary = upvoted(make_summary(paper=make_paper(title=evil), author=author, body=evil))
    feeds = [(name, "") for name in (*RSS_FEEDS, "summaries:atom")]
    feeds += [("summaries:paper-atom", f"?bibtexKey={summary.paper.bibtex_key}"), ("accounts:atom", "?name=evilname")]
    for name, query in feeds:
        body = fetch(client, name, query).content.decode()
        ET.fromstring(body)  # well-formed XML
        assert "<script" not in body and "<img" not in body, name
        feed = parsed(client, name, query)
        assert feed.entries[0]["title"] == evil  # the text itself, as text


@pytest.mark.parametrize(
    ("name", "query", "queries"),
    [
        ("summaries:rss", "", 1),
        ("summaries:rss-all", "", 1),
        ("summaries:rss-full", "", 1),
        ("summaries:atom", "", 1),
        ("summaries:paper-atom", "?bibtexKey=conf/nips/Feed1", 2),
        ("summaries:venue-atom", "?key=conf/nips", 2),
        ("accounts:atom", "?name=prolific", 2),
    ],
)
def test_feed_queries_are_constant(client, django_assert_num_queries, name, query, queries):
    author = UserFactory(username="prolific")
    paper = make_paper(bibtex_key="conf/nips/Feed1")
    Site.objects.get_current()  # the syndication framework reads the Site once per process (cached after)
    for rows in (3, 6):
        while Summary.objects.filter(author=author).count() < rows:
            n = Summary.objects.count()
            target = paper if n == 0 else make_paper(bibtex_key=f"conf/nips/Feed{n + 1}")
            upvoted(make_summary(paper=target, author=author, body=f"Summary {n}"))
        cache.clear()  # rss-all and rss-full are kept in the cache: count what makes them
        with django_assert_num_queries(queries):
            response = Client().get(reverse(name) + query)
        assert response.status_code == 200


def test_pages_announce_their_feeds(client):
    author = UserFactory(username="ada")
    summary = make_summary(author=author)
    home = client.get("/").content.decode()
    assert (
        f'type="application/rss+xml" title="ShortScience: latest summaries (RSS)" href="{reverse("summaries:rss")}"'
        in home
    )
    paper_page = client.get(summary.paper.get_absolute_url()).content.decode()
    assert reverse("summaries:paper-atom") + "?bibtexKey=" in paper_page
    assert reverse("accounts:atom") + "?name=ada" in client.get(author.get_absolute_url()).content.decode()


def test_the_feeds_of_all_summaries_are_kept_for_minutes(client):
    upvoted(make_summary(body="The first one"))
    assert "The first one" in fetch(client, "summaries:rss-all").content.decode()
    upvoted(make_summary(body="A second one"))
    assert "A second one" not in fetch(client, "summaries:rss-all").content.decode()  # until FEED_ALL_CACHE_SECONDS
    cache.clear()
    assert "A second one" in fetch(client, "summaries:rss-all").content.decode()


@pytest.mark.django_db(transaction=True)
def test_feeds_are_cached_and_a_new_summary_shows_at_once(settings):
    settings.PAGE_CACHE_SECONDS = 600
    client = Client()
    first = upvoted(make_summary(body="The first one"))
    paper_feed = reverse("summaries:paper-atom") + f"?bibtexKey={first.paper.bibtex_key}"
    for url in (reverse("summaries:rss"), reverse("summaries:atom"), paper_feed):
        assert client.get(url)["X-Page-Cache"] == "miss"
        assert client.get(url)["X-Page-Cache"] == "hit"
    upvoted(make_summary(paper=first.paper, body="A second one"))
    for url in (reverse("summaries:rss"), reverse("summaries:atom"), paper_feed):
        response = client.get(url)
        assert response["X-Page-Cache"] == "miss"
        assert "A second one" in response.content.decode()


def test_a_venues_feed_reads_only_the_latest_summaries_window(client, settings):
    settings.FEED_VENUE_WINDOW = 2
    old = make_summary(paper=make_paper(bibtex_key="journals/jmlr/Old15"), body="An old one in JMLR")
    Summary.objects.filter(pk=old.pk).update(edited_at=old.edited_at - timedelta(days=30))
    make_summary(body="Newer, elsewhere")
    make_summary(body="Newest, elsewhere")
    entries = parsed(client, "summaries:venue-atom", "?key=journals/jmlr").entries
    assert entries == []  # past the window of the 2 latest
    settings.FEED_VENUE_WINDOW = 3
    assert [e["title"] for e in parsed(client, "summaries:venue-atom", "?key=journals/jmlr").entries] == [
        old.paper.title
    ]


def test_the_feeds_of_all_summaries_stop_at_their_limits(client, settings):
    settings.FEED_ALL_LIMIT, settings.FEED_FULL_LIMIT = 3, 2
    liked = [upvoted(make_summary(body=f"Liked {n}")) for n in range(4)]
    newest_first = [s.body for s in sorted(liked, key=lambda s: s.edited_at, reverse=True)]
    assert [e["summary"] for e in parsed(client, "summaries:rss-all").entries] == newest_first[:3]
    assert [e["summary"] for e in parsed(client, "summaries:rss-full").entries] == newest_first[:2]
