"""The data migrations that brought confirmation in: accounts/0006 confirms accounts with a verified address (and
staff); summaries/0005 takes what the others wrote out of the public counts. Run here on today's models, which
have every field they touch."""

import importlib

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps

from accounts.models import User
from summaries import services
from summaries.models import Summary
from tests.factories import UserFactory, make_summary
from tests.summaries.test_counters import assert_counters_true

pytestmark = pytest.mark.django_db

accounts_0006 = importlib.import_module("accounts.migrations.0006_user_is_confirmed")
summaries_0005 = importlib.import_module("summaries.migrations.0005_summary_author_nullable")


def test_accounts_with_a_verified_address_or_staff_are_confirmed():
    verified = UserFactory(username="verified")
    unverified = UserFactory(username="unverified", verified_email=False)
    EmailAddress.objects.create(user=unverified, email=unverified.email, verified=False, primary=True)
    bare = UserFactory(username="bare", verified_email=False)
    staff = UserFactory(username="staff", is_staff=True, verified_email=False)
    User.objects.update(is_confirmed=False)
    accounts_0006.confirm_existing(apps, None)
    confirmed = set(User.objects.filter(is_confirmed=True).values_list("username", flat=True))
    assert confirmed == {verified.username, staff.username}
    assert {unverified.username, bare.username}.isdisjoint(confirmed)


def test_what_unconfirmed_accounts_wrote_leaves_the_public_counts():
    writer, newcomer = UserFactory(username="writer"), UserFactory(username="newcomer")
    theirs = make_summary(author=newcomer)
    public = make_summary(author=writer)
    services.comment_create(summary=public, author=newcomer, body="A comment")
    services.vote_cast(summary=public, voter=newcomer, value=1)
    User.objects.filter(pk=newcomer.pk).update(is_confirmed=False)  # as accounts/0006 leaves them
    summaries_0005.counters_for_confirmation(apps, None)
    theirs.refresh_from_db()
    public.refresh_from_db()
    assert not theirs.is_listed and public.comment_count == 0 and public.score == 0
    assert Summary.objects.public_count() == 1
    assert_counters_true()
