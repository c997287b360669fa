import pytest

from papers.models import Paper, Work
from papers.works import works_link
from tests.commands import run_command
from tests.factories import make_paper, make_summary

pytestmark = pytest.mark.django_db

RESNET = "Deep Residual Learning for Image Recognition"


def test_same_arxiv_id_links_arxiv_and_dblp_corr_records():
    arxiv = make_paper(bibtex_key="journals/corr/1512.03385", title=RESNET, arxiv_id="1512.03385", source="arxiv")
    dblp = make_paper(bibtex_key="journals/corr/HeZRS15", title=RESNET + ".", arxiv_id="1512.03385", authors=["X Y"])
    arxiv.refresh_from_db()
    assert arxiv.work_id is not None and arxiv.work_id == Paper.objects.get(pk=dblp.pk).work_id


def test_same_doi_links():
    a = make_paper(bibtex_key="10.1109/cvpr.2016.90", doi="10.1109/cvpr.2016.90", title="One title", source="crossref")
    b = make_paper(bibtex_key="conf/cvpr/HeZRS16", doi="10.1109/cvpr.2016.90", title="Another title entirely")
    assert Paper.objects.get(pk=a.pk).work_id == Paper.objects.get(pk=b.pk).work_id is not None


def test_same_title_with_a_shared_author_links():
    arxiv = make_paper(
        bibtex_key="journals/corr/1512.03385", title=RESNET, authors=["Kaiming He", "Xiangyu Zhang"], source="arxiv"
    )
    conf = make_paper(bibtex_key="conf/cvpr/HeZRS16", title=RESNET.upper() + "!", authors=["Kaiming He", "Jian Sun"])
    assert Paper.objects.get(pk=arxiv.pk).work_id == Paper.objects.get(pk=conf.pk).work_id is not None


def test_same_title_without_shared_authors_stays_apart():
    make_paper(bibtex_key="conf/a/One", title=RESNET, authors=["Alice Smith"])
    make_paper(bibtex_key="conf/b/Two", title=RESNET, authors=["Bob Jones"])
    assert not Paper.objects.exclude(work=None).exists()


def test_short_generic_titles_never_link():
    make_paper(bibtex_key="journals/x/Intro1", title="Introduction", authors=["Ann Lee"])
    make_paper(bibtex_key="journals/y/Intro2", title="Introduction", authors=["Ann Lee"])
    assert not Paper.objects.exclude(work=None).exists()


def test_reimport_does_not_duplicate_works():
    for _ in range(2):
        make_paper(bibtex_key="journals/corr/1512.03385", title=RESNET, arxiv_id="1512.03385", source="arxiv")
        make_paper(bibtex_key="journals/corr/HeZRS15", title=RESNET, arxiv_id="1512.03385")
    assert Work.objects.count() == 1


def test_link_works_command_merges_works_across_the_catalogue():
    a = make_paper(bibtex_key="journals/corr/1512.03385", title=RESNET, arxiv_id="1512.03385", doi="")
    b = make_paper(bibtex_key="conf/cvpr/HeZRS16", title="CVPR version", doi="10.1109/cvpr.2016.90")
    c = make_paper(bibtex_key="10.1109/cvpr.2016.90", title="Crossref version", doi="10.1109/cvpr.2016.90")
    # Two works, then a record that bridges them (the same arXiv id as a, the same DOI as b).
    Paper.objects.filter(pk=a.pk).update(work=Work.objects.create())
    Paper.objects.filter(pk=b.pk).update(doi="10.1109/cvpr.2016.90", arxiv_id="1512.03385")
    before = list(Paper.objects.order_by("pk").values_list("pk", "work_id"))
    out, _, status = run_command("link_works", "--dry-run")
    assert status == 0 and "Dry run, nothing written: 1 papers would change work." in out
    assert list(Paper.objects.order_by("pk").values_list("pk", "work_id")) == before

    out, _, status = run_command("link_works")
    assert status == 0 and "1 papers changed work" in out
    works = set(Paper.objects.filter(pk__in=[a.pk, b.pk, c.pk]).values_list("work_id", flat=True))
    assert len(works) == 1 and None not in works
    assert Work.objects.count() == 1
    assert "3 papers belong to a work" in out
    assert works_link() == 0  # a second run changes nothing


def test_paper_page_shows_summaries_of_every_version(client, django_assert_num_queries):
    arxiv = make_paper(
        bibtex_key="journals/corr/1512.03385",
        title=RESNET,
        authors=["Kaiming He"],
        source="arxiv",
        published_in="arXiv",
    )
    conf = make_paper(
        bibtex_key="conf/cvpr/HeZRS16", title=RESNET, authors=["Kaiming He"], published_in="CVPR", year=2016
    )
    make_summary(paper=arxiv, body="Written on the preprint")
    make_summary(paper=conf, body="Written on the conference paper")
    # paper, authors, other versions, summaries, comments, citing summaries, visit.
    with django_assert_num_queries(7):
        response = client.get(conf.get_absolute_url())
    html = response.content.decode()
    assert "Written on the preprint" in html and "Written on the conference paper" in html
    assert "Also published as:" in html and f'href="{arxiv.get_absolute_url()}"' in html
    html = client.get(arxiv.get_absolute_url()).content.decode()
    assert "Written on the conference paper" in html and "CVPR 2016" in html


@pytest.mark.parametrize("groups", [2, 12])
def test_link_works_queries_do_not_grow_with_the_number_of_groups(groups, django_assert_num_queries):
    for g in range(groups):
        for key in (f"journals/corr/1512.{g:05d}", f"conf/cvpr/Paper{g}"):
            make_paper(bibtex_key=key, title=f"{key} has its own title", arxiv_id=f"1512.{g:05d}")
    Paper.objects.update(work=None)
    Work.objects.all().delete()
    # savepoint; papers sharing an arXiv id, a DOI, a title; their works; new works; papers given them; release.
    with django_assert_num_queries(8):
        assert works_link() == 2 * groups
    works = dict(Paper.objects.values_list("bibtex_key", "work_id"))
    for g in range(groups):
        assert works[f"journals/corr/1512.{g:05d}"] == works[f"conf/cvpr/Paper{g}"] is not None
    assert len(set(works.values())) == Work.objects.count() == groups
