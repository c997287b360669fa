"""A ban holds everywhere (issue 11 scope 3): it ends the user's sessions at once; a session that outlived it (one
from before sessions were recorded, a request under way) is logged out at its next request with "This account is
suspended"; log-in is refused on every path; every write refuses them with that sentence even where the
middleware is not in the way; and what they wrote and their votes leave every page and count until the unban."""

import pytest
from allauth.account.utils import perform_login
from allauth.usersessions.models import UserSession
from django.contrib.auth import SESSION_KEY
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.middleware import SessionMiddleware
from django.contrib.sessions.models import Session
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.models import User
from shortscience.admin_site import AdminSite
from summaries import services
from summaries.limits import SUSPENDED
from summaries.models import AuthorStats, Comment, Report, SiteCounter, Summary, Vote
from tests.factories import UserFactory, make_paper, make_summary
from tests.url_patterns import all_patterns

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-password-123"
MIDDLEWARE = "accounts.middleware.SuspendedAccountMiddleware"


def ban(user, is_banned=True):
    services.user_banned_set(users=User.objects.filter(pk=user.pk), is_banned=is_banned)
    user.refresh_from_db()


def ban_behind_the_sessions_back(user):
    """The flag alone, as if the ban committed while this session's request was under way: the session lives."""
    User.objects.filter(pk=user.pk).update(is_banned=True)


def log_in(client, username):
    response = client.post(reverse("account_login"), {"login": username, "password": PASSWORD})
    assert response.status_code == 302 and SESSION_KEY in client.session
    return response


@pytest.fixture
def world():
    """A banned-to-be user with a summary, a comment and a vote on someone else's summary, and a report."""
    spammer = UserFactory(username="spammer", password=PASSWORD)
    writer = UserFactory(username="writer", password=PASSWORD)
    paper = make_paper(bibtex_key="conf/nips/Banned15")
    own = make_summary(paper=paper, author=spammer, body="Buy cheap pills")
    theirs = make_summary(paper=paper, author=writer, body="A fine summary")
    comment = services.comment_create(summary=theirs, author=spammer, body="Visit my site")
    writers_comment = services.comment_create(summary=own, author=writer, body="Spam?")
    services.vote_cast(summary=theirs, voter=spammer, value=1)
    return {
        "spammer": spammer,
        "writer": writer,
        "paper": paper,
        "own": own,
        "theirs": theirs,
        "comment": comment,
        "writers_comment": writers_comment,
    }


