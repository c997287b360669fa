"""What every page's template owes to browsers and search engines: one meta description (the page's own where it has
one), noindex where SPEC.md asks for it, unique ids, and <time datetime> values HTML accepts."""

import re
from collections import Counter

import pytest

from summaries import services
from tests.factories import UserFactory, make_paper, make_summary

pytestmark = pytest.mark.django_db

DEFAULT_DESCRIPTION = "ShortScience: researchers' short summaries of research papers"


def descriptions(html):
    return re.findall(r'<meta name="description" content="([^"]*)">', html)


def is_noindex(html):
    return '<meta name="robots" content="noindex">' in html


@pytest.fixture
def site():
    """One person's summaries of two papers (their ids meet on the homepage), one of them commented on."""
    writer = UserFactory(username="writer", display_name="Wri Ter", bio="Reads papers\non trains.")
    first = make_summary(
        author=writer,
        paper=make_paper(title="Deep Residual Learning", abstract="Deeper neural networks are\nmore difficult."),
    )
    second = make_summary(author=writer, paper=make_paper(title="Faster R-CNN", authors=["Shaoqing Ren"]))
    services.comment_create(summary=first, author=UserFactory(), body="Nice")
    return {"writer": writer, "first": first, "second": second}


def test_every_page_has_one_meta_description(client, site):
    paths = ["/", "/?tab=best", "/venue", "/users", "/about", "/search?q=deep", "/accounts/login/", "/no-such-page"]
    for path in paths + [site["first"].paper.get_absolute_url(), "/user?name=writer"]:
        assert len(descriptions(client.get(path).content.decode())) == 1, path


def test_paper_venue_and_user_pages_describe_themselves(client, site):
    paper_page = client.get(site["first"].paper.get_absolute_url()).content.decode()
    assert descriptions(paper_page) == ["Deeper neural networks are more difficult."]
    other = client.get(site["second"].paper.get_absolute_url()).content.decode()
    assert descriptions(other) == ["Faster R-CNN, by Shaoqing Ren (NIPS 2015)."]
    [venue] = descriptions(client.get(site["first"].paper.venue_url).content.decode())
    assert venue.startswith("2 papers of ") and "2015" in venue
    [person] = descriptions(client.get("/user", {"name": "writer"}).content.decode())
    assert person == "Wri Ter on ShortScience: 2 public summaries of research papers. Reads papers on trains."
    # Pages without one of their own have the site's.
    assert descriptions(client.get("/search", {"q": "deep"}).content.decode())[0].startswith(DEFAULT_DESCRIPTION)


def test_descriptions_are_escaped(client):
    make_paper(bibtex_key="conf/x/Quote", title="T", abstract='A "quoted" <b>word</b> & more')
    html = client.get("/paper", {"bibtexKey": "conf/x/Quote"}).content.decode()
    assert '<meta name="description" content="A &quot;quoted&quot; &lt;b&gt;word&lt;/b&gt; &amp; more">' in html


def test_noindex_on_search_empty_and_private_pages_only(client, site):
    assert not is_noindex(client.get("/").content.decode())
    assert not is_noindex(client.get(site["first"].paper.get_absolute_url()).content.decode())
    assert not is_noindex(client.get("/user", {"name": "writer"}).content.decode())
    assert is_noindex(client.get("/search", {"q": "deep"}).content.decode())
    assert is_noindex(client.get(make_paper().get_absolute_url()).content.decode())  # no summaries yet
    assert is_noindex(client.get(site["first"].get_absolute_url()).content.decode())  # one summary (&a=)
    UserFactory(username="quiet")
    assert is_noindex(client.get("/user", {"name": "quiet"}).content.decode())  # no public summaries
    assert is_noindex(client.get("/no-such-page").content.decode())


def test_ids_are_unique_where_one_persons_summaries_meet(client, site):
    for path in ["/", "/user?name=writer", site["first"].paper.get_absolute_url()]:
        html = client.get(path).content.decode()
        repeated = [i for i, n in Counter(re.findall(r'\sid="([^"]+)"', html)).items() if n > 1]
        assert repeated == [], path
    # The paper page keeps the anchors that addresses (#writer, &a=writer) use.
    assert 'id="writer"' in client.get(site["first"].paper.get_absolute_url()).content.decode()


def test_time_elements_carry_whole_seconds(client, site):
    for path in ["/", site["first"].paper.get_absolute_url()]:
        stamps = re.findall(r'<time datetime="([^"]+)"', client.get(path).content.decode())
        assert stamps, path
        for stamp in stamps:
            assert re.fullmatch(r"\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d[+-]\d\d:\d\d)?", stamp), stamp
