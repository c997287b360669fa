"""The account flows through allauth's own views, mail read from the locmem outbox: sign-up with mandatory
confirmation, log-in by username or email, password reset and change, email change."""

import re
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from accounts.models import User
from summaries.models import Summary
from tests.factories import UserFactory, make_summary

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def link_in(message, path_start: str) -> str:
    """The path of the first link in a mail that starts with `path_start`."""
    for url in re.findall(r"https?://\S+", message.body):
        if urlsplit(url).path.startswith(path_start):
            return urlsplit(url).path
    raise AssertionError(f"no {path_start} link in {message.body!r}")


def test_sign_up_waits_for_the_confirmation_then_logs_in(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "newbie",
            "email": "newbie@example.org",
            "password1": "a-long-pass-1234",
            "password2": "a-long-pass-1234",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session
    user = User.objects.get(username="newbie")
    assert not user.is_confirmed
    # Logging in before confirming sends the mail again and does not log in.
    client.post("/accounts/login/", {"login": "newbie", "password": "a-long-pass-1234"})
    assert "_auth_user_id" not in client.session
    (message, *_) = mail.outbox
    assert message.to == ["newbie@example.org"] and message.subject == "[ShortScience] Please confirm your address"
    confirm = link_in(message, "/accounts/confirm-email/")
    page = client.get(confirm)
    assert page.status_code == 200 and "newbie@example.org" in page.content.decode()
    client.post(confirm)
    user.refresh_from_db()
    assert user.is_confirmed
    response = client.post("/accounts/login/", {"login": "newbie@example.org", "password": "a-long-pass-1234"})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize("login", ["alice", "ALICE", "alice@example.org", "Alice@Example.org"])
def test_log_in_by_username_or_email_in_any_case(client, login):
    user = UserFactory(username="alice", email="alice@example.org")
    response = client.post("/accounts/login/", {"login": login, "password": PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)


def test_password_reset_by_mail(client):
    user = UserFactory(username="forgetful", email="forgetful@example.org")
    response = client.post("/accounts/password/reset/", {"email": "forgetful@example.org"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/done/"
    (message,) = mail.outbox
    assert message.subject == "[ShortScience] Reset your password"
    reset = link_in(message, "/accounts/password/reset/key/")
    form_page = client.get(reset, follow=True)
    assert form_page.status_code == 200
    form_path = form_page.redirect_chain[-1][0] if form_page.redirect_chain else reset
    response = client.post(form_path, {"password1": "a-brand-new-pass-77", "password2": "a-brand-new-pass-77"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/key/done/"
    user.refresh_from_db()
    assert user.check_password("a-brand-new-pass-77")


def test_password_change(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get("/accounts/password/change/").status_code == 200
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "another-long-pass-55", "password2": "another-long-pass-55"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-long-pass-55")


def test_email_change_takes_effect_once_the_new_address_is_confirmed(client):
    user = UserFactory(username="mover", email="old@example.org")
    make_summary(author=user, body="Still public")
    client.force_login(user)
    response = client.post("/accounts/email/", {"action_add": "", "email": "new@example.org"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "old@example.org" and user.is_confirmed  # the old address holds until the new one is confirmed
    assert Summary.objects.get(body="Still public").is_listed
    message = mail.outbox[-1]
    assert message.to == ["new@example.org"]
    client.post(link_in(message, "/accounts/confirm-email/"))
    user.refresh_from_db()
    assert user.email == "new@example.org" and user.is_confirmed
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified")) == [("new@example.org", True)]
    assert Summary.objects.get(body="Still public").is_listed
