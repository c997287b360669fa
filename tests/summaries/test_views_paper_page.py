"""The paper page, summaries.views.paper_detail, apart from the forms posted from it (tests/summaries/test_views.py):
the two files are summaries/views.py's tests, split because together they pass 700 lines."""

import datetime
import json

import pytest

from papers.models import Paper, PaperAlias
from summaries import services
from tests.factories import UserFactory, make_paper, make_summary

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


def test_paper_page_says_when_the_source_deleted_the_record(client):
    paper = make_paper(bibtex_key="journals/corr/1601.03238", source="arxiv", arxiv_id="1601.03238")
    assert "no longer lists this record" not in client.get(paper.get_absolute_url()).content.decode()
    Paper.objects.filter(pk=paper.pk).update(withdrawn=True)
    assert "arXiv no longer lists this record" in client.get(paper.get_absolute_url()).content.decode()


def test_guest_sees_login_link_returning_to_the_paper(client):
    paper = make_paper()
    html = client.get(paper.get_absolute_url()).content.decode()
    assert "/accounts/login/?next=" in html and "%23editor" in html
    assert 'name="body"' not in html


def test_focus_view_shows_one_summary(client):
    paper = make_paper()
    first = make_summary(paper=paper, author=UserFactory(username="first"), body="First summary")
    make_summary(paper=paper, author=UserFactory(username="second"), body="Second summary")
    html = client.get(first.get_absolute_url()).content.decode()
    assert "First summary" in html and "Second summary" not in html
    response = client.get(paper.get_absolute_url() + "&a=nobody")
    assert response.status_code == 404
    assert "There is no summary" in response.content.decode()


def test_paper_page_orders_summaries_by_score(client):
    paper = make_paper()
    low = make_summary(paper=paper, body="Low rated")
    high = make_summary(paper=paper, body="High rated")
    services.vote_cast(summary=high, voter=UserFactory(), value=1)
    services.vote_cast(summary=low, voter=UserFactory(), value=-1)
    html = client.get(paper.get_absolute_url()).content.decode()
    assert html.index("High rated") < html.index("Low rated")


def test_paper_page_lists_citing_summaries(client):
    cited = make_paper(bibtex_key="conf/nips/RenHGS15", title="Faster R-CNN")
    citing_paper = make_paper(title="Mask R-CNN")
    make_summary(paper=citing_paper, body=r"Extends \cite{conf/nips/RenHGS15}.")
    make_summary(paper=make_paper(), body=r"Private \cite{conf/nips/RenHGS15}.", is_private=True)
    html = client.get(cited.get_absolute_url()).content.decode()
    assert "Cited in summaries of" in html
    assert "Mask R-CNN" in html
    cited_section = html[html.index("Cited in summaries of") :]
    assert cited_section.count("<li><a href=") == 1


def test_paper_page_query_count_with_many_summaries(client, django_assert_num_queries):
    paper = make_paper(authors=[f"Author {i}" for i in range(8)])
    for i in range(22):
        summary = make_summary(paper=paper, body=f"Summary {i} with $x_{i}$")
        services.comment_create(summary=summary, author=UserFactory(), body=f"Comment {i}")
        services.vote_cast(summary=summary, voter=UserFactory(), value=1)
    viewer = UserFactory()
    client.force_login(viewer)
    # session, user, paper, authors, summaries, their comments, the viewer's votes, citing summaries, visit.
    with django_assert_num_queries(9):
        response = client.get(paper.get_absolute_url())
    assert response.content.decode().count('class="summary') >= 22
