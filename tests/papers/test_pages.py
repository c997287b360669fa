import datetime
import json
import re

import pytest
from django.urls import reverse

from papers.models import Paper, PaperAlias, Venue
from tests.factories import make_paper

pytestmark = pytest.mark.django_db


def test_paper_page_shows_title_block(client):
    paper = make_paper(
        bibtex_key="journals/corr/1512.03385",
        title="Deep Residual Learning for Image Recognition",
        authors=["Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun"],
        source="arxiv",
        arxiv_id="1512.03385",
        year=2015,
        published=datetime.date(2015, 12, 10),
        published_in="arXiv",
        keywords=["cs.CV"],
        abstract="Deeper neural networks are more difficult to train.",
    )
    response = client.get("/paper", {"bibtexKey": paper.bibtex_key})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Deep Residual Learning for Image Recognition on ShortScience</title>" in html
    assert "Kaiming He" in html and "Jian Sun" in html
    assert "– <em>2015</em> via arXiv" in html
    assert "cs.CV" in html
    assert 'href="https://arxiv.org/abs/1512.03385"' in html
    assert "scholar.google.com/scholar?q=Deep+Residual" in html
    assert "<strong>First published:</strong>" in html and "2015/12/10" in html and "years ago" in html
    assert "Deeper neural networks are more difficult to train." in html
    # the abstract starts hidden behind a more / less toggle (site.js flips it; tests/browser checks that)
    assert f'aria-controls="abstract-{paper.pk}"' in html and 'aria-expanded="false"' in html
    assert f'<div class="abstract-body" id="abstract-{paper.pk}" hidden>' in html


def test_paper_page_authors_keep_their_order(client):
    paper = make_paper(authors=["Zed Last", "Amy First", "Mia Middle"])
    html = client.get(paper.get_absolute_url()).content.decode()
    assert html.index("Zed Last") < html.index("Amy First") < html.index("Mia Middle")


