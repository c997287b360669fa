import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from papers.bulk import snapshot_import
from papers.models import Paper, PaperAuthor, paper_url
from tests.factories import make_paper

pytestmark = pytest.mark.django_db


def test_resolve_many_finds_each_key_as_the_paper_page_does():
    dblp = make_paper(bibtex_key="conf/icassp/AlmeidaK14", aliases=["DBLP:conf/icassp/AlmeidaK14"])
    keyed = make_paper(bibtex_key="journals/corr/1111.2011", arxiv_id="1111.2011")
    by_id = make_paper(bibtex_key="conf/x/ById", arxiv_id="2104.12255")
    by_doi = make_paper(bibtex_key="conf/x/ByDoi", doi="10.1109/cvpr.2016.90")
    keys = [
        "conf/icassp/AlmeidaK14",
        "DBLP:conf/icassp/AlmeidaK14",
        "1111.2011v2",
        "https://arxiv.org/abs/2104.12255",
        "doi:10.1109/CVPR.2016.90",
        "conf/nowhere/X",
    ]

    found = Paper.objects.resolve_many(keys)

    assert found == {keys[0]: dblp, keys[1]: dblp, keys[2]: keyed, keys[3]: by_id, keys[4]: by_doi}
    assert all(Paper.objects.resolve(key) == paper for key, paper in found.items())
    assert Paper.objects.resolve("conf/nowhere/X") is None


def test_resolve_many_prefers_the_arxiv_key_over_another_record_with_the_id():
    other = make_paper(bibtex_key="conf/x/Published", arxiv_id="1512.03385")
    keyed = make_paper(bibtex_key="journals/corr/1512.03385", arxiv_id="1512.03385")
    assert other.pk < keyed.pk
    assert Paper.objects.resolve_many(["1512.03385"]) == {"1512.03385": keyed}


@pytest.mark.parametrize("count", [1, 20])
def test_resolve_many_queries_do_not_grow_with_the_keys(count, django_assert_num_queries):
    for n in range(count):
        make_paper(bibtex_key=f"conf/x/P{n}", aliases=[f"DBLP:conf/x/P{n}"], arxiv_id=f"2101.{n:05d}")
    keys = [f"DBLP:conf/x/P{n}" for n in range(count)] + [f"2101.{n:05d}" for n in range(count)]
    keys += [f"10.1000/{n}" for n in range(count)]

    with django_assert_num_queries(5):  # keys, aliases, papers of aliases, arXiv ids, DOIs
        found = Paper.objects.resolve_many(keys)

    assert len(found) == 2 * count


def test_cite_links_give_every_key_an_address_and_known_papers_their_title(django_assert_num_queries):
    paper = make_paper(bibtex_key="conf/nips/A15", title="Paper A", aliases=["DBLP:conf/nips/A15"])

    with django_assert_num_queries(3):  # keys, aliases, papers of aliases
        links = Paper.objects.cite_links(["DBLP:conf/nips/A15", "conf/nips/Unknown"])

    assert links["DBLP:conf/nips/A15"] == (paper_url("conf/nips/A15"), "Paper A", paper.pk)
    assert links["conf/nips/Unknown"] == (paper_url("conf/nips/Unknown"), "", None)


def test_deleting_papers_deletes_their_author_rows(snapshot_records):
    """PaperAuthor.paper has no constraint in the database: Django's cascade (after a lock) removes the rows."""
    snapshot_import(items=snapshot_records()[:3])
    first, second, third = Paper.objects.order_by("bibtex_key")

    first.delete()
    Paper.objects.filter(pk=second.pk).delete()

    assert set(PaperAuthor.objects.values_list("paper_id", flat=True)) == {third.pk}


def test_resolve_many_uses_the_partial_indexes_for_any_number_of_ids():
    """Postgres proves `arxiv_id <> ''` (the partial indexes' condition) from a list of up to 100 constants only:
    past that, without the condition spelled out, the look-up would read all 2.5 M papers."""
    make_paper(bibtex_key="conf/x/One", arxiv_id="2101.00001", doi="10.1000/1")
    keys = [f"2101.{n:05d}" for n in range(150)] + [f"10.1000/{n}" for n in range(150)]
    with CaptureQueriesContext(connection) as queries:
        Paper.objects.resolve_many(keys)
    by_id = [q["sql"] for q in queries if '"arxiv_id" IN' in q["sql"] or '"doi" IN' in q["sql"]]
    assert len(by_id) == 2

    with connection.cursor() as cursor:
        # As on a big table: the papers found through indexes, not by reading them all (a plain index scan of the
        # primary key would read them all too, in order).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plans = []
        for sql in by_id:
            cursor.execute("EXPLAIN " + sql)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))

    assert "paper_arxiv_id_idx" in plans[0] and "Seq Scan" not in plans[0]
    assert "paper_doi_idx" in plans[1] and "Seq Scan" not in plans[1]
