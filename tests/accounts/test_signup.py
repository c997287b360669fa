"""Sign-up against abuse (issue 11 scope 2): it tells nobody which addresses have an account, a honeypot field
catches robots, and allauth's limits on sign-ups and mails are set explicitly from the environment."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.forms import HONEYPOT_REFUSED
from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-password-123"


def sign_up(client, username, email, **extra):
    data = {"username": username, "email": email, "password1": PASSWORD, "password2": PASSWORD, **extra}
    return client.post(reverse("account_signup"), data, follow=True)


def page_text(response, typed="") -> str:
    """The page's visible sentences, with the address the visitor typed taken out (it is theirs to see)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return re.sub(r"<[^>]+>", " ", html).replace(typed, "<address>") if typed else re.sub(r"<[^>]+>", " ", html)


def test_signing_up_with_an_existing_address_looks_like_a_new_one_and_mails_its_owner(client):
    UserFactory(username="owner", email="owner@example.org")

    new = sign_up(client, "newcomer", "newcomer@example.org")
    client.logout()
    taken = sign_up(client, "intruder", "owner@example.org")

    assert new.redirect_chain == taken.redirect_chain == [(reverse("account_email_verification_sent"), 302)]
    assert page_text(new, "newcomer@example.org") == page_text(taken, "owner@example.org")
    assert "already registered" not in page_text(taken)
    assert not User.objects.filter(username="intruder").exists()
    to_owner = [m for m in mail.outbox if m.to == ["owner@example.org"]]
    assert len(to_owner) == 1 and "already" in to_owner[0].body.lower()  # allauth's "account already exists"
    assert [m.to for m in mail.outbox if m.to != ["owner@example.org"]] == [["newcomer@example.org"]]


def test_a_new_account_waits_for_its_address_to_be_confirmed():
    assert settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory"
    assert settings.ACCOUNT_PREVENT_ENUMERATION is True


def test_the_honeypot_is_hidden_from_people_and_left_out_of_the_tab_order(client):
    html = client.get(reverse("account_signup")).content.decode()
    block = re.search(r'<div class="honeypot" aria-hidden="true">(.*?)</div>', html, re.S)
    assert block, "the honeypot's wrapper"
    field = block.group(1)
    assert '<label for="id_website">Leave this field empty' in field
    assert 'tabindex="-1"' in field and 'autocomplete="off"' in field
    assert "style=" not in field  # hidden by its class (the CSP allows no inline style)
    css = (settings.BASE_DIR / "static/css/site.css").read_text()
    assert re.search(r"\.honeypot \{[^}]*left: -10000px", css)


def test_a_filled_honeypot_refuses_the_sign_up_without_saying_why(client):
    response = sign_up(client, "robot", "robot@example.org", website="https://spam.example")
    assert response.status_code == 200 and response.redirect_chain == []
    text = page_text(response)
    assert HONEYPOT_REFUSED in text and "honeypot" not in text.lower() and "robot" not in HONEYPOT_REFUSED.lower()
    assert not User.objects.filter(username="robot").exists() and mail.outbox == []


def test_an_empty_honeypot_signs_up(client):
    response = sign_up(client, "person", "person@example.org", website="")
    assert response.redirect_chain == [(reverse("account_email_verification_sent"), 302)]
    assert User.objects.filter(username="person").exists()


def test_allauth_rate_limits_are_set_from_the_environment():
    limits = settings.ACCOUNT_RATE_LIMITS
    assert limits["signup"] == "10/10m/ip,30/1d/ip"
    assert limits["confirm_email"] == "1/3m/key,5/1d/key"
    assert limits["reset_password"] == "20/1m/ip,5/1m/key,10/1d/key"
    assert limits["login_failed"] == "30/10m/ip,5/5m/key,20/1d/key"  # as before


def test_sign_ups_from_one_client_stop_at_the_limit(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "3/10m/ip"}
    answers = [
        client.post(
            reverse("account_signup"),
            {"username": f"bulk{n}", "email": f"bulk{n}@example.org", "password1": PASSWORD, "password2": PASSWORD},
        ).status_code
        for n in range(5)
    ]
    client.logout()
    assert answers[:3] == [302, 302, 302] and answers[3:] == [429, 429]
    assert User.objects.filter(username__startswith="bulk").count() == 3
