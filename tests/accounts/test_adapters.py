import re

import pytest
from django.core import mail

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_banned_user_cannot_log_in(client):
    UserFactory(username="spammer", password="a-long-password-123", is_banned=True)
    response = client.post("/accounts/login/", {"login": "spammer", "password": "a-long-password-123"})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 403 and "This account is suspended" in response.text


# --- Failed log-ins (issue 10 finding 5: ten wrong passwords from one address locked the real owner out) ---------

PASSWORD = "a-long-password-123"
STRANGER = {"REMOTE_ADDR": "198.51.100.7"}
OWNER = {"REMOTE_ADDR": "192.0.2.10"}
TOO_MANY = b"Too many failed login attempts"


@pytest.fixture
def alice():
    return UserFactory(username="alice", email="alice@example.org", password=PASSWORD)  # address confirmed


def log_in(client, login, password, address):
    response = client.post("/accounts/login/", {"login": login, "password": password}, **address)
    logged_in = "_auth_user_id" in client.session
    client.logout()
    return logged_in, response


def test_a_strangers_wrong_passwords_lock_out_the_stranger_not_the_owner(client, alice):
    answers = [log_in(client, "alice", f"guess-{n}", STRANGER)[1] for n in range(12)]
    assert [TOO_MANY in answer.content for answer in answers] == [False] * 5 + [True] * 7
    logged_in, response = log_in(client, "alice", PASSWORD, STRANGER)
    assert not logged_in and TOO_MANY in response.content  # the stranger's address stays refused for alice
    assert log_in(client, "alice", PASSWORD, OWNER)[0]  # the owner, from another address, logs in


def test_every_spelling_of_an_account_counts_as_one(client, alice):
    for n, login in enumerate(["alice", "ALICE", "alice@example.org", "Alice", "ALICE@example.org"]):
        assert TOO_MANY not in log_in(client, login, f"guess-{n}", STRANGER)[1].content
    assert TOO_MANY in log_in(client, "alice@EXAMPLE.org", "guess-5", STRANGER)[1].content


def test_one_client_is_limited_across_accounts(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "6/10m/ip,5/5m/key"}
    answers = [log_in(client, f"someone{n}", "guess", STRANGER)[1] for n in range(8)]
    assert [TOO_MANY in answer.content for answer in answers] == [False] * 6 + [True] * 2


def test_the_accounts_cap_refuses_everyone_and_a_password_reset_lets_the_owner_back_in(client, alice, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed_account": "8/1h/key"}
    for n in range(8):  # a distributed attack: 2 guesses from each of 4 addresses
        assert not log_in(client, "alice", "guess", {"REMOTE_ADDR": f"203.0.113.{n // 2}"})[0]
    logged_in, response = log_in(client, "alice", PASSWORD, OWNER)
    assert not logged_in and TOO_MANY in response.content

    response = client.post("/accounts/password/reset/", {"email": "alice@example.org"}, **OWNER)
    assert response.status_code == 302 and len(mail.outbox) == 1  # the reset mail goes out while locked out
    link = re.search(r"http://\S+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link, **OWNER)["Location"]
    new_password = "another-long-password-456"
    response = client.post(form_url, {"password1": new_password, "password2": new_password}, **OWNER)
    assert response.status_code == 302
    client.logout()
    assert log_in(client, "alice", new_password, OWNER)[0]


def test_a_successful_log_in_does_not_count(client, alice):
    for _ in range(8):
        assert log_in(client, "alice", PASSWORD, OWNER)[0]