def test_a_ban_ends_every_session_of_the_user_at_once(world):
    laptop, phone, bystander = Client(), Client(), Client()
    log_in(laptop, "spammer")
    log_in(phone, "spammer")
    log_in(bystander, "writer")
    assert UserSession.objects.filter(user=world["spammer"]).count() == 2

    ban(world["spammer"])

    assert not UserSession.objects.filter(user=world["spammer"]).exists()
    for client in (laptop, phone):  # logged out on the server, whatever the browser does next
        assert SESSION_KEY not in Session.objects.get(session_key=client.cookies["sessionid"].value).get_decoded()
    for client in (laptop, phone):  # the next click says why, once; then they are a guest
        response = client.get(reverse("accounts:settings"))
        assert response.status_code == 403 and "This account is suspended" in response.content.decode()
        response = client.get(reverse("accounts:settings"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert bystander.get(reverse("accounts:settings")).status_code == 200  # someone else's session stays


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_session_that_outlived_the_ban_is_logged_out_at_its_next_request(client, world, method):
    client.force_login(world["spammer"])  # not a recorded session: as one from before sessions were recorded
    ban_behind_the_sessions_back(world["spammer"])
    url = reverse("summaries:comment-create", args=[world["theirs"].pk])
    response = client.get("/") if method == "GET" else client.post(url, {"body": "More spam"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>This account is suspended.</h1>" in html and 'class="site-header' in html  # the site's layout
    assert SESSION_KEY not in client.session
    assert client.get("/").status_code == 200  # a guest now
    assert Comment.objects.filter(author=world["spammer"]).count() == 1


def test_the_suspended_answer_to_the_pages_scripts_is_json(client, world):
    client.force_login(world["spammer"])
    ban_behind_the_sessions_back(world["spammer"])
    url = reverse("summaries:vote", args=[world["theirs"].pk])
    response = client.post(url, {"value": "-1"}, headers={"x-requested-with": "fetch", "accept": "application/json"})
    assert response.status_code == 403 and response.json() == {"error": SUSPENDED}


# --- Every POST endpoint, as a banned user still logged in ------------------------------------------------------


def path_values(world) -> dict:
    return {
        "paper_id": world["paper"].pk,
        "summary_id": world["theirs"].pk,
        "comment_id": world["comment"].pk,
        "app_label": "summaries",
        "object_id": world["theirs"].pk,
    }


def post_paths(world):
    """Every URL pattern of the site (own, allauth's, the admin's) from the resolver, with real ids in its path."""
    values = path_values(world)
    paths = []
    for pattern in all_patterns():
        path = pattern.path(**{name: values.get(name, "1") for name in pattern.path_params})
        if path is not None:
            paths.append((pattern, path))
    return paths


def writes_of(user) -> dict:
    user = User.objects.get(pk=user.pk)
    return {
        "summaries": list(Summary.objects.filter(author=user).values_list("pk", "body", "version")),
        "comments": list(Comment.objects.filter(author=user).values_list("pk", "body", "is_deleted")),
        "votes": list(Vote.objects.filter(voter=user).values_list("pk", "value")),
        "reports": Report.objects.filter(reporter=user).count(),
        "profile": (user.display_name, user.bio, user.email, user.username, user.is_banned),
        "staff": (user.is_staff, user.is_superuser),
    }


FORM = {
    "body": "Spam again",
    "value": "-1",
    "reason": "spam",
    "summary": "{summary_id}",
    "display_name": "Spammer",
    "bio": "Buy",
    "orcid": "",
    "email": "new@example.org",
    "action": "delete_selected",
    "base_version": "1",
    "password": PASSWORD,
    "oldpassword": PASSWORD,
    "password1": "another-long-password-9",
    "password2": "another-long-password-9",
}


def form_for(world):
    return {key: value.format(**path_values(world)) for key, value in FORM.items()}


def test_every_post_endpoint_answers_a_banned_user_still_logged_in_that_the_account_is_suspended(world):
    spammer = world["spammer"]
    spammer.is_staff = spammer.is_superuser = True  # the admin's pages too, which staff could otherwise reach
    spammer.save()
    ban_behind_the_sessions_back(spammer)
    before = writes_of(spammer)
    paths = post_paths(world)
    assert len(paths) > 40  # own, allauth's and the admin's
    for pattern, path in paths:
        client = Client()
        client.force_login(spammer)
        with transaction.atomic():
            response = client.post(path, form_for(world))
            assert response.status_code == 403, (pattern.name, path, response.status_code)
            assert "This account is suspended" in response.content.decode(), pattern.name
            assert writes_of(spammer) == before, pattern.name
            transaction.set_rollback(True)


def test_every_own_write_refuses_a_banned_user_even_without_the_middleware(settings, world):
    """The views and services check too (a unit test of a view, a middleware left out, the race with a ban):
    each own URL answers a banned user's POST with the suspended page, or does not take POST at all."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE]
    ban_behind_the_sessions_back(world["spammer"])
    before = writes_of(world["spammer"])
    refused = set()
    for pattern, path in post_paths(world):
        if not pattern.is_own or pattern.name == "admin:login":
            continue
        client = Client()
        client.force_login(world["spammer"])
        query = f"?summary={world['theirs'].pk}" if pattern.name == "summaries:report" else ""
        response = client.post(path + query, form_for(world))
        assert response.status_code in (403, 405), (pattern.name, response.status_code)
        if response.status_code == 403:
            assert "This account is suspended" in response.content.decode(), pattern.name
            refused.add(pattern.name)
        assert writes_of(world["spammer"]) == before, pattern.name
    assert {
        "summaries:save",
        "summaries:preview",
        "summaries:delete",
        "summaries:vote",
        "summaries:comment-create",
        "summaries:comment-delete",
        "summaries:report",
        "accounts:settings",
    } <= refused


def test_a_banned_voter_is_told_the_account_is_suspended_not_to_log_in(settings, world):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE]
    client = Client()
    client.force_login(world["spammer"])
    ban_behind_the_sessions_back(world["spammer"])
    spammer = User.objects.get(pk=world["spammer"].pk)
    with pytest.raises(services.NotAllowed, match="This account is suspended"):
        services.vote_cast(summary=world["theirs"], voter=spammer, value=-1)
    for write in (
        lambda: services.comment_create(summary=world["theirs"], author=spammer, body="x"),
        lambda: services.report_create(reporter=spammer, reason="spam", summary=world["theirs"]),
        lambda: services.comment_delete(comment=world["comment"], user=spammer),
        lambda: services.summary_delete(summary=world["own"], user=spammer),
    ):
        with pytest.raises(services.NotAllowed, match="This account is suspended"):
            write()
    response = client.post(reverse("summaries:vote", args=[world["theirs"].pk]), {"value": "-1"})
    assert response.status_code == 403 and "Log in to vote" not in response.content.decode()


# --- Log-in, every path -----------------------------------------------------------------------------------------


def test_log_in_is_refused_to_a_banned_user_with_the_suspended_page(client, world):
    ban(world["spammer"])
    for login in ("spammer", "spammer@example.org"):
        response = client.post(reverse("account_login"), {"login": login, "password": PASSWORD})
        assert response.status_code == 403 and "This account is suspended" in response.content.decode()
        assert SESSION_KEY not in client.session


def test_the_social_log_in_path_refuses_a_banned_user(world):
    """allauth's social log-in ends in the same perform_login (its adapter's pre_login) as every other log-in."""
    ban(world["spammer"])
    request = RequestFactory().get("/accounts/github/login/callback/")
    SessionMiddleware(lambda r: None).process_request(request)
    request._messages = FallbackStorage(request)
    response = perform_login(request, world["spammer"])
    assert response.status_code == 403 and "This account is suspended" in response.content.decode()
    assert SESSION_KEY not in request.session


def test_a_banned_staff_member_gets_no_admin(settings, client, world):
    staff = UserFactory(username="badmod", password=PASSWORD, is_staff=True, is_superuser=True)
    ban(staff)
    # Their log-in: /admin/login/ sends to allauth's, which refuses.
    login_url = client.get("/admin/login/?next=/admin/")["Location"]
    response = client.post(login_url, {"login": "badmod", "password": PASSWORD})
    assert response.status_code == 403 and SESSION_KEY not in client.session
    # A session that outlived the ban, even without the middleware: the admin site refuses it.
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE]
    client = Client()
    client.force_login(staff)
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/login/?next=/admin/").status_code == 403  # "no access", not a way in
    changelist = reverse("admin:summaries_summary_changelist")
    action = {"action": "delete_selected", "_selected_action": [world["theirs"].pk], "post": "yes"}
    assert client.post(changelist, action).status_code == 302
    assert Summary.objects.filter(pk=world["theirs"].pk).exists()
    request = RequestFactory().get("/admin/")
    request.user = staff
    assert not AdminSite().has_permission(request)


# --- Their content leaves every page and count, and comes back ------------------------------------------------


def shown(client, world) -> dict:
    home = client.get("/").content.decode()
    paper = client.get(world["paper"].get_absolute_url()).content.decode()
    theirs = Summary.objects.get(pk=world["theirs"].pk)
    return {
        "home": "Buy cheap pills" in home,
        "paper page summary": "Buy cheap pills" in paper,
        "paper page comment": "Visit my site" in paper,
        "profile": client.get(reverse("accounts:profile") + "?name=spammer").status_code == 200,
        "leaderboard": "?name=spammer" in client.get(reverse("accounts:list")).content.decode(),
        "score of the summary they voted for": theirs.score,
        "comments counted on it": theirs.comment_count,
        "their public summaries": AuthorStats.objects.get(user=world["spammer"]).listed_count,
        "site's public summaries": SiteCounter.objects.value_of(SiteCounter.LISTED_SUMMARIES),
    }


def test_a_ban_takes_their_content_and_votes_off_every_page_and_count_until_the_unban(
    client, world, django_capture_on_commit_callbacks
):
    before = shown(client, world)
    assert before == {
        "home": True,
        "paper page summary": True,
        "paper page comment": True,
        "profile": True,
        "leaderboard": True,
        "score of the summary they voted for": 1,
        "comments counted on it": 1,
        "their public summaries": 1,
        "site's public summaries": 2,
    }
    with django_capture_on_commit_callbacks(execute=True):  # the cached lists' generation moves on commit
        ban(world["spammer"])
    assert shown(client, world) == {
        "home": False,
        "paper page summary": False,
        "paper page comment": False,
        "profile": False,
        "leaderboard": False,
        "score of the summary they voted for": 0,
        "comments counted on it": 0,
        "their public summaries": 0,
        "site's public summaries": 1,
    }
    with django_capture_on_commit_callbacks(execute=True):
        ban(world["spammer"], is_banned=False)
    assert shown(client, world) == before
