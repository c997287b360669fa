"""/settings/delete: leaving, from the settings page."""

import time

import pytest
from allauth.socialaccount.models import SocialAccount

from accounts.models import User
from summaries.models import Summary
from tests.factories import UserFactory, make_summary

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def test_settings_link_to_the_deletion_page_which_offers_the_export(client):
    client.force_login(UserFactory())
    assert "/settings/delete" in client.get("/settings").content.decode()
    page = client.get("/settings/delete").content.decode()
    assert (
        "/export" in page and 'name="password"' in page and "<title>Delete your account · ShortScience</title>" in page
    )


def test_a_wrong_password_keeps_the_account(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/settings/delete", {"summaries": "keep", "password": "nope"})
    assert response.status_code == 400 and "That is not your password" in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()


def test_the_right_password_deletes_and_logs_out(client):
    user = UserFactory()
    make_summary(author=user, body="Stays")
    client.force_login(user)
    response = client.post("/settings/delete", {"summaries": "keep", "password": PASSWORD}, follow=True)
    assert "Your account was deleted" in response.content.decode()
    assert not User.objects.filter(pk=user.pk).exists() and "_auth_user_id" not in client.session
    assert Summary.objects.get(body="Stays").author is None


def test_the_user_may_delete_their_summaries_too(client):
    user = UserFactory()
    make_summary(author=user, body="Goes")
    client.force_login(user)
    client.post("/settings/delete", {"summaries": "delete", "password": PASSWORD})
    assert not Summary.objects.filter(body="Goes").exists()


def test_password_attempts_are_limited(client, settings):
    settings.ACCOUNT_DELETE_RATE_LIMIT = "3/900"
    user = UserFactory()
    client.force_login(user)
    for _ in range(3):
        assert client.post("/settings/delete", {"summaries": "keep", "password": "nope"}).status_code == 400
    response = client.post("/settings/delete", {"summaries": "keep", "password": PASSWORD})
    assert response.status_code == 429 and "Too many attempts" in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()


def test_an_account_without_password_logs_in_again_with_its_provider_first(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"github": {"APPS": [{"client_id": "gh-id", "secret": "gh-secret"}]}}
    user = UserFactory(password=None)
    user.set_unusable_password()
    user.save()
    SocialAccount.objects.create(user=user, provider="github", uid="1")
    client.force_login(user)
    page = client.get("/settings/delete").content.decode()
    assert 'name="password"' not in page and "Log in again with GitHub" in page
    assert 'action="/accounts/github/login/?process=login&amp;next=%2Fsettings%2Fdelete"' in page
    response = client.post("/settings/delete", {"summaries": "keep"})
    assert response.status_code == 403 and User.objects.filter(pk=user.pk).exists()
    session = client.session  # as allauth records a provider's log-in
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [{"method": "socialaccount", "at": time.time(), "provider": "github"}]
    session.save()
    assert client.post("/settings/delete", {"summaries": "keep"}).status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()


def test_guests_are_sent_to_log_in(client):
    response = client.get("/settings/delete")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
