import re

import pytest
from django.urls import reverse

from papers.models import Venue
from tests.factories import make_paper

pytestmark = pytest.mark.django_db


def test_venue_index_lists_venues_with_counts(client, django_assert_num_queries):
    make_paper(bibtex_key="conf/nips/A15")
    make_paper(bibtex_key="conf/nips/B15")
    make_paper(bibtex_key="conf/icml/C16", published_in="ICML")
    Venue.objects.filter(key="conf/nips").update(name="Neural Information Processing Systems")
    # 1: venues with their stored paper counts.
    with django_assert_num_queries(1):
        response = client.get("/venue")
    html = response.content.decode()
    assert "Neural Information Processing Systems" in html
    assert "2 papers" in html and "1 paper" in html
    assert html.index("Neural Information") < html.index("ICML")


def test_venue_page_year_tabs_with_counts(client, django_assert_num_queries):
    for i in range(3):
        make_paper(bibtex_key=f"conf/nips/P15{i}", year=2015, title=f"Fifteen {i}")
    for i in range(5):
        make_paper(bibtex_key=f"conf/nips/P16{i}", year=2016, title=f"Sixteen {i}")
    # 1 venue, 2 its stored year counts (also the page count: no COUNT of the papers), 3 papers with venue, 4
    # their authors.
    with django_assert_num_queries(4):
        response = client.get("/venue", {"key": "conf/nips", "year": "2015"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Fifteen 0" in html and "Sixteen 0" not in html
    assert 'aria-current="page"' in html
    assert '2015 <span class="badge">3</span>' in html
    assert '2016 <span class="badge">5</span>' in html
    assert "<title>NIPS 2015 · ShortScience</title>" in html


def test_venue_page_defaults_to_newest_year(client):
    make_paper(bibtex_key="conf/nips/Old", year=2014, title="Old paper")
    make_paper(bibtex_key="conf/nips/New", year=2017, title="New paper")
    html = client.get("/venue", {"key": "conf/nips"}).content.decode()
    assert "New paper" in html and "Old paper" not in html


def test_venue_page_unknown_year_tab_lists_papers_without_a_year(client):
    make_paper(bibtex_key="conf/nips/Dated", year=2015, title="Dated paper")
    make_paper(bibtex_key="conf/nips/U1", year=None, title="Undated one")
    make_paper(bibtex_key="conf/nips/U2", year=None, title="Undated two")
    html = client.get("/venue", {"key": "conf/nips"}).content.decode()
    assert "Dated paper" in html and "Undated one" not in html  # the newest year comes first, unknown last
    assert html.index("2015 <span") < html.index("Unknown year <span")
    html = client.get("/venue", {"key": "conf/nips", "year": "unknown"}).content.decode()
    assert "Undated one" in html and "Undated two" in html and "Dated paper" not in html
    assert '<a href="/venue?key=conf/nips&amp;year=unknown" aria-current="page">' in html
    assert 'Unknown year <span class="badge">2</span>' in html
    assert '<a href="/venue?key=conf/nips&amp;year=2015">' in html
    assert "<title>NIPS · ShortScience</title>" in html


def test_venue_page_links_keep_the_year_tab_including_unknown(client, monkeypatch):
    monkeypatch.setattr("papers.views.VENUE_PAGE_SIZE", 1)
    make_paper(bibtex_key="conf/nips/Dated", year=2015, title="Dated paper")
    make_paper(bibtex_key="conf/nips/U1", year=None, title="Undated one")
    make_paper(bibtex_key="conf/nips/U2", year=None, title="Undated two")

    html = client.get("/venue", {"key": "conf/nips", "year": "unknown"}).content.decode()
    next_link = re.search(r'<a rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert next_link == "?key=conf%2Fnips&year=unknown&page=2"
    html = client.get("/venue" + next_link).content.decode()
    assert "Undated" in html and "Dated paper" not in html


def test_venue_page_unknown_venue_is_404(client):
    assert client.get("/venue", {"key": "conf/nowhere"}).status_code == 404


def test_venue_page_year_without_papers_is_404(client):
    make_paper(bibtex_key="conf/nips/Dated", year=2015)
    response = client.get("/venue", {"key": "conf/nips", "year": "1800"})
    assert response.status_code == 404  # it was a 200 with an empty list
    assert "This venue has no papers from 1800." in response.content.decode()
    assert client.get("/venue", {"key": "conf/nips", "year": "2015"}).status_code == 200


def test_lookup_box_goes_straight_to_known_paper(client):
    paper = make_paper(bibtex_key="journals/corr/1512.03385", arxiv_id="1512.03385")
    for q in ("journals/corr/1512.03385", "1512.03385v1", "https://arxiv.org/abs/1512.03385"):
        response = client.get(reverse("summaries:search"), {"q": q})
        assert response.status_code == 302
        assert response["Location"] == paper.get_absolute_url()