def test_paper_page_escapes_imported_text(client):
    paper = make_paper(
        title="<script>alert('title')</script> Attention",
        authors=["<img src=x onerror=alert(1)>"],
        abstract='</p><script>alert("abstract")</script>',
        published_in="<b>Venue</b>",
        keywords=["<i>kw</i>"],
    )
    html = client.get(paper.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt; Attention" in html
    assert "<i>kw</i>" not in html


def test_paper_page_json_ld_cannot_close_its_script_element(client):
    title = "</script><script>alert(1)</script> Fish & Chips <!--"
    paper = make_paper(title=title, authors=["A </script> B"])
    html = client.get(paper.get_absolute_url()).content.decode()
    start = html.index('<script type="application/ld+json">') + len('<script type="application/ld+json">')
    content = html[start : html.index("</script>", start)]
    assert "<" not in content and ">" not in content and "&" not in content
    assert "\\u003C/script\\u003E" in content and "Fish \\u0026 Chips \\u003C!--" in content
    data = json.loads(content)
    assert data["name"] == title and data["author"] == [{"@type": "Person", "name": "A </script> B"}]
    assert "<script>alert(1)" not in html


def test_paper_links_drop_repeated_arxiv_doi_and_dblp_urls(client):
    paper = make_paper(
        arxiv_id="1512.03385",
        doi="10.1109/cvpr.2016.90",
        urls=[
            "https://arxiv.org/abs/1512.03385",
            "http://www.arxiv.org/pdf/1512.03385v2",
            "https://doi.org/10.1109/cvpr.2016.90",
            "http://dx.doi.org/10.1109/CVPR.2016.90",
            "https://dblp.org/rec/conf/cvpr/HeZRS16",
            "https://dblp.uni-trier.de/db/conf/cvpr/cvpr2016.html",
            "https://www.example.org/resnet.pdf",
            "https://www.example.org/resnet.pdf",
            "ftp://example.org/resnet.ps",
            "https://openreview.net/forum?id=abc",
        ],
    )
    assert paper.links == [
        ("arXiv", "https://arxiv.org/abs/1512.03385"),
        ("DOI", "https://doi.org/10.1109/cvpr.2016.90"),
        ("example.org", "https://www.example.org/resnet.pdf"),
        ("openreview.net", "https://openreview.net/forum?id=abc"),
        ("Google Scholar", paper.scholar_url),
    ]
    html = client.get(paper.get_absolute_url()).content.decode()
    assert 'href="https://openreview.net/forum?id=abc"' in html and "dblp.org" not in html


def test_paper_title_links_to_its_venue_at_its_year(client):
    dated = make_paper(bibtex_key="conf/nips/Dated15", year=2015)
    undated = make_paper(bibtex_key="conf/nips/Undated", year=None)
    html = client.get(dated.get_absolute_url()).content.decode()
    assert '<a href="/venue?key=conf/nips&amp;year=2015"><em>NIPS</em></a> – <em>2015</em>' in html
    html = client.get(undated.get_absolute_url()).content.decode()
    assert '<a href="/venue?key=conf/nips"><em>NIPS</em></a> via' in html


def test_paper_page_unknown_key_is_a_friendly_404(client):
    response = client.get("/paper", {"bibtexKey": "conf/nope/Missing99"})
    assert response.status_code == 404
    html = response.content.decode()
    assert "Unknown paper: conf/nope/Missing99" in html
    assert "<title>Not found · ShortScience</title>" in html


def test_paper_page_without_key_is_404(client):
    assert client.get("/paper").status_code == 404


@pytest.mark.parametrize(
    "given",
    [
        "1512.03385",
        "1512.03385v2",
        "arXiv:1512.03385",
        "https://arxiv.org/abs/1512.03385v1",
        "http://arxiv.org/pdf/1512.03385.pdf",
        "https://arxiv.org/pdf/1512.03385v3",
    ],
)
def test_paper_page_redirects_arxiv_ids_and_urls_to_canonical_key(client, given):
    make_paper(bibtex_key="journals/corr/1512.03385", arxiv_id="1512.03385", source="arxiv")
    response = client.get("/paper", {"bibtexKey": given})
    assert response.status_code == 301
    assert response["Location"] == "/paper?bibtexKey=journals/corr/1512.03385"


def test_paper_page_redirects_old_style_arxiv_id(client):
    make_paper(bibtex_key="journals/corr/hep-th/9901001", arxiv_id="hep-th/9901001", source="arxiv")
    response = client.get("/paper", {"bibtexKey": "hep-th/9901001v2"})
    assert response["Location"] == "/paper?bibtexKey=journals/corr/hep-th/9901001"


def test_paper_page_alias_redirects_and_keeps_focus(client):
    paper = make_paper(bibtex_key="conf/nips/RenHGS15")
    PaperAlias.objects.create(alias="DBLP:conf/nips/RenHGS15", paper=paper)
    response = client.get("/paper", {"bibtexKey": "DBLP:conf/nips/RenHGS15", "a": "joe"})
    assert response.status_code == 301
    assert response["Location"] == "/paper?bibtexKey=conf/nips/RenHGS15&a=joe"


def test_paper_page_unknown_arxiv_id_is_404(client):
    assert client.get("/paper", {"bibtexKey": "1999.99999"}).status_code == 404


def test_paper_page_query_count(client, django_assert_num_queries):
    paper = make_paper(authors=[f"Author {i}" for i in range(30)], keywords=["a", "b"])
    # paper with venue, its ordered authors, summaries, summaries citing it, the visit counter.
    with django_assert_num_queries(5):
        response = client.get(paper.get_absolute_url())
    assert response.status_code == 200
    assert "et al." in response.content.decode()


def test_venue_index_lists_venues_with_counts(client, django_assert_num_queries):
    make_paper(bibtex_key="conf/nips/A15")
    make_paper(bibtex_key="conf/nips/B15")
    make_paper(bibtex_key="conf/icml/C16", published_in="ICML")
    Venue.objects.filter(key="conf/nips").update(name="Neural Information Processing Systems")
    # 1: venues annotated with their paper counts.
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
    # 1 venue, 2 year counts, 3 paginator count, 4 papers with venue, 5 their authors.
    with django_assert_num_queries(5):
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


def test_paper_gets_venue_from_key_prefix():
    paper = make_paper(bibtex_key="conf/iccv/Girshick15", published_in="ICCV")
    assert paper.venue.key == "conf/iccv"
    assert paper.venue.label == "ICCV"
    arxiv = make_paper(bibtex_key="journals/corr/1608.06993", source="arxiv")
    assert arxiv.venue.key == "journals/corr"


def test_lookup_box_goes_straight_to_known_paper(client):
    paper = make_paper(bibtex_key="journals/corr/1512.03385", arxiv_id="1512.03385")
    for q in ("journals/corr/1512.03385", "1512.03385v1", "https://arxiv.org/abs/1512.03385"):
        response = client.get(reverse("papers:search"), {"q": q})
        assert response.status_code == 302
        assert response["Location"] == paper.get_absolute_url()


def test_lookup_box_lists_title_matches(client, django_assert_num_queries):
    make_paper(title="Faster R-CNN: Towards Real-Time Object Detection")
    make_paper(title="Fast R-CNN")
    make_paper(title="Unrelated work")
    # resolve(): key, alias; then papers with venue and their authors.
    with django_assert_num_queries(4):
        response = client.get(reverse("papers:search"), {"q": "r-cnn"})
    html = response.content.decode()
    assert "Faster R-CNN" in html and "Fast R-CNN" in html and "Unrelated" not in html
    assert '<meta name="robots" content="noindex">' in html


def test_about_page(client):
    make_paper()
    response = client.get(reverse("about"))
    assert response.status_code == 200
    assert "<title>About ShortScience</title>" in response.content.decode()


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_healthz_503_when_database_fails(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise ConnectionError("database is down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503


def test_friendly_500_page(client, settings):
    from shortscience.views import server_error

    response = server_error(None)
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_robots_txt(client):
    assert "Disallow: /search" in client.get("/robots.txt").content.decode()


def test_paper_count_is_stable_across_upserts():
    make_paper(bibtex_key="conf/x/Y")
    make_paper(bibtex_key="conf/x/Y")
    assert Paper.objects.filter(bibtex_key="conf/x/Y").count() == 1


def test_paper_page_says_when_the_source_deleted_the_record(client):
    paper = make_paper(bibtex_key="journals/corr/1601.03238", source="arxiv", arxiv_id="1601.03238")
    assert "no longer lists this record" not in client.get(paper.get_absolute_url()).content.decode()
    Paper.objects.filter(pk=paper.pk).update(withdrawn=True)
    assert "arXiv no longer lists this record" in client.get(paper.get_absolute_url()).content.decode()
