"""Social log-in with GitHub, Google and ORCID, each driven through its OAuth callback with the provider's
recorded answers (tests/fixtures/social/README.md): allauth's requests go to a session that serves the files, never
the network."""

import json
import re
import time
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.core import mail

from accounts.adapters import SocialAccountAdapter
from accounts.models import User
from tests.factories import UserFactory, make_summary
from tests.http_replay import FIXTURES

pytestmark = pytest.mark.django_db

SOCIAL = FIXTURES / "social"
GOOGLE_CLIENT_ID = "google-client-id.apps.googleusercontent.com"


class RecordedAdapter(requests.adapters.BaseAdapter):
    """A requests transport that answers from recorded files, by method and URL (without its query); any other
    request fails the test."""

    def __init__(self, routes: dict):
        super().__init__()
        self.routes = routes
        self.sent = []

    def send(self, request, **kwargs):
        url = request.url.split("?")[0]
        self.sent.append((request.method, url))
        if (request.method, url) not in self.routes:
            raise AssertionError(f"an unrecorded request: {request.method} {request.url}")
        body = self.routes[(request.method, url)]
        response = requests.Response()
        response.status_code = 200
        response.headers["Content-Type"] = "application/json"
        response._content = body if isinstance(body, bytes) else (SOCIAL / body).read_bytes()
        response.url, response.request = request.url, request
        return response

    def close(self):
        pass


@pytest.fixture
def recorded(monkeypatch):
    """Install recorded answers: recorded({(method, url): file name or bytes}) -> the transport (its `sent`)."""

    def install(routes):
        transport = RecordedAdapter(routes)

        def session(adapter):
            sess = requests.Session()
            sess.mount("https://", transport)
            sess.mount("http://", transport)
            return sess

        monkeypatch.setattr(SocialAccountAdapter, "get_requests_session", session)
        return transport

    return install


@pytest.fixture
def providers(settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "github": {"SCOPE": ["read:user", "user:email"], "APPS": [{"client_id": "gh-id", "secret": "gh-secret"}]},
        "google": {"SCOPE": ["profile", "email"], "APPS": [{"client_id": GOOGLE_CLIENT_ID, "secret": "g-secret"}]},
        "orcid": {"APPS": [{"client_id": "APP-ORCID", "secret": "o-secret"}]},
    }


def social_log_in(client, provider: str, authorize_host: str):
    """Start the log-in (a POST, as the page's button sends it), check it goes to the provider, come back to the
    callback with a code and the state, as the provider sends the browser back."""
    start = client.post(f"/accounts/{provider}/login/", {"process": "login"})
    assert start.status_code == 302
    location = urlsplit(start["Location"])
    assert location.hostname == authorize_host
    state = parse_qs(location.query)["state"][0]
    return client.get(f"/accounts/{provider}/login/callback/", {"code": "a-code-from-the-provider", "state": state})


def confirmation_path(message) -> str:
    """The path of the confirmation link in a mail."""
    return urlsplit(re.search(r"https?://\S+/accounts/confirm-email/\S+", message.body)[0]).path


def google_token() -> bytes:
    claims = json.loads((SOCIAL / "google_id_token_claims.json").read_text())
    claims["iat"], claims["exp"] = int(time.time()), int(time.time()) + 3600
    token = json.loads((SOCIAL / "google_token.json").read_text())
    token["id_token"] = jwt.encode(claims, "not-checked-on-a-direct-token-response", algorithm="HS256")
    return json.dumps(token).encode()


def test_github_sign_up_with_a_verified_address_is_confirmed_and_logged_in(client, providers, recorded):
    sent = recorded(
        {
            ("POST", "https://github.com/login/oauth/access_token"): "github_token.json",
            ("GET", "https://api.github.com/user"): "github_user.json",
            ("GET", "https://api.github.com/user/emails"): "github_emails.json",
        }
    ).sent
    response = social_log_in(client, "github", "github.com")
    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(socialaccount__provider="github", socialaccount__uid="583231")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert user.username == "octocat" and user.email == "octocat@example.org"
    assert user.is_confirmed
    assert EmailAddress.objects.filter(user=user, email="octocat@example.org", verified=True).exists()
    assert len(sent) == 3


def test_google_sign_up_reads_the_id_token_and_is_confirmed(client, providers, recorded):
    recorded({("POST", "https://oauth2.googleapis.com/token"): google_token()})
    response = social_log_in(client, "google", "accounts.google.com")
    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(socialaccount__provider="google")
    assert SocialAccount.objects.get(user=user).uid == "110169484474386276334"
    assert user.email == "ada.lovelace@example.org" and user.is_confirmed
    assert client.session["_auth_user_id"] == str(user.pk)


def test_orcid_sign_up_fills_the_orcid_and_waits_for_the_address(client, providers, recorded):
    recorded(
        {
            ("POST", "https://pub.orcid.org/oauth/token"): "orcid_token.json",
            ("GET", "https://pub.orcid.org/v3.0/0000-0002-1825-0097/record"): "orcid_record.json",
        }
    )
    response = social_log_in(client, "orcid", "orcid.org")
    user = User.objects.get(socialaccount__provider="orcid", socialaccount__uid="0000-0002-1825-0097")
    assert user.orcid == "0000-0002-1825-0097"
    # ORCID does not say it verified the address: it is confirmed as a sign-up's is, by mail.
    assert not user.is_confirmed
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    assert mail.outbox[-1].to == ["josiah.carberry@example.org"]
    assert "[ShortScience]" in mail.outbox[-1].subject


def test_a_banned_account_cannot_log_in_with_its_provider(client, providers, recorded):
    banned = UserFactory(username="octo", email="octocat@example.org", is_banned=True)
    SocialAccount.objects.create(user=banned, provider="github", uid="583231")
    recorded(
        {
            ("POST", "https://github.com/login/oauth/access_token"): "github_token.json",
            ("GET", "https://api.github.com/user"): "github_user.json",
            ("GET", "https://api.github.com/user/emails"): "github_emails.json",
        }
    )
    response = social_log_in(client, "github", "github.com")
    assert "_auth_user_id" not in client.session
    assert response.status_code == 403 and "This account is suspended" in response.content.decode()


def test_a_provider_without_keys_is_not_offered(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    assert client.post("/accounts/github/login/").status_code == 404
    assert "github" not in client.get("/accounts/login/").content.decode().lower()


def test_the_log_in_page_offers_the_configured_providers(client, providers):
    html = client.get("/accounts/login/").content.decode()
    for path in ("/accounts/github/login/", "/accounts/google/login/", "/accounts/orcid/login/"):
        assert path in html


def test_what_a_social_sign_up_wrote_before_confirming_appears_when_it_confirms(client, providers, recorded):
    recorded(
        {
            ("POST", "https://pub.orcid.org/oauth/token"): "orcid_token.json",
            ("GET", "https://pub.orcid.org/v3.0/0000-0002-1825-0097/record"): "orcid_record.json",
        }
    )
    social_log_in(client, "orcid", "orcid.org")
    user = User.objects.get(socialaccount__provider="orcid")
    summary = make_summary(author=user)
    summary.refresh_from_db()
    assert not summary.is_listed
    response = client.post(confirmation_path(mail.outbox[-1]))
    assert response.status_code == 302
    user.refresh_from_db()
    summary.refresh_from_db()
    assert user.is_confirmed and summary.is_listed
