"""Every moderation action of the admin, by everyone: a guest, a logged-in user without staff, a staff member in no
group and a moderator who was banned (their session still open) are refused (nothing changes); a moderator (staff
in the Moderators group only) and a superuser do it. Deleting, the one action outside the job, only a superuser
does. ROLES x ACTIONS is the admin's half of the permission matrix (tests/test_permission_matrix.py is the site's)."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.moderators import MODERATORS
from papers.models import Paper
from summaries import services
from summaries.models import Comment, Report, Summary
from tests.factories import UserFactory, make_paper, make_summary

pytestmark = pytest.mark.django_db


# (changelist, action, the object it acts on, the answers of its intermediate page, did it happen?)
ACTIONS = {
    "hide a summary": (
        "summaries_summary",
        "hide",
        lambda w: [w["summary"]],
        {"reason": "Spam."},
        lambda w: Summary.objects.get(pk=w["summary"].pk).is_hidden,
    ),
    "restore a summary": (
        "summaries_summary",
        "restore",
        lambda w: [w["hidden"]],
        {},
        lambda w: not Summary.objects.get(pk=w["hidden"].pk).is_hidden,
    ),
    "re-render a summary": (
        "summaries_summary",
        "rerender",
        lambda w: [w["stale"]],
        {},
        lambda w: Summary.objects.get(pk=w["stale"].pk).body_html != "<p>stale</p>",
    ),
    "hide a comment": (
        "summaries_comment",
        "hide",
        lambda w: [w["comment"]],
        {"reason": "Rude."},
        lambda w: Comment.objects.get(pk=w["comment"].pk).is_hidden,
    ),
    "restore a comment": (
        "summaries_comment",
        "restore",
        lambda w: [w["hidden_comment"]],
        {},
        lambda w: not Comment.objects.get(pk=w["hidden_comment"].pk).is_hidden,
    ),
    "resolve a report": (
        "summaries_report",
        "resolve",
        lambda w: [w["report"]],
        {"verdict": "no-action", "note": ""},
        lambda w: Report.objects.get(pk=w["report"].pk).verdict == "no-action",
    ),
    "hide reported content": (
        "summaries_report",
        "hide_and_resolve",
        lambda w: [w["report"]],
        {"reason": "", "note": ""},
        lambda w: Report.objects.get(pk=w["report"].pk).verdict == "hidden",
    ),
    "ban reported authors": (
        "summaries_report",
        "ban_and_resolve",
        lambda w: [w["report"]],
        {"note": ""},
        lambda w: (
            Report.objects.get(pk=w["report"].pk).verdict == "banned"
            and User.objects.get(pk=w["summary"].author_id).is_banned
        ),
    ),
    "ban a user": (
        "accounts_user",
        "ban",
        lambda w: [w["spammer"]],
        {},
        lambda w: User.objects.get(pk=w["spammer"].pk).is_banned,
    ),
    "unban a user": (
        "accounts_user",
        "unban",
        lambda w: [w["banned"]],
        {},
        lambda w: not User.objects.get(pk=w["banned"].pk).is_banned,
    ),
    "merge papers": (
        "papers_paper",
        "merge",
        lambda w: [w["duplicate"], w["original"]],
        {"target": "{original}"},
        lambda w: not Paper.objects.filter(pk=w["duplicate"].pk).exists(),
    ),
    "delete users": (
        "accounts_user",
        "delete_selected",
        lambda w: [w["spammer"]],
        {"post": "yes"},
        lambda w: not User.objects.filter(pk=w["spammer"].pk).exists(),
    ),
}
# Who may run each action: everything for the two kinds of moderator, but deleting for the superuser only.
ALLOWED = {"moderator": set(ACTIONS) - {"delete users"}, "superuser": set(ACTIONS)}


@pytest.fixture
def world(moderators):
    summary = make_summary(body="A summary")
    hidden = make_summary(body="A hidden summary")
    services.summary_hidden_set(summaries=Summary.objects.filter(pk=hidden.pk), is_hidden=True, reason="x")
    stale = make_summary(body="Some *text*")
    Summary.objects.filter(pk=stale.pk).update(body_html="<p>stale</p>")
    comment = services.comment_create(summary=summary, author=UserFactory(), body="A comment")
    hidden_comment = services.comment_create(summary=summary, author=UserFactory(), body="Hidden")
    services.comment_hidden_set(comments=Comment.objects.filter(pk=hidden_comment.pk), is_hidden=True)
    banned = UserFactory()
    services.user_banned_set(users=User.objects.filter(pk=banned.pk), is_banned=True)
    return {
        "summary": summary,
        "hidden": hidden,
        "stale": stale,
        "comment": comment,
        "hidden_comment": hidden_comment,
        "report": services.report_create(reporter=UserFactory(), reason="spam", summary=summary),
        "spammer": UserFactory(),
        "banned": banned,
        "duplicate": make_paper(),
        "original": make_paper(),
    }


def client_of(role: str) -> Client:
    client = Client()
    if role == "user":
        client.force_login(UserFactory())
    elif role == "moderator":
        person = UserFactory(is_staff=True)
        person.groups.add(Group.objects.get(name=MODERATORS))
        client.force_login(person)
    elif role == "staff, no group":
        client.force_login(UserFactory(is_staff=True))
    elif role == "banned moderator":
        person = UserFactory(is_staff=True)
        person.groups.add(Group.objects.get(name=MODERATORS))
        client.force_login(person)
        services.user_banned_set(users=User.objects.filter(pk=person.pk), is_banned=True)
    elif role == "superuser":
        client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


ROLES = ["guest", "user", "staff, no group", "banned moderator", "moderator", "superuser"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(ACTIONS))
def test_who_may_run_each_admin_action(world, role, name):
    changelist, action, objects, answers, happened = ACTIONS[name]
    client = client_of(role)
    url = reverse(f"admin:{changelist}_changelist")
    data = {"action": action, "_selected_action": [obj.pk for obj in objects(world)]}
    answers = {key: value.format(original=world["original"].pk) for key, value in answers.items()}
    first = client.post(url, data)
    if first.status_code == 200:  # the intermediate page
        client.post(url, {**data, "apply": "1", **answers})
    assert happened(world) == (name in ALLOWED.get(role, set())), (role, name)
    if role in ("guest", "user"):
        assert first.status_code in (302, 403)
    if role == "banned moderator":
        assert first.status_code == 403 and "This account is suspended" in first.content.decode()
