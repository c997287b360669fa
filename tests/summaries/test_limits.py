"""Limits on what one account writes (issue 11 scope 2): a new account posts at most a few summaries, comments
and reports an hour (429 with Retry-After, the typed text kept), counted in the shared cache; one open report per
reporter and target, however many clicks or parallel posts."""

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from summaries import services
from summaries.limits import account_is_limited
from summaries.models import Comment, Report, Summary
from tests.factories import UserFactory, make_paper, make_summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(client):
    user = UserFactory(username="newcomer")
    client.force_login(user)
    return user


def test_an_account_is_limited_while_it_is_young(settings):
    settings.NEW_ACCOUNT_HOURS = 24
    assert account_is_limited(UserFactory(date_joined=timezone.now() - timedelta(hours=23)))
    assert not account_is_limited(UserFactory(date_joined=timezone.now() - timedelta(hours=25)))


def test_an_unconfirmed_account_is_limited_however_old(settings):
    settings.NEW_ACCOUNT_HOURS = 24
    old = UserFactory(is_confirmed=False, verified_email=False, date_joined=timezone.now() - timedelta(days=400))
    assert account_is_limited(old)
    old.is_confirmed = True
    assert not account_is_limited(old)


def test_a_new_account_posts_at_most_so_many_comments_an_hour_and_keeps_its_text(client, newcomer, settings):
    settings.NEW_ACCOUNT_COMMENTS_PER_HOUR = 5
    summary = make_summary()
    url = reverse("summaries:comment-create", args=[summary.pk])
    answers = [client.post(url, {"body": f"Comment {n}"}).status_code for n in range(5)]
    assert answers == [302] * 5
    response = client.post(url, {"body": "My sixth, carefully typed"})
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 3600
    html = response.content.decode()
    assert "New accounts may post at most 5 comments an hour" in html
    assert "My sixth, carefully typed</textarea>" in html  # the text waits in the form
    fetch = client.post(url, {"body": "Again"}, headers={"x-requested-with": "fetch"})
    assert fetch.status_code == 429 and "at most 5 comments" in fetch.json()["error"] and fetch["Retry-After"]
    assert Comment.objects.filter(author=newcomer).count() == 5


def test_a_new_account_starts_at_most_so_many_summaries_an_hour_and_keeps_its_text(client, newcomer, settings):
    settings.NEW_ACCOUNT_SUMMARIES_PER_HOUR = 3
    papers = [make_paper() for _ in range(4)]
    for paper in papers[:3]:
        response = client.post(reverse("summaries:save", args=[paper.pk]), {"body": "Mine", "base_version": "0"})
        assert response.status_code == 302
    response = client.post(
        reverse("summaries:save", args=[papers[3].pk]), {"body": "A fourth one", "base_version": "0"}
    )
    assert response.status_code == 429 and response["Retry-After"]
    html = response.content.decode()
    assert "New accounts may post at most 3 new summaries an hour" in html and "A fourth one</textarea>" in html
    assert Summary.objects.filter(author=newcomer).count() == 3
    # Editing a summary already written is not a new one.
    own = Summary.objects.filter(author=newcomer).first()
    response = client.post(reverse("summaries:save", args=[own.paper_id]), {"body": "Edited", "base_version": "1"})
    assert response.status_code == 302


def test_a_new_account_sends_at_most_so_many_reports_an_hour(client, newcomer, settings):
    settings.NEW_ACCOUNT_REPORTS_PER_HOUR = 2
    summaries = [make_summary() for _ in range(3)]
    for summary in summaries[:2]:
        response = client.post(reverse("summaries:report") + f"?summary={summary.pk}", {"reason": "spam"})
        assert response.status_code == 302
    response = client.post(
        reverse("summaries:report") + f"?summary={summaries[2].pk}", {"reason": "other", "details": "Looks copied"}
    )
    assert response.status_code == 429 and response["Retry-After"]
    assert "at most 2 reports an hour" in response.content.decode() and "Looks copied</textarea>" in (
        response.content.decode()
    )
    assert Report.objects.filter(reporter=newcomer).count() == 2


def test_older_accounts_are_not_limited(client, settings):
    settings.NEW_ACCOUNT_COMMENTS_PER_HOUR = 1
    client.force_login(UserFactory(date_joined=timezone.now() - timedelta(days=30)))
    summary = make_summary()
    url = reverse("summaries:comment-create", args=[summary.pk])
    assert [client.post(url, {"body": f"C{n}"}).status_code for n in range(4)] == [302] * 4


