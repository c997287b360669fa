"""On Postgres, the venue pages read a bounded number of rows through indexes, whatever the catalogue's size: the
index of venues and a venue's year tabs read stored counts (no count of papers), and a year's page reads its rows
from paper_venue_year_id_idx in order, without sorting the year's papers (the planner made deterministic on a small
table with enable_seqscan off)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from papers.models import Paper, Venue
from papers.services import paper_page_scopes
from tests.factories import make_paper
from tests.plans import plan_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def venue():
    for i in range(6):
        make_paper(bibtex_key=f"conf/nips/P{i}", year=2015 if i % 2 else None, title=f"Title {5 - i}")
    make_paper(bibtex_key="conf/icml/Q", year=2016)
    return Venue.objects.get(key="conf/nips")


@pytest.mark.parametrize("year", [2015, None])
def test_venue_year_page_reads_its_rows_in_index_order(venue, year):
    papers = Paper.objects.for_venue_year(venue, year)
    sql, params = papers[50:100].query.sql_with_params()
    plan = plan_of(sql, params)
    assert "paper_venue_year_id_idx" in plan and "Sort" not in plan and "Seq Scan" not in plan, plan
    ids = [paper.pk for paper in papers]
    assert ids == sorted(ids) and len(ids) == 3


def test_venue_index_and_year_tabs_count_no_papers(venue):
    with CaptureQueriesContext(connection) as queries:
        venues = list(Venue.objects.for_index())
        tabs = venue.year_tabs()
    assert [(v.key, v.paper_count) for v in venues] == [("conf/nips", 6), ("conf/icml", 1)]
    assert [(tab["year"], tab["count"]) for tab in tabs] == [(2015, 3), (None, 3)]
    for query in queries.captured_queries:
        assert f'"{Paper._meta.db_table}"' not in query["sql"] and "COUNT(" not in query["sql"].upper(), query["sql"]
        plan = plan_of(query["sql"], None)
        assert "Seq Scan" not in plan, plan
    assert "venue_index_idx" in plan_of(queries.captured_queries[0]["sql"], None)


def test_the_pages_a_write_invalidates_are_found_through_indexes(django_assert_num_queries):
    preprint = make_paper(bibtex_key="journals/corr/1512.03385", arxiv_id="1512.03385", title="Deep Residual")
    make_paper(bibtex_key="conf/cvpr/HeZRS16", arxiv_id="1512.03385", title="Deep Residual")
    with CaptureQueriesContext(connection) as queries:
        scopes = paper_page_scopes(paper_ids=[preprint.pk])
    assert len(scopes) == 2 and len(queries) == 2  # the paper and its other version
    for query in queries:
        assert "Seq Scan" not in plan_of(query["sql"]), query["sql"]
