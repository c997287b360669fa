"""Every allauth page a person can reach answers in the site's layout, with a title that says what it is."""

import json
import re

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.socialaccount.models import SocialAccount
from django.test import Client

from tests.accounts.test_social import SOCIAL, providers, recorded, social_log_in  # noqa: F401 (fixtures)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def assert_site_page(response, title: str, status: int = 200):
    html = response.content.decode()
    assert response.status_code == status, (title, response.status_code)
    assert f"<title>{title} · ShortScience</title>" in html, re.search(r"<title>.*?</title>", html, re.S)
    assert 'class="site-header' in html or "<header" in html  # the site's layout, not allauth's bare page
    assert "<h1" in html


GUEST_PAGES = {
    "/accounts/login/": "Log in",
    "/accounts/signup/": "Sign up",
    "/accounts/password/reset/": "Reset your password",
    "/accounts/password/reset/done/": "Check your mail",
    "/accounts/password/reset/key/done/": "Password changed",
    "/accounts/confirm-email/": "Confirm your address",
    "/accounts/inactive/": "Account suspended",
    "/accounts/3rdparty/login/cancelled/": "Log-in cancelled",
}
MEMBER_PAGES = {
    "/accounts/logout/": "Log out",
    "/accounts/email/": "Email address",
    "/accounts/password/change/": "Change your password",
    "/accounts/reauthenticate/": "Confirm it is you",
    "/accounts/3rdparty/": "Connected accounts",
}


@pytest.mark.parametrize(("path", "title"), GUEST_PAGES.items())
def test_guest_pages(client, providers, path, title):  # noqa: F811
    assert_site_page(client.get(path), title)


def test_social_log_in_error_page(client):
    assert_site_page(client.get("/accounts/3rdparty/login/error/"), "Log-in failed", status=401)


@pytest.mark.parametrize(("path", "title"), MEMBER_PAGES.items())
def test_member_pages(client, providers, path, title):  # noqa: F811
    user = UserFactory()
    SocialAccount.objects.create(user=user, provider="github", uid="1", extra_data={"login": "someone"})
    client.force_login(user)
    assert_site_page(client.get(path), title)


def test_password_set_page(client):
    user = UserFactory()
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    assert_site_page(client.get("/accounts/password/set/"), "Set a password")


def test_reset_from_key_page(client):
    user = UserFactory()
    path = f"/accounts/password/reset/key/{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}/"
    response = client.get(path, follow=True)
    assert_site_page(response, "Choose a new password")
    wrong = f"/accounts/password/reset/key/{user_pk_to_url_str(user)}-wrong-key/"
    assert_site_page(Client().get(wrong), "Choose a new password")  # expired or mistyped: says so


def test_confirm_email_page(client):
    user = UserFactory(is_confirmed=False, verified_email=False)
    address = EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    key = EmailConfirmationHMAC(address).key
    assert_site_page(client.get(f"/accounts/confirm-email/{key}/"), "Confirm your address")
    assert_site_page(client.get("/accounts/confirm-email/not-a-key/"), "Confirm your address")


def test_social_sign_up_page(client, providers, recorded):  # noqa: F811
    record = json.loads((SOCIAL / "orcid_record.json").read_text())
    record["person"]["emails"]["email"] = []  # no public address: the sign-up asks for one
    recorded(
        {
            ("POST", "https://pub.orcid.org/oauth/token"): "orcid_token.json",
            ("GET", "https://pub.orcid.org/v3.0/0000-0002-1825-0097/record"): json.dumps(record).encode(),
        }
    )
    response = social_log_in(client, "orcid", "orcid.org")
    assert response["Location"] == "/accounts/3rdparty/signup/"
    assert_site_page(client.get("/accounts/3rdparty/signup/"), "Sign up")


def test_provider_log_in_page(client, providers):  # noqa: F811
    assert_site_page(client.get("/accounts/github/login/"), "Log in with GitHub")
