"""The denormalised columns of a summary (score, is_listed, comment_count, popularity), each author's AuthorStats
(the leaderboard and profiles) and the homepage's count of public summaries (SiteCounter) stay equal to what the
truth queries compute, after every kind of write, whichever way it is made (service, view or admin)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Avg, Count, Q, Sum
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from papers.models import Paper
from summaries import services
from summaries.models import (
    POPULAR_DAYS,
    AuthorStats,
    Comment,
    PaperView,
    PaperVisit,
    SiteCounter,
    Summary,
    Vote,
    listed_rule,
    view_buffer,
)
from tests.factories import UserFactory, make_paper, make_summary

pytestmark = pytest.mark.django_db


def truth(summary: Summary) -> dict:
    since = timezone.now() - timedelta(days=POPULAR_DAYS)
    votes = Vote.objects.filter(summary=summary, voter__is_banned=False, voter__is_confirmed=True)
    upvotes = votes.filter(value__gt=0, updated_at__gte=since).count()
    views = PaperVisit.objects.filter(paper_id=summary.paper_id, day__gte=since.date()).aggregate(n=Sum("count"))
    return {
        "score": votes.aggregate(n=Sum("value"))["n"] or 0,
        "is_listed": Summary.objects.filter(listed_rule(), pk=summary.pk).exists(),
        "comment_count": Comment.objects.visible().filter(summary=summary).count(),
        "popularity": upvotes * 10 + (views["n"] or 0),
    }


def assert_counters_true():
    summaries = list(Summary.objects.all())
    assert summaries
    for summary in summaries:
        stored = {"score": summary.score, "is_listed": summary.is_listed, "comment_count": summary.comment_count}
        stored["popularity"] = summary.popularity
        assert stored == truth(summary), summary
    assert set(Summary.objects.public()) == set(Summary.objects.filter(listed_rule()))
    assert_author_stats_true()


def author_truth() -> dict:
    """{user id: (public, signed, total score, average score)} from the summaries, for everyone with a public one."""
    signed = Q(is_anonymous=False)
    rows = (
        Summary.objects.filter(listed_rule(), author__isnull=False)  # not one whose author left
        .order_by()
        .values("author_id")
        .annotate(
            n=Count("pk"), s=Count("pk", filter=signed), t=Sum("score", filter=signed), a=Avg("score", filter=signed)
        )
    )
    return {row["author_id"]: (row["n"], row["s"], row["t"] or 0, row["a"]) for row in rows}


def assert_author_stats_true():
    stored = {
        stats.user_id: (stats.listed_count, stats.signed_count, stats.score_total, stats.score_average)
        for stats in AuthorStats.objects.all()
        if stats.listed_count or stats.signed_count or stats.score_total or stats.score_average is not None
    }
    assert stored == author_truth()
    assert Summary.objects.public_count() == Summary.objects.filter(listed_rule()).count()


@pytest.fixture
def world():
    """Two writers with two summaries each, commenters and voters."""
    writer, other = UserFactory(username="writer"), UserFactory(username="other")
    commenter, voter = UserFactory(username="commenter"), UserFactory(username="voter")
    paper = make_paper()
    summaries = [
        make_summary(author=writer, paper=paper),
        make_summary(author=writer),
        make_summary(author=other, paper=paper),
        make_summary(author=other, is_private=True),
    ]
    for summary in summaries:
        services.comment_create(summary=summary, author=commenter, body="A comment")
        services.comment_create(summary=summary, author=voter, body="Another")
        services.vote_cast(summary=summary, voter=voter, value=1)
    assert_counters_true()
    return {"writer": writer, "other": other, "commenter": commenter, "voter": voter, "summaries": summaries}


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(username="moderator", is_staff=True, is_superuser=True))
    return client


def summary_resave(summary, **flags):
    services.summary_save(
        paper=summary.paper,
        author=summary.author,
        body=summary.body,
        is_private=flags.get("is_private", summary.is_private),
        is_anonymous=flags.get("is_anonymous", summary.is_anonymous),
        base_version=summary.version,
    )


def test_counters_after_votes(world):
    summary = world["summaries"][0]
    services.vote_cast(summary=summary, voter=UserFactory(), value=1)
    assert_counters_true()
    services.vote_cast(summary=summary, voter=world["voter"], value=-1)
    assert_counters_true()
    services.vote_cast(summary=summary, voter=world["voter"], value=0)
    assert_counters_true()
    assert Summary.objects.get(pk=summary.pk).popularity == 10


def test_counters_after_comments_and_deletes(world, client):
    summary = world["summaries"][0]
    services.comment_create(summary=summary, author=UserFactory(), body="More")
    assert_counters_true()
    client.force_login(world["commenter"])
    comment = Comment.objects.get(summary=summary, author=world["commenter"])
    client.post(reverse("summaries:comment-create", args=[summary.pk]), {"body": "Through the view"})
    assert_counters_true()
    client.post(reverse("summaries:comment-delete", args=[comment.pk]))
    assert Comment.objects.get(pk=comment.pk).is_deleted
    assert_counters_true()
    assert Summary.objects.get(pk=summary.pk).comment_count == 3


def test_counters_after_moderators_hide_and_restore_comments(world, staff_client):
    comments = Comment.objects.filter(author=world["commenter"])
    url = reverse("admin:summaries_comment_changelist")
    staff_client.post(
        url, {"action": "hide", "_selected_action": [c.pk for c in comments], "apply": "1", "reason": "Rude."}
    )
    assert Summary.objects.filter(comment_count=1).count() == 4
    assert_counters_true()
    staff_client.post(url, {"action": "restore", "_selected_action": [comments[0].pk]})
    assert_counters_true()
    staff_client.post(url, {"action": "delete_selected", "_selected_action": [comments[1].pk], "post": "yes"})
    assert not Comment.objects.filter(pk=comments[1].pk).exists()
    assert_counters_true()


def test_counters_after_a_comment_is_edited_in_the_admin(world, staff_client):
    comment = Comment.objects.filter(author=world["commenter"]).first()
    url = reverse("admin:summaries_comment_change", args=[comment.pk])
    data = {"summary": comment.summary_id, "author": comment.author_id, "body": comment.body}
    data |= {"created_at_0": "2026-01-01", "created_at_1": "00:00:00", "is_hidden": "on"}
    assert staff_client.post(url, data).status_code == 302
    assert Comment.objects.get(pk=comment.pk).is_hidden
    assert_counters_true()


def test_counters_after_moderators_hide_and_restore_summaries(world, staff_client):
    first = world["summaries"][0]
    url = reverse("admin:summaries_summary_changelist")
    staff_client.post(url, {"action": "hide", "_selected_action": [first.pk], "apply": "1", "reason": "Spam."})
    assert not Summary.objects.get(pk=first.pk).is_listed
    assert_counters_true()
    staff_client.post(url, {"action": "restore", "_selected_action": [first.pk]})
    assert Summary.objects.get(pk=first.pk).is_listed
    assert_counters_true()


def test_counters_after_bans_and_unbans(world, staff_client):
    url = reverse("admin:accounts_user_changelist")
    staff_client.post(url, {"action": "ban", "_selected_action": [world["writer"].pk, world["commenter"].pk]})
    assert not Summary.objects.filter(author=world["writer"], is_listed=True).exists()
    assert_counters_true()
    staff_client.post(url, {"action": "unban", "_selected_action": [world["commenter"].pk]})
    assert_counters_true()
    services.user_banned_set(users=User.objects.filter(pk=world["writer"].pk), is_banned=False)
    assert_counters_true()
    assert Summary.objects.public().count() == 3
    services.user_banned_set(users=User.objects.filter(pk=world["voter"].pk), is_banned=True)  # votes stop counting
    assert_counters_true()
    assert set(Summary.objects.values_list("score", flat=True)) == {0}
    services.user_banned_set(users=User.objects.filter(pk=world["voter"].pk), is_banned=False)
    assert_counters_true()


def test_counters_after_a_ban_in_the_user_form(world, staff_client):
    user = world["other"]
    url = reverse("admin:accounts_user_change", args=[user.pk])
    data = {"username": user.username, "email": user.email, "is_active": "on", "is_banned": "on"}
    data |= {"date_joined_0": "2026-01-01", "date_joined_1": "00:00:00", "email_on_comment": "on"}
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert User.objects.get(pk=user.pk).is_banned
    assert not Summary.objects.filter(author=user, is_listed=True).exists()
    assert_counters_true()


def test_counters_after_private_and_anonymous_toggles(world):
    first, private = world["summaries"][0], world["summaries"][3]
    summary_resave(first, is_private=True)
    assert not Summary.objects.get(pk=first.pk).is_listed
    assert_counters_true()
    summary_resave(private, is_private=False, is_anonymous=True)
    assert Summary.objects.get(pk=private.pk).is_listed
    assert_counters_true()


def test_counters_after_a_summary_is_deleted(world):
    services.summary_delete(summary=world["summaries"][1], user=world["writer"])
    assert_counters_true()


def test_counters_after_a_moderator_edits_a_summarys_flags(world, staff_client):
    summary = world["summaries"][0]
    url = reverse("admin:summaries_summary_change", args=[summary.pk])
    data = {"paper": summary.paper_id, "author": summary.author_id, "body": summary.body, "is_hidden": "on"}
    data |= {"revisions-TOTAL_FORMS": "0", "revisions-INITIAL_FORMS": "0"}
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not Summary.objects.get(pk=summary.pk).is_listed
    assert_counters_true()


def test_paper_views_reach_popularity_when_the_command_runs(world, client):
    paper = world["summaries"][0].paper
    for _ in range(3):
        client.get(paper.get_absolute_url())
    assert PaperView.objects.count() == 3 and not PaperVisit.objects.exists()  # appended, not counted yet
    call_command("refresh_popularity")
    assert not PaperView.objects.exists()
    assert PaperVisit.objects.get(paper=paper).count == 3
    assert_counters_true()
    client.get(paper.get_absolute_url())
    call_command("refresh_popularity", "--counters")
    assert PaperVisit.objects.get(paper=paper).count == 4
    assert Summary.objects.get(pk=world["summaries"][0].pk).popularity == 14
    assert_counters_true()


def test_popularity_forgets_votes_and_views_older_than_a_week(world):
    old = timezone.now() - timedelta(days=POPULAR_DAYS + 1)
    Vote.objects.update(updated_at=old)
    PaperVisit.objects.create(paper=world["summaries"][0].paper, day=old.date(), count=5)
    call_command("refresh_popularity")
    assert set(Summary.objects.values_list("popularity", flat=True)) == {0}
    assert_counters_true()


def test_counters_refresh_repairs_drifted_columns(world):
    Summary.objects.update(is_listed=False, comment_count=99)
    services.summary_counters_refresh()
    assert_counters_true()


def test_counters_after_users_are_deleted_in_the_admin(world, staff_client):
    url = reverse("admin:accounts_user_changelist")
    ids = [world["commenter"].pk, world["voter"].pk]
    staff_client.post(url, {"action": "delete_selected", "_selected_action": ids, "post": "yes"})
    assert not User.objects.filter(pk__in=ids).exists()
    assert set(Summary.objects.values_list("comment_count", "popularity")) == {(0, 0)}
    assert_counters_true()
    staff_client.post(reverse("admin:accounts_user_delete", args=[world["other"].pk]), {"post": "yes"})
    assert not Summary.objects.filter(author_id=world["other"].pk).exists()
    assert_counters_true()


def test_paper_views_are_buffered_and_written_together(client, settings):
    settings.PAPER_VIEWS_BATCH = 3
    paper = make_summary().paper
    client.get(paper.get_absolute_url())
    client.get(paper.get_absolute_url())
    assert not PaperView.objects.exists()  # waiting in the process
    client.get(paper.get_absolute_url())
    assert PaperView.objects.filter(paper=paper).count() == 3  # the batch, in one INSERT


def test_buffered_views_are_written_once_old_enough_and_at_exit(client, settings, django_assert_num_queries):
    settings.PAPER_VIEWS_BATCH = 100
    settings.PAPER_VIEWS_SECONDS = 0
    paper = make_paper()
    PaperView.record(paper.pk)  # the oldest has waited long enough: written at once
    assert PaperView.objects.count() == 1
    settings.PAPER_VIEWS_SECONDS = 3600
    PaperView.record(paper.pk)
    assert PaperView.objects.count() == 1
    with django_assert_num_queries(1):
        view_buffer.flush()  # what the process does at exit
    assert PaperView.objects.count() == 2


def test_counters_after_moderators_delete_summaries(world, staff_client):
    first, second = world["summaries"][0], world["summaries"][2]
    staff_client.post(reverse("admin:summaries_summary_delete", args=[first.pk]), {"post": "yes"})
    assert not Summary.objects.filter(pk=first.pk).exists()
    assert_counters_true()
    url = reverse("admin:summaries_summary_changelist")
    staff_client.post(url, {"action": "delete_selected", "_selected_action": [second.pk], "post": "yes"})
    assert not Summary.objects.filter(pk=second.pk).exists()
    assert_counters_true()


def test_counters_after_a_moderator_gives_a_summary_to_someone_else(world, staff_client):
    summary = world["summaries"][0]
    url = reverse("admin:summaries_summary_change", args=[summary.pk])
    data = {"paper": summary.paper_id, "author": world["commenter"].pk, "body": summary.body}
    data |= {"revisions-TOTAL_FORMS": "0", "revisions-INITIAL_FORMS": "0"}
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Summary.objects.get(pk=summary.pk).author_id == world["commenter"].pk
    assert_counters_true()


def test_counters_after_moderators_edit_and_delete_votes(world, staff_client):
    vote = Vote.objects.filter(summary=world["summaries"][0]).first()
    url = reverse("admin:summaries_vote_change", args=[vote.pk])
    data = {"summary": vote.summary_id, "voter": vote.voter_id, "value": "-1"}
    data |= {"created_at_0": "2026-01-01", "created_at_1": "00:00:00"}
    data |= {"updated_at_0": "2026-01-01", "updated_at_1": "00:00:00"}
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert_counters_true()
    staff_client.post(reverse("admin:summaries_vote_delete", args=[vote.pk]), {"post": "yes"})
    assert not Vote.objects.filter(pk=vote.pk).exists()
    assert_counters_true()


def test_counters_after_papers_with_summaries_are_deleted_in_the_admin(world, staff_client):
    paper = world["summaries"][0].paper
    staff_client.post(reverse("admin:papers_paper_delete", args=[paper.pk]), {"post": "yes"})
    assert not Paper.objects.filter(pk=paper.pk).exists()
    assert_counters_true()
    other = world["summaries"][1].paper
    url = reverse("admin:papers_paper_changelist")
    staff_client.post(url, {"action": "delete_selected", "_selected_action": [other.pk], "post": "yes"})
    assert not Paper.objects.filter(pk=other.pk).exists()
    assert_counters_true()


def test_author_stats_refresh_repairs_drifted_rows(world):
    AuthorStats.objects.update(listed_count=9, signed_count=9, score_total=9, score_average=9)
    SiteCounter.objects.all().delete()
    services.author_stats_refresh()
    assert_counters_true()
