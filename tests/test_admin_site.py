"""Issue 10 finding 5: the admin's log-in is allauth's, the one form with rate limits."""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-password-123"


def test_admin_log_in_page_is_allauths_and_keeps_next(client):
    response = client.get("/admin/summaries/summary/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fsummaries%2Fsummary%2F"
    response = client.get("/admin/login/?next=https://evil.example/")
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_admin_log_in_url_checks_no_password(client):
    UserFactory(username="root", password=PASSWORD, is_staff=True, is_superuser=True)
    response = client.post("/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/login/").status_code == 302  # no form of its own


def test_fifty_wrong_passwords_for_a_superuser_are_refused_then_the_right_one_too(client):
    """The bug: 50 wrong passwords through /admin/login/, then the right one logged in."""
    UserFactory(username="root", password=PASSWORD, is_staff=True, is_superuser=True)
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    refused = 0
    for attempt in range(50):
        response = client.post("/admin/login/", {"username": "root", "password": f"guess-{attempt}"}, **attacker)
        assert response.status_code == 302 and "_auth_user_id" not in client.session  # no password checked
        response = client.post("/accounts/login/", {"login": "root", "password": f"guess-{attempt}"}, **attacker)
        assert "_auth_user_id" not in client.session
        refused += _refused(response)
    assert refused >= 45  # the first few failures per address and account are allowed (LOGIN_FAILED_*)
    response = client.post("/accounts/login/", {"login": "root", "password": PASSWORD}, **attacker)
    assert "_auth_user_id" not in client.session
    assert _refused(response)


def _refused(response):
    """allauth's answer to a rate-limited log-in: the form's error, or a 429 past 30 log-ins a minute."""
    return response.status_code == 429 or b"Too many failed login attempts" in response.content


def test_staff_log_in_through_allauth_reaches_the_admin(client):
    UserFactory(username="moderator", password=PASSWORD, is_staff=True, is_superuser=True)
    login_url = client.get("/admin/login/?next=/admin/")["Location"]
    response = client.post(login_url, {"login": "moderator", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/login/")["Location"] == "/admin/"


def test_logged_in_user_without_staff_sees_no_access_rather_than_a_loop(client):
    client.force_login(UserFactory(username="reader"))
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert [url for url, _ in response.redirect_chain] == ["/admin/login/?next=/admin/"]
    assert "reader" in response.content.decode() and "no access to the admin" in response.content.decode()
