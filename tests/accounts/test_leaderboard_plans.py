"""On Postgres, the leaderboard and a profile's score read stored per-author totals (summaries.AuthorStats) through
indexes: no aggregate over the summaries, however many there are (the planner made deterministic on a small table
with enable_seqscan off)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from summaries import services
from summaries.models import Summary
from tests.factories import UserFactory, make_summary
from tests.plans import plan_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def writers():
    voter = UserFactory()
    people = [UserFactory(username=f"writer{i}") for i in range(4)]
    for i, person in enumerate(people):
        for _ in range(i + 1):
            summary = make_summary(author=person)
            services.vote_cast(summary=summary, voter=voter, value=1 if i % 2 else -1)
    make_summary(author=people[0], is_private=True)
    return people


def test_leaderboard_reads_the_stored_totals_in_index_order(writers):
    board = User.objects.leaderboard()[:1000]
    assert [(p.username, p.summary_count, p.average_score) for p in board] == [
        ("writer3", 4, 1.0),
        ("writer1", 2, 1.0),
        ("writer2", 3, -1.0),
        ("writer0", 1, -1.0),
    ]
    sql, params = board.query.sql_with_params()
    assert Summary._meta.db_table not in sql, sql
    plan = plan_of(sql, params)
    assert "authorstats_board_idx" in plan and "Seq Scan" not in plan, plan


def test_profile_stats_read_one_row(writers):
    with CaptureQueriesContext(connection) as queries:
        stats = Summary.objects.profile_stats(writers[2])
    assert stats == {"count": 3, "total": -3, "average": -1.0}
    (query,) = queries.captured_queries
    assert Summary._meta.db_table not in query["sql"], query["sql"]
    assert "Seq Scan" not in plan_of(query["sql"], None)


def test_a_profile_is_found_by_name_in_any_case_through_an_index():
    UserFactory(username="Ada-Lovelace")
    found = User.objects.filter(username__iexact="ada-lovelace", is_banned=False)  # as accounts.views.profile asks
    assert [u.username for u in found] == ["Ada-Lovelace"]
    sql, params = found.query.sql_with_params()
    plan = plan_of(sql, params)
    assert "user_username_upper_idx" in plan and "Seq Scan" not in plan, plan
