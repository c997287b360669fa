"""The Moderators group (accounts/0007_moderators_group): a staff member in it, and in nothing else, does every
moderation action in the admin, each one logged; and is refused what is not the job (deleting users or content,
editing groups, staff and superuser flags)."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from accounts.moderators import MODERATOR_PERMISSIONS, MODERATORS
from papers.models import Paper
from summaries import services
from summaries.models import Comment, Report, Summary
from tests.factories import UserFactory, make_paper, make_summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator(client, moderators):
    person = UserFactory(username="moderator", is_staff=True)
    person.groups.add(Group.objects.get(name=MODERATORS))
    client.force_login(person)
    client.person = person
    return client


def changelist(model: str) -> str:
    return reverse(f"admin:{model.replace('.', '_')}_changelist")


def act(client, model, action, objects, **answers):
    """Choose `action` for `objects` in the changelist; when it asks (an intermediate page), give `answers`."""
    url = changelist(model)
    data = {"action": action, "_selected_action": [obj.pk for obj in objects]}
    response = client.post(url, data)
    if response.status_code == 200:  # the page asking what the action needs
        response = client.post(url, {**data, "apply": "1", **answers})
    assert response.status_code == 302, response.content.decode()[:3000]
    return response


def logged(obj, text: str) -> bool:
    return LogEntry.objects.filter(object_id=str(obj.pk), change_message__contains=text).exists()


def test_the_group_holds_exactly_the_moderators_permissions():
    group = Group.objects.get(name=MODERATORS)  # made by the migration
    held = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert held == set(MODERATOR_PERMISSIONS)
    assert Permission.objects.filter(codename__in=["ban_user", "merge_paper"]).count() == 2


def test_a_moderator_hides_and_restores_summaries_and_comments(moderator):
    summary = make_summary(body="Spam spam spam")
    comment = services.comment_create(summary=make_summary(), author=UserFactory(), body="Buy now")
    act(moderator, "summaries.summary", "hide", [summary], reason="Advertising.")
    act(moderator, "summaries.comment", "hide", [comment], reason="Advertising.")
    summary.refresh_from_db()
    comment.refresh_from_db()
    assert (summary.is_hidden, summary.hidden_reason, comment.is_hidden) == (True, "Advertising.", True)
    assert logged(summary, "Hidden by a moderator: Advertising.") and logged(comment, "Advertising.")
    act(moderator, "summaries.summary", "restore", [summary])
    act(moderator, "summaries.comment", "restore", [comment])
    assert not Summary.objects.get(pk=summary.pk).is_hidden and not Comment.objects.get(pk=comment.pk).is_hidden
    assert logged(summary, "Restored") and logged(comment, "Restored")


def test_a_moderator_rerenders_markup(moderator):
    summary = make_summary(body="Some *text*")
    Summary.objects.filter(pk=summary.pk).update(body_html="<p>stale</p>")
    act(moderator, "summaries.summary", "rerender", [summary])
    assert Summary.objects.get(pk=summary.pk).body_html == "<p>Some <em>text</em></p>"
    assert logged(summary, "re-rendered")


def test_a_moderator_resolves_reports_with_a_verdict_all_on_the_same_target(moderator):
    summary = make_summary(body="An honest summary")
    first = services.report_create(reporter=UserFactory(), reason="wrong", summary=summary)
    second = services.report_create(reporter=UserFactory(), reason="other", summary=summary)
    queue = moderator.get(changelist("summaries.report")).content.decode()
    assert "An honest summary" in queue and summary.author.username in queue and summary.paper.bibtex_key in queue
    act(moderator, "summaries.report", "resolve", [first], verdict="no-action", note="It is fine.")
    for report in (first, second):
        report.refresh_from_db()
        assert (report.verdict, report.resolved_by_id) == ("no-action", moderator.person.pk)
        assert logged(report, "Resolved: No action needed. It is fine.")
    assert not Summary.objects.get(pk=summary.pk).is_hidden


def test_a_moderator_hides_reported_content_and_resolves(moderator):
    comment = services.comment_create(summary=make_summary(), author=UserFactory(), body="You are all idiots")
    report = services.report_create(reporter=UserFactory(), reason="abuse", comment=comment)
    act(moderator, "summaries.report", "hide_and_resolve", [report], reason="", note="")
    comment.refresh_from_db()
    assert (comment.is_hidden, comment.hidden_reason) == (True, "reported as abusive or offensive")
    assert Report.objects.get(pk=report.pk).verdict == "hidden"
    assert logged(report, "content hidden") and logged(comment, "Hidden by a moderator")


def test_a_moderator_bans_and_unbans(moderator):
    spammer = UserFactory()
    summary = make_summary(author=spammer)
    act(moderator, "accounts.user", "ban", [spammer])
    assert User.objects.get(pk=spammer.pk).is_banned
    assert not Summary.objects.public().filter(pk=summary.pk).exists()
    act(moderator, "accounts.user", "unban", [spammer])
    assert not User.objects.get(pk=spammer.pk).is_banned
    assert logged(spammer, "Banned.") and logged(spammer, "Unbanned.")


def test_a_moderator_merges_duplicate_papers_after_seeing_who_summarised_both(moderator):
    source = make_paper(bibtex_key="conf/nips/Dup15", title="Attention")
    target = make_paper(bibtex_key="conf/nips/Orig15", title="Attention.")
    writer = UserFactory(username="twicewriter")
    make_summary(paper=source, author=writer, body="First")
    make_summary(paper=target, author=writer, body="Second")
    url = changelist("papers.paper")
    data = {"action": "merge", "_selected_action": [source.pk, target.pk]}
    page = moderator.post(url, data).content.decode()
    assert "Merge these papers" in page and "twicewriter" in page
    response = moderator.post(url, {**data, "apply": "1", "target": target.pk}, follow=True)
    assert "Summarised twice by twicewriter" in response.content.decode()
    assert not Paper.objects.filter(pk=source.pk).exists()
    assert logged(target, "Merged conf/nips/Dup15 into it") and logged(source, "Merged into conf/nips/Orig15")


def test_a_moderator_sees_a_users_summaries_comments_and_reports(moderator):
    person = UserFactory(username="someone")
    summary = make_summary(author=person, paper=make_paper(bibtex_key="conf/icml/Theirs16"))
    services.comment_create(
        summary=make_summary(paper=make_paper(bibtex_key="conf/icml/Commented16")), author=person, body="A remark"
    )
    services.report_create(
        reporter=person, reason="spam", summary=make_summary(paper=make_paper(bibtex_key="conf/icml/ReportedByThem16"))
    )
    services.report_create(reporter=UserFactory(), reason="abuse", summary=summary)
    page = moderator.get(reverse("admin:accounts_user_change", args=[person.pk])).content.decode()
    for shown in (
        "Summaries (1)",
        "Comments (1)",
        "Reports made (1)",
        "Reports received (1)",
        "conf/icml/Theirs16",
        "conf/icml/Commented16",
        "conf/icml/ReportedByThem16",
        "Abusive or offensive",
    ):
        assert shown in page, shown


def test_a_users_record_runs_the_same_queries_however_much_they_wrote(moderator):
    def record_queries(person):
        ContentType.objects.clear_cache()
        with CaptureQueriesContext(connection) as captured:
            assert moderator.get(reverse("admin:accounts_user_change", args=[person.pk])).status_code == 200
        return len(captured)

    few, many = UserFactory(), UserFactory()
    for person, n in ((few, 1), (many, 4)):
        for _ in range(n):
            summary = make_summary(author=person)
            services.comment_create(summary=summary, author=person, body="note")
            services.report_create(reporter=person, reason="spam", summary=make_summary())
            services.report_create(reporter=UserFactory(), reason="spam", summary=summary)
    assert record_queries(few) == record_queries(many)


def test_a_moderator_cannot_do_what_is_not_the_job(moderator):
    other = UserFactory(username="victim")
    summary = make_summary()
    refused = [
        moderator.post(reverse("admin:accounts_user_delete", args=[other.pk]), {"post": "yes"}),
        moderator.post(
            reverse("admin:accounts_user_change", args=[moderator.person.pk]),
            {"username": "moderator", "is_superuser": "on", "is_staff": "on"},
        ),
        moderator.get(reverse("admin:auth_group_changelist")),
        moderator.get(reverse("admin:auth_group_add")),
        moderator.get(reverse("admin:accounts_user_add")),
        moderator.post(reverse("admin:summaries_summary_delete", args=[summary.pk]), {"post": "yes"}),
        moderator.post(reverse("admin:papers_paper_delete", args=[summary.paper_id]), {"post": "yes"}),
    ]
    assert [response.status_code for response in refused] == [403] * len(refused)
    deleting = moderator.post(
        changelist("accounts.user"), {"action": "delete_selected", "_selected_action": [other.pk], "post": "yes"}
    )
    assert deleting.status_code in (200, 302)
    moderator.person.refresh_from_db()
    assert not moderator.person.is_superuser
    assert User.objects.filter(pk=other.pk).exists() and Summary.objects.filter(pk=summary.pk).exists()
    assert not moderator.person.has_perm("accounts.change_user")


def test_a_users_record_links_to_all_of_their_summaries_comments_and_reports(moderator):
    person = UserFactory()
    summary = make_summary(author=person)
    services.comment_create(summary=summary, author=person, body="note")
    services.report_create(reporter=person, reason="spam", summary=make_summary())
    make_summary()  # someone else's
    for model, param in (
        ("summary", "author__id__exact"),
        ("comment", "author__id__exact"),
        ("report", "reporter__id__exact"),
    ):
        response = moderator.get(reverse(f"admin:summaries_{model}_changelist"), {param: person.pk})
        assert response.status_code == 200
        assert response.context["cl"].result_count == 1, model