def test_the_limit_is_counted_in_the_shared_cache(client, newcomer, settings):
    """Two app servers share the count: a second client (another server's process) sees the first's posts."""
    settings.NEW_ACCOUNT_COMMENTS_PER_HOUR = 2
    summary = make_summary()
    url = reverse("summaries:comment-create", args=[summary.pk])
    other_server = Client()
    other_server.force_login(newcomer)
    assert client.post(url, {"body": "one"}).status_code == 302
    assert other_server.post(url, {"body": "two"}).status_code == 302
    assert client.post(url, {"body": "three"}).status_code == 429


# --- One open report per reporter and target ----------------------------------------------------------------


def test_a_second_report_of_the_same_target_is_answered_kindly_and_not_stored(client, newcomer):
    summary = make_summary()
    url = reverse("summaries:report") + f"?summary={summary.pk}"
    assert client.post(url, {"reason": "spam"}).status_code == 302
    response = client.post(url, {"reason": "abuse"}, follow=True)
    assert response.status_code == 200
    assert "You have already reported this" in response.content.decode()
    assert Report.objects.filter(reporter=newcomer).count() == 1
    # Once resolved, the same reader may report it again.
    Report.objects.update(resolved_at=timezone.now())
    assert client.post(url, {"reason": "spam"}).status_code == 302
    assert Report.objects.filter(reporter=newcomer, resolved_at__isnull=True).count() == 1


def test_the_database_refuses_a_second_open_report_and_the_service_says_already_reported(monkeypatch):
    reporter, summary = UserFactory(), make_summary()
    comment = services.comment_create(summary=summary, author=UserFactory(), body="Hm")
    for target in ({"summary": summary}, {"comment": comment}):
        Report.objects.create(reporter=reporter, reason="spam", **target)
        with pytest.raises(IntegrityError), transaction.atomic():
            Report.objects.create(reporter=reporter, reason="other", **target)
    Report.objects.filter(comment=comment).delete()
    # The check before the insert missed a concurrent report (as two parallel posts do): the constraint decides.
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)
    with pytest.raises(services.AlreadyReported):
        services.report_create(reporter=reporter, reason="spam", summary=summary)
    monkeypatch.undo()
    assert Report.objects.filter(reporter=reporter).count() == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_reports_of_one_summary_make_one_row():
    reporter, summary = UserFactory(), make_summary()
    barrier = threading.Barrier(20)
    outcomes = []

    def report():
        try:
            barrier.wait()
            services.report_create(reporter=reporter, reason="spam", summary=summary)
            outcomes.append("stored")
        except services.AlreadyReported:
            outcomes.append("already")
        finally:
            connection.close()

    threads = [threading.Thread(target=report) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already"] * 19 + ["stored"]
    assert Report.objects.filter(reporter=reporter, summary=summary).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_migration_resolves_older_open_duplicates_before_it_adds_the_constraint():
    before = ("summaries", "0005_summary_author_nullable")
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    # The tables as 0005 left them, through its models: the duplicates as they were.
    old = executor.loader.project_state(before).apps
    OldSummary, OldReport = old.get_model("summaries", "Summary"), old.get_model("summaries", "Report")
    reporter, author, paper = UserFactory(username="dup"), UserFactory(username="author"), make_paper()
    summary = OldSummary.objects.create(paper_id=paper.pk, author_id=author.pk, body="x", body_html="<p>x</p>")
    now = timezone.now()
    rows = [
        OldReport.objects.create(
            reporter_id=reporter.pk, summary_id=summary.pk, reason="spam", created_at=now - timedelta(hours=h)
        )
        for h in (3, 2, 1)
    ]
    resolved = OldReport.objects.create(reporter_id=reporter.pk, summary_id=summary.pk, reason="spam", resolved_at=now)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    open_rows = list(Report.objects.filter(resolved_at__isnull=True).values_list("pk", flat=True))
    assert open_rows == [rows[-1].pk]  # the newest stays open
    assert Report.objects.filter(pk__in=[rows[0].pk, rows[1].pk, resolved.pk], resolved_at__isnull=False).count() == 3
