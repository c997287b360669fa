"""What search engines read: /sitemap.xml (an index of sections in pages of 50,000), robots.txt naming it, one
canonical link on every page, Open Graph and JSON-LD on profiles, escaped in every meta tag."""

import json
import re
import xml.etree.ElementTree as ET
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.sites.models import Site
from django.core.cache import cache
from django.urls import reverse

from accounts.models import User
from summaries import services
from summaries.models import Summary
from summaries.sitemaps import PaperSitemap
from tests.factories import UserFactory, make_paper, make_summary

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
SITE = settings.SITE_URL
CANONICAL_RE = re.compile(r'<link rel="canonical" href="([^"]*)">')


@pytest.fixture(autouse=True)
def _site_from_site_url():
    """The Site is SITE_URL's (a data migration and a system check keep it so); the sitemap index names it."""
    Site.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": urlsplit(SITE).netloc, "name": "ShortScience"}
    )
    Site.objects.clear_cache()


def locations(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    root = ET.fromstring(response.content)
    return [loc.text for loc in root.iterfind(".//sm:loc", NS)], root


def section_urls(client, section):
    """Every address of a section, through the index and each of its pages."""
    pages, _ = locations(client, reverse("sitemap"))
    found = []
    for page in pages:
        if f"sitemap-{section}.xml" in page:
            found += locations(client, page.removeprefix(SITE))[0]
    return found


def test_the_sitemap_lists_papers_with_public_summaries_profiles_and_venues(client):
    shown = make_summary(paper=make_paper(bibtex_key="conf/nips/Shown15"), author=UserFactory(username="ada"))
    make_summary(paper=make_paper(bibtex_key="conf/nips/Private15"), is_private=True)
    hidden = make_summary(paper=make_paper(bibtex_key="conf/nips/Hidden15"))
    services.summary_hidden_set(summaries=Summary.objects.filter(pk=hidden.pk), is_hidden=True)
    banned = UserFactory(username="spammer")
    make_summary(paper=make_paper(bibtex_key="conf/nips/Banned15"), author=banned)
    services.user_banned_set(users=User.objects.filter(pk=banned.pk), is_banned=True)
    make_summary(paper=make_paper(bibtex_key="conf/nips/Anon15"), author=UserFactory(username="shy"), is_anonymous=True)
    make_paper(bibtex_key="conf/nips/NoSummary15")

    papers = section_urls(client, "papers")
    assert papers == [
        SITE + "/paper?bibtexKey=conf/nips/Shown15",
        SITE + "/paper?bibtexKey=conf/nips/Anon15",
    ]
    assert section_urls(client, "profiles") == [SITE + "/user?name=ada"]  # not the banned, not the anonymous one
    assert SITE + "/venue?key=conf/nips" in section_urls(client, "venues")
    assert SITE + "/venue?key=conf/nips&year=2015" in section_urls(client, "venue-years")
    _, root = locations(client, "/sitemap-papers.xml")
    lastmod = root.find("sm:url/sm:lastmod", NS).text
    assert lastmod == shown.edited_at.date().isoformat()


def test_the_sitemap_index_pages_a_section_past_its_limit(client, monkeypatch):
    monkeypatch.setattr(PaperSitemap, "limit", 2)
    for n in range(5):
        make_summary(paper=make_paper(bibtex_key=f"conf/icml/Paper{n}"))
    pages, _ = locations(client, reverse("sitemap"))
    paper_pages = [p for p in pages if "sitemap-papers.xml" in p]
    assert paper_pages == [f"{SITE}/sitemap-papers.xml", *(f"{SITE}/sitemap-papers.xml?p={n}" for n in (2, 3))]
    urls = section_urls(client, "papers")
    assert urls == [f"{SITE}/paper?bibtexKey=conf/icml/Paper{n}" for n in range(5)]  # each once, in order


def test_sitemap_queries_are_constant(client, django_assert_num_queries):
    Site.objects.get_current()  # read once per process, then cached
    for rows in (3, 6):
        while Summary.objects.count() < rows:
            make_summary(author=UserFactory())
        for url, queries in (
            ("/sitemap-papers.xml", 2),  # the count for the paging, the page
            ("/sitemap-profiles.xml", 2),
            ("/sitemap-venues.xml", 2),
            ("/sitemap-venue-years.xml", 2),
        ):
            cache.clear()  # the sitemap is kept in the cache: count the queries that make it
            with django_assert_num_queries(queries):
                assert client.get(url).status_code == 200
            with django_assert_num_queries(0):  # then read from the cache
                assert client.get(url).status_code == 200


def test_robots_names_the_sitemap(client):
    assert f"Sitemap: {SITE}/sitemap.xml" in client.get("/robots.txt").content.decode().splitlines()


def test_every_page_has_one_canonical_link(client):
    author = UserFactory(username="ada")
    make_summary(paper=make_paper(bibtex_key="conf/nips/RenHGS15"), author=author)
    pages = {
        "/": SITE + "/",
        "/?tab=best&page=1": SITE + "/?tab=best",
        "/paper?bibtexKey=conf/nips/RenHGS15&a=ada": SITE + "/paper?bibtexKey=conf/nips/RenHGS15",
        "/venue": SITE + "/venue",
        "/venue?key=conf/nips&year=2015": SITE + "/venue?key=conf%2Fnips&year=2015",
        "/user?name=ada": SITE + "/user?name=ada",
        "/users": SITE + "/users",
        "/about": SITE + "/about",
        "/search?q=things": SITE + "/search",
    }
    for url, canonical in pages.items():
        html = client.get(url).content.decode()
        assert [unescape(u) for u in CANONICAL_RE.findall(html)] == [canonical], url


def test_a_profile_has_open_graph_and_json_ld_escaped(client):
    evil = '"><script>alert(1)</script>'
    person = UserFactory(username="ada", display_name=evil, bio=f"I write {evil}", orcid="0000-0002-1825-0097")
    make_summary(author=person)
    html = client.get(person.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert (
        '<meta property="og:title" content="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; on ShortScience">' in html
    )
    assert f'<meta property="og:url" content="{SITE}/user?name=ada">' in html
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(block)
    assert data["@type"] == "ProfilePage"
    assert data["mainEntity"]["name"] == evil
    assert data["mainEntity"]["sameAs"] == "https://orcid.org/0000-0002-1825-0097"
    assert data["mainEntity"]["interactionStatistic"]["userInteractionCount"] == 1


def test_a_paper_title_with_markup_stays_inert_in_its_meta_tags(client):
    evil = '"><script>alert(1)</script>'
    summary = make_summary(paper=make_paper(bibtex_key="conf/nips/Evil15", title=f"Title {evil}"))
    html = client.get(summary.paper.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    head = html.split("</head>")[0]
    for tag in re.findall(r"<meta [^>]*>", head):
        assert "<script" not in tag
