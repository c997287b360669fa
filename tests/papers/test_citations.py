"""A paper as BibTeX (/paper/bibtex, papers/citations.py): valid BibTeX that reads back, through bibtexparser and
through our own importer, as the same paper: title, authors in order, accents, year, DOI. The dblp files are real
exports (tests/fixtures/bibtex/README.md says where each came from)."""

from pathlib import Path

import bibtexparser
import pytest
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors
from django.conf import settings
from django.urls import reverse

from papers.citations import latex, paper_bibtex, paper_citation, papers_bibtex
from papers.importers.bibtex import parse_bibtex
from papers.importers.records import Source
from papers.models import Paper, PaperAlias
from papers.services import paper_upsert
from tests.factories import UserFactory, make_paper, make_summary

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent.parent / "fixtures" / "bibtex"
SITE = "https://shortscience.example"  # the pages use settings.SITE_URL


def stored(record):
    paper, _ = paper_upsert(record=record)
    return Paper.objects.for_detail().get(pk=paper.pk)


def read_back(text: str):
    """The entries as bibtexparser reads them, LaTeX decoded and authors split."""
    library = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors(), LatexDecodingMiddleware()])
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    return library.entries


def test_real_dblp_entries_read_back_as_the_same_papers():
    records, problems = parse_bibtex((FIXTURES / "dblp_standard_export_118entries.bib").read_bytes())
    assert records and not problems
    papers = [stored(record) for record in records[:40]]
    again, problems = parse_bibtex(papers_bibtex(papers, site_url=SITE))
    assert problems == []
    assert len(again) == len(papers)
    for paper, record in zip(papers, again, strict=True):
        assert record.title == paper.title
        assert record.authors == paper.author_names  # in order
        assert record.year == paper.year
        assert record.doi == paper.doi


def test_accents_and_specials_are_latex_and_read_back():
    paper = make_paper(
        bibtex_key="conf/nips/OordSchmidhuber15",
        title="Gödel & Bayes: 50% of {braces}_here with $x_1^2$",
        authors=["Aäron van den Oord", "Jürgen Schmidhuber", "Łukasz Kaiser", "Research and Development Group"],
        year=2015,
    )
    paper = Paper.objects.for_detail().get(pk=paper.pk)
    text = paper_bibtex(paper, site_url=SITE)
    assert '{\\"o}' in text and "{\\&}" in text and "{\\%}" in text and "$x_1^2$" in text
    assert "ö" not in text and "ä" not in text  # plain ASCII: LaTeX escapes, for old BibTeX too
    (entry,) = read_back(text)
    assert entry.entry_type == "inproceedings"
    assert entry.key == "conf/nips/OordSchmidhuber15"
    # four people, the organisation braced as one; bibtexparser's decoding leaves split names as written
    assert entry["author"] == [
        'A{\\"a}ron van den Oord',
        'J{\\"u}rgen Schmidhuber',
        "{\\L}ukasz Kaiser",
        "{Research and Development Group}",
    ]
    (record,), _ = parse_bibtex(text)
    assert record.title == paper.title
    assert record.authors == paper.author_names


def test_an_arxiv_paper_is_a_misc_entry_with_its_eprint():
    paper = make_paper(
        bibtex_key="journals/corr/1512.03385",
        title="Deep Residual Learning for Image Recognition",
        authors=["Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun"],
        source=Source.ARXIV,
        arxiv_id="1512.03385",
        published_in="",
        year=2015,
    )
    paper = Paper.objects.for_detail().get(pk=paper.pk)
    (entry,) = read_back(paper_bibtex(paper, site_url=SITE))
    assert entry["eprint"] == "1512.03385"
    assert entry["archiveprefix"] == "arXiv"
    assert entry["url"] == "https://arxiv.org/abs/1512.03385"
    assert entry["biburl"] == SITE + paper.get_absolute_url()
    assert paper_citation(paper) == (
        "Kaiming He, Xiangyu Zhang, Shaoqing Ren and Jian Sun. Deep Residual Learning for Image Recognition. "
        "2015. https://arxiv.org/abs/1512.03385"
    )


def test_a_key_with_characters_bibtex_refuses_is_made_safe():
    paper = make_paper(bibtex_key="10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0", doi="10.1002/x")
    paper = Paper.objects.for_detail().get(pk=paper.pk)
    (entry,) = read_back(paper_bibtex(paper, site_url=SITE))
    assert "(" not in entry.key and "," not in entry.key


def test_latex_keeps_math_and_escapes_the_rest():
    assert latex("a_b $a_b$ #1") == "a{\\_}b $a_b$ {\\#}1"


def test_the_bibtex_page_serves_text_and_a_download(client, django_assert_num_queries):
    paper = make_paper(bibtex_key="conf/cvpr/HeZRS16", title="Deep Residual Learning", year=2016)
    url = reverse("papers:bibtex") + "?bibtexKey=conf/cvpr/HeZRS16"
    with django_assert_num_queries(2):  # the paper with its venue, its authors
        response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Content-Disposition" not in response
    expected = paper_bibtex(Paper.objects.for_detail().get(pk=paper.pk), site_url=settings.SITE_URL)
    assert response.content.decode() == expected
    response = client.get(url + "&download=1")
    assert response["Content-Disposition"] == 'attachment; filename="conf_cvpr_HeZRS16.bib"'


def test_the_bibtex_page_redirects_an_alias_and_refuses_an_unknown_key(client):
    paper = make_paper(bibtex_key="conf/cvpr/HeZRS16")
    PaperAlias.objects.create(alias="DBLP:conf/cvpr/HeZRS16", paper=paper)
    response = client.get(reverse("papers:bibtex") + "?bibtexKey=DBLP:conf/cvpr/HeZRS16&download=1")
    assert response.status_code == 301
    assert response["Location"] == reverse("papers:bibtex") + "?bibtexKey=conf%2Fcvpr%2FHeZRS16&download=1"
    assert client.get(reverse("papers:bibtex") + "?bibtexKey=conf/none/Nobody99").status_code == 404
    assert client.get(reverse("papers:bibtex")).status_code == 404


def test_a_profile_bib_has_the_papers_of_its_public_signed_summaries(client, django_assert_num_queries):
    author = UserFactory(username="writer")
    shown = [make_paper(title=f"Shown paper {n}") for n in range(3)]
    for paper in shown:
        make_summary(paper=paper, author=author)
    make_summary(paper=make_paper(title="A private one"), author=author, is_private=True)
    make_summary(paper=make_paper(title="An anonymous one"), author=author, is_anonymous=True)
    url = reverse("accounts:bibtex") + "?name=Writer"
    with django_assert_num_queries(4):  # the person, the paper ids, the papers with venues, their authors
        response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="writer-shortscience.bib"'
    records, problems = parse_bibtex(response.content)
    assert problems == []
    assert [r.title for r in records] == [p.title for p in reversed(shown)]  # newest summary first
    assert client.get(reverse("accounts:bibtex") + "?name=nobody").status_code == 404


def test_a_profile_links_its_bib_when_it_has_public_summaries(client):
    author = UserFactory(username="writer")
    assert "as BibTeX" not in client.get(author.get_absolute_url()).content.decode()
    make_summary(author=author)
    page = client.get(author.get_absolute_url()).content.decode()
    assert f'href="{reverse("accounts:bibtex")}?name=writer"' in page
