"""No admin page runs a query per row: every registered ModelAdmin's changelist, and the change page of one of its
objects, runs as many queries with N rows of everything as with 2N, and the numbers are pinned (QUERIES), so a
new column that reads a relation per row, or a bigger change page, shows here."""

from datetime import date

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult, get_date_max

from papers.models import HarvestCheckpoint, PaperAlias
from papers.works import works_link
from summaries import services
from summaries.models import Report
from tests.factories import UserFactory, make_paper, make_summary

pytestmark = pytest.mark.django_db

N = 3

# model label: (queries of its changelist, queries of one object's change page), as a superuser.
QUERIES = {
    "auth.Group": (5, 6),
    "sites.Site": (5, 4),
    "account.EmailAddress": (5, 5),
    "django_tasks_database.DBTaskResult": (7, 4),
    "accounts.User": (4, 16),
    "papers.Author": (4, 4),
    "papers.Venue": (5, 4),
    "papers.PaperAlias": (4, 6),
    "papers.Work": (5, 5),
    "papers.HarvestCheckpoint": (5, 4),
    "papers.Paper": (4, 10),
    "summaries.Summary": (4, 9),
    "summaries.Comment": (4, 9),
    "summaries.Report": (4, 6),
    "summaries.Vote": (4, 6),
    "usersessions.UserSession": (5, 5),
    "socialaccount.SocialAccount": (6, 6),
}


def add_rows(start: int, count: int) -> None:
    """`count` more rows of every model the admin lists: papers (in works, with aliases), their authors and
    venues, summaries, comments, votes, reports on both, resolved and open, users with email addresses, jobs,
    harvest checkpoints."""
    for i in range(start, start + count):
        arxiv_id = f"1601.{i:05d}"
        paper = make_paper(bibtex_key=f"journals/corr/Paper{i}", arxiv_id=arxiv_id, title=f"Residual thing {i}")
        make_paper(
            bibtex_key=f"conf/cvpr/Paper{i}", arxiv_id=arxiv_id, title=f"Residual thing {i}.", published_in="CVPR"
        )
        PaperAlias.objects.create(alias=f"DBLP:journals/corr/Paper{i}", paper=paper)
        author = UserFactory(username=f"writer{i}")
        assert EmailAddress.objects.filter(user=author, verified=True).exists()  # the factory's
        SocialAccount.objects.create(user=author, provider="github", uid=str(1000 + i), extra_data={"login": "w"})
        UserSession.objects.create(user=author, session_key=f"session{i}", ip="192.0.2.1", user_agent="Test")
        summary = make_summary(paper=paper, author=author, body=f"Summary {i} of residual things")
        reader = UserFactory(username=f"reader{i}")
        comment = services.comment_create(summary=summary, author=reader, body=f"Comment {i}")
        services.vote_cast(summary=summary, voter=reader, value=1)
        services.report_create(reporter=reader, reason="spam", summary=summary)
        report = services.report_create(reporter=author, reason="abuse", comment=comment)
        services.reports_resolve(reports=Report.objects.filter(pk=report.pk), verdict="no-action", moderator=reader)
        HarvestCheckpoint.objects.create(name=f"harvest-{i}", from_date=date(2024, 1, 1))
        DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path="summaries.tasks.comment_notify",
            backend_name="default",
            run_after=get_date_max(),
            exception_class_path="",
            traceback="",
        )
    works_link()


def queries_of(client, url) -> int:
    ContentType.objects.clear_cache()  # each page looks its content types up, as after a restart
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def measure(client) -> dict[str, tuple[int, int]]:
    counts = {}
    for model, _ in admin.site._registry.items():
        meta = model._meta
        changelist = queries_of(client, reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        latest = model._default_manager.order_by("-pk").first()
        assert latest is not None, f"add rows of {meta.label} to add_rows(), and its counts to QUERIES"
        change = queries_of(client, reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[latest.pk]))
        counts[meta.label] = (changelist, change)
    return counts


def test_admin_pages_run_the_same_queries_with_twice_the_rows(client):
    client.force_login(UserFactory(username="superuser", is_staff=True, is_superuser=True))
    add_rows(0, N)
    with_n = measure(client)
    add_rows(N, N)
    with_2n = measure(client)
    assert with_2n == with_n
    assert with_n == QUERIES, "a page's queries changed: pin the new numbers if that was meant"
