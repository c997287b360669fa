"""The permission matrix: every write endpoint of the site, posted by each kind of visitor, either does its write or
refuses with nothing written, exactly as MATRIX says. The endpoints come from the resolver: a new URL that accepts a
POST fails `test_every_write_endpoint_is_in_the_matrix` until it has a row.

Kinds of visitor: a guest; the author of the summary and comment the endpoint acts on; another user; an account that
has not confirmed its address (what it writes is kept but waits: tests/accounts/ prove the waiting); a banned user
whose session is still open; a moderator (staff in the Moderators group: on the site's own pages an ordinary user,
their powers are the admin's); a superuser (the same on the site's pages)."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.moderators import MODERATORS
from summaries import services
from summaries.models import Comment, Report, Summary, Vote
from tests.factories import UserFactory, make_paper, make_summary
from tests.url_patterns import all_patterns

pytestmark = pytest.mark.django_db

ROLES = ("guest", "author", "other user", "unconfirmed", "banned", "moderator", "superuser")

DONE = "done"  # the write happened
HELD = "kept, waits"  # the write happened, and it is not public until the address is confirmed
LOGIN = "log in"  # sent to log in, nothing written
NOT_FOUND = "404"  # the one 404 of something this visitor may not act on, nothing written
REFUSED = "refused"  # a sentence saying why (a vote on one's own summary), nothing written
SUSPENDED = "suspended"  # 403 "This account is suspended", nothing written, the session ended

EVERY_MEMBER = {r: DONE for r in ROLES if r not in ("guest", "banned")}


@dataclass(frozen=True)
class Endpoint:
    name: str  # the URL name
    url: Callable  # world -> address
    form: Callable  # world -> POST data
    effect: Callable  # (world, user) -> a value that the write changes
    outcomes: dict  # role -> outcome
    public: Callable | None = None  # (world, user) -> whether what they wrote shows in public (HELD: it does not)


def _summary_url(name):
    return lambda w: reverse(name, args=[w["summary"].pk])


ENDPOINTS = [
    Endpoint(
        "summaries:save",
        lambda w: reverse("summaries:save", args=[w["paper"].pk]),
        lambda w: {"body": "My own summary of it.", "base_version": str(w["base_version"])},
        lambda w, user: list(Summary.objects.filter(paper=w["paper"], author=user).values_list("version", "body")),
        {"guest": LOGIN, "banned": SUSPENDED, **EVERY_MEMBER, "unconfirmed": HELD},
        lambda w, user: Summary.objects.public().filter(paper=w["paper"], author=user).exists(),
    ),
    Endpoint(
        "summaries:preview",
        lambda w: reverse("summaries:preview"),
        lambda w: {"body": "Some *text*"},
        None,  # writes nothing: a member gets the preview
        {"guest": LOGIN, "banned": SUSPENDED, **EVERY_MEMBER},
    ),
    Endpoint(
        "summaries:delete",
        _summary_url("summaries:delete"),
        lambda w: {},
        lambda w, user: Summary.objects.filter(pk=w["summary"].pk).exists(),
        {
            "guest": LOGIN,
            "banned": SUSPENDED,
            **dict.fromkeys(EVERY_MEMBER, NOT_FOUND),
            "author": DONE,
        },
    ),
    Endpoint(
        "summaries:vote",
        _summary_url("summaries:vote"),
        lambda w: {"value": "1"},
        lambda w, user: Vote.objects.filter(summary=w["summary"], voter_id=user.pk).exists() if user else None,
        {"guest": LOGIN, "banned": SUSPENDED, **EVERY_MEMBER, "author": REFUSED, "unconfirmed": HELD},
        lambda w, user: Summary.objects.get(pk=w["summary"].pk).score > w["summary"].score,  # it counts
    ),
    Endpoint(
        "summaries:comment-create",
        _summary_url("summaries:comment-create"),
        lambda w: {"body": "A comment of mine"},
        lambda w, user: Comment.objects.filter(summary=w["summary"], author_id=user.pk).count() if user else None,
        {"guest": LOGIN, "banned": SUSPENDED, **EVERY_MEMBER, "unconfirmed": HELD},
        lambda w, user: Comment.objects.visible().filter(summary=w["summary"], author_id=user.pk).exists(),
    ),
    Endpoint(
        "summaries:comment-delete",
        lambda w: reverse("summaries:comment-delete", args=[w["comment"].pk]),
        lambda w: {},
        lambda w, user: Comment.objects.get(pk=w["comment"].pk).is_deleted,
        {"guest": LOGIN, "banned": SUSPENDED, **dict.fromkeys(EVERY_MEMBER, NOT_FOUND), "author": DONE},
    ),
    Endpoint(
        "summaries:report",
        lambda w: reverse("summaries:report") + f"?summary={w['summary'].pk}",
        lambda w: {"reason": "spam", "details": "Looks like an advert"},
        lambda w, user: Report.objects.filter(summary=w["summary"], reporter_id=user.pk).count() if user else None,
        {"guest": LOGIN, "banned": SUSPENDED, **EVERY_MEMBER},
    ),
    Endpoint(
        "accounts:delete",
        lambda w: reverse("accounts:delete"),
        lambda w: {"summaries": "keep", "password": "correct horse battery staple"},
        lambda w, user: User.objects.filter(pk=user.pk).exists() if user else None,
        {"guest": LOGIN, "banned": SUSPENDED, **EVERY_MEMBER},
    ),
    Endpoint(
        "accounts:settings",
        lambda w: reverse("accounts:settings"),
        lambda w: {"display_name": "A new name", "bio": "", "orcid": "", "email_on_comment": "on"},
        lambda w, user: User.objects.get(pk=user.pk).display_name if user else None,
        {"guest": LOGIN, "banned": SUSPENDED, **EVERY_MEMBER},
    ),
]
# POST endpoints of our own that are not writes of a signed-in member: the admin's log-in form (tests/
# test_admin_site.py covers it, banned staff included).
NOT_MEMBER_WRITES = {"admin:login"}


def make_role(role: str):
    if role == "guest":
        return None
    name = f"matrix-{role.replace(' ', '-')}"
    if role == "unconfirmed":  # signed up, address not confirmed (an older account, a social sign-up)
        user = UserFactory(username=name, is_confirmed=False, verified_email=False)
    else:
        user = UserFactory(username=name)
    if role == "moderator":
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.groups.add(Group.objects.get(name=MODERATORS))
    elif role == "superuser":
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    return User.objects.get(pk=user.pk)


@pytest.fixture
def world(moderators):
    author = UserFactory(username="matrix-author")
    paper = make_paper(title="A paper everyone may read")
    summary = make_summary(paper=make_paper(title="The summarised paper"), author=author)
    commenter = UserFactory(username="matrix-commenter")
    comment = services.comment_create(summary=summary, author=author, body="The author's own note")
    services.comment_create(summary=summary, author=commenter, body="Someone else's note")
    return {"author": author, "paper": paper, "summary": summary, "comment": comment, "base_version": 0}


def client_for(world, role):
    """The visitor and their client; the author edits their own summary's paper (so `summaries:save` is an edit);
    the banned user is logged in first and banned after, as when a moderator bans someone mid-session."""
    client = Client()
    if role == "guest":
        return None, client
    user = world["author"] if role == "author" else make_role(role)
    client.force_login(user)
    if role == "banned":
        services.user_banned_set(users=User.objects.filter(pk=user.pk), is_banned=True)
        user = User.objects.get(pk=user.pk)
    return user, client


def post_as(world, endpoint, role):
    user, client = client_for(world, role)
    if endpoint.name == "summaries:save" and role == "author":  # the author edits their summary there
        world = {**world, "paper": world["summary"].paper, "base_version": world["summary"].version}
    before = endpoint.effect(world, user) if endpoint.effect else None
    response = client.post(endpoint.url(world), endpoint.form(world))
    after = endpoint.effect(world, user) if endpoint.effect else None
    return world, user, response, before, after


def test_every_write_endpoint_is_in_the_matrix():
    """Every pattern of our own whose view takes a POST (it answers a superuser's POST with anything but 405)."""
    in_matrix = {e.name for e in ENDPOINTS} | NOT_MEMBER_WRITES
    own = {p.name: p for p in all_patterns() if p.is_own}
    user = UserFactory(username="prober", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    taking_post = set()
    for name, pattern in own.items():
        path = pattern.path(**dict.fromkeys(pattern.path_params, 1))
        if path is None:
            continue
        with transaction.atomic():
            if client.post(path, {}).status_code != 405:
                taking_post.add(name)
            transaction.set_rollback(True)
    assert taking_post - in_matrix == set(), "give these write endpoints a row in ENDPOINTS"
    assert in_matrix - taking_post == set(), "these no longer take a POST: remove them"


def test_the_matrix_names_every_role():
    for endpoint in ENDPOINTS:
        assert set(endpoint.outcomes) == set(ROLES), endpoint.name


CASES = [(e, role) for e in ENDPOINTS for role in ROLES]


@pytest.mark.parametrize(("endpoint", "role"), CASES, ids=[f"{e.name} as {role}" for e, role in CASES])
def test_permission(world, endpoint, role):
    expected = endpoint.outcomes[role]
    world, user, response, before, after = post_as(world, endpoint, role)
    body = response.content.decode()
    if expected in (DONE, HELD):
        assert response.status_code in (200, 302), (response.status_code, body[:300])
        if endpoint.effect:
            assert after != before, "nothing was written"
        if endpoint.public:
            assert endpoint.public(world, user) == (expected == DONE), "shown in public" if expected == HELD else ""
        return
    if endpoint.effect:
        assert after == before, "something was written"
    if expected == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif expected == NOT_FOUND:
        assert response.status_code == 404
    elif expected == REFUSED:
        assert response.status_code in (302, 400)
    elif expected == SUSPENDED:
        assert response.status_code == 403
        assert "This account is suspended" in body
        assert "_auth_user_id" not in response.wsgi_request.session, "the session was not ended"
    else:
        raise AssertionError(expected)


def matrix_table() -> str:
    """The matrix as a Markdown table, for the issue note: `python -c 'from tests.test_permission_matrix import
    matrix_table; print(matrix_table())'` (with DJANGO_SETTINGS_MODULE set and django.setup())."""
    lines = ["| endpoint | " + " | ".join(ROLES) + " |", "|---" * (len(ROLES) + 1) + "|"]
    for e in ENDPOINTS:
        lines.append(f"| `{e.name}` | " + " | ".join(e.outcomes[r] for r in ROLES) + " |")
    return "\n".join(lines)
