"""On Postgres, each homepage tab reads its first rows from its partial index, in order: no Sort, no scan of all
the summaries, no count of their comments (the planner made deterministic on a small table with
enable_seqscan off)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from summaries import services
from summaries.models import FeedTab, Summary
from tests.factories import UserFactory, make_summary
from tests.plans import plan_of

pytestmark = pytest.mark.django_db

INDEX_OF_TAB = {
    FeedTab.RECENT: "summary_listed_recent_idx",
    FeedTab.BEST: "summary_listed_best_idx",
    FeedTab.POPULAR: "summary_listed_popular_idx",
}


@pytest.mark.parametrize("tab", list(FeedTab))
def test_feed_tabs_read_their_partial_index_without_sorting(tab):
    for i in range(5):
        summary = make_summary(body=f"Summary {i}")
        services.comment_create(summary=summary, author=UserFactory(), body="c")
    make_summary(body="Private", is_private=True)
    sql, params = Summary.objects.for_feed(tab)[:10].query.sql_with_params()
    plan = plan_of(sql, params)
    assert INDEX_OF_TAB[tab] in plan, plan
    assert "Sort" not in plan and "Seq Scan" not in plan and "comment" not in plan, plan


def test_feed_count_reads_only_the_public_rows_of_an_index():
    make_summary()
    with CaptureQueriesContext(connection) as queries:
        assert Summary.objects.for_feed().count() == 1
    (query,) = queries.captured_queries
    assert "comment" not in query["sql"] and "JOIN" not in query["sql"], query["sql"]
    plan = plan_of(query["sql"], None)
    assert "summary_listed_" in plan and "Seq Scan" not in plan, plan


def test_random_reads_two_rows_through_the_public_ids_index():
    for i in range(5):
        make_summary(body=f"Summary {i}")
    make_summary(body="Private", is_private=True)
    with CaptureQueriesContext(connection) as queries:
        picked = Summary.objects.random_public()
    assert picked.is_listed
    assert 2 <= len(queries.captured_queries) <= 3  # the highest id, then the first at or after the point (or before)
    for query in queries.captured_queries:
        assert "RANDOM" not in query["sql"].upper()
        plan = plan_of(query["sql"], None)
        assert "summary_listed_id_idx" in plan and "Sort" not in plan, plan


def test_homepage_counts_no_summaries(client):
    for i in range(3):
        make_summary(body=f"Summary {i}")
    make_summary(body="Private", is_private=True)
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/").content.decode()
    assert '<strong class="public-count">3</strong>' in html
    for query in queries.captured_queries:
        assert not ("COUNT(" in query["sql"].upper() and Summary._meta.db_table in query["sql"]), query["sql"]
