"""The Site record allauth names in its mail comes from SITE_URL and SITE_NAME (shortscience/sites.py)."""

import pytest
from django.contrib.sites.models import Site
from django.core import mail
from django.core.management import call_command

from shortscience.checks import site_matches_site_url
from shortscience.sites import site_values
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_site_values_from_site_url():
    assert site_values("https://shortscience.example", "ShortScience") == {
        "domain": "shortscience.example",
        "name": "ShortScience",
    }
    assert site_values("http://127.0.0.1:8000", "Dev")["domain"] == "127.0.0.1:8000"


def test_the_migration_set_the_site_from_site_url():
    site = Site.objects.get_current()
    assert (site.domain, site.name) == (site_values()["domain"], "ShortScience")
    assert site_matches_site_url(databases=["default"]) == []


def test_the_check_warns_when_the_site_differs_and_site_sync_fixes_it(settings, capsys):
    Site.objects.filter(pk=settings.SITE_ID).update(domain="example.com", name="example.com")
    Site.objects.clear_cache()
    (warning,) = site_matches_site_url(databases=["default"])
    assert warning.id == "shortscience.W001" and "site_sync" in warning.hint
    assert site_matches_site_url(databases=None) == []  # only with the database checks
    call_command("site_sync")
    assert "The Site is now ShortScience" in capsys.readouterr().out
    assert site_matches_site_url(databases=["default"]) == []
    settings.SITE_URL, settings.SITE_NAME = "https://papers.example", "Papers"
    call_command("site_sync")
    assert Site.objects.get_current().domain == "papers.example"


def test_mail_subjects_name_the_site_not_example_com(client):
    UserFactory(username="forgetful", email="forgetful@example.org")
    client.post("/accounts/password/reset/", {"email": "forgetful@example.org"})
    client.post(
        "/accounts/signup/",
        {
            "username": "newbie",
            "email": "newbie@example.org",
            "password1": "a-long-pass-1234",
            "password2": "a-long-pass-1234",
        },
    )
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert message.subject.startswith("[ShortScience] ")
        assert "example.com" not in message.subject + message.body
