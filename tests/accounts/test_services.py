"""accounts.services: what an unconfirmed account writes waits until it confirms; deleting an account."""

import pytest
from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction

from accounts.models import User
from accounts.services import account_delete, user_confirmed_refresh
from summaries import services
from summaries.models import AuthorStats, Comment, Summary, Vote
from tests.factories import UserFactory, make_paper, make_summary
from tests.summaries.test_counters import assert_counters_true

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer():
    """An account whose address is not confirmed yet."""
    user = UserFactory(username="newcomer", is_confirmed=False)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    return user


def test_what_an_unconfirmed_account_writes_waits_and_appears_when_it_confirms(client, newcomer):
    writer, other = UserFactory(username="writer"), UserFactory(username="reader")
    theirs = make_summary(author=newcomer, body="Waiting summary")
    public = make_summary(author=writer, body="A public one")
    services.comment_create(summary=public, author=newcomer, body="Waiting comment")
    services.vote_cast(summary=public, voter=newcomer, value=1)
    public.refresh_from_db()
    theirs.refresh_from_db()
    assert not theirs.is_listed and public.comment_count == 0 and public.score == 0
    assert_counters_true()
    # Strangers see none of it; the newcomer sees their own, with the notice.
    client.force_login(other)
    page = client.get(theirs.paper.get_absolute_url()).content.decode()
    assert "Waiting summary" not in page
    assert "Waiting comment" not in client.get(public.paper.get_absolute_url()).content.decode()
    client.force_login(newcomer)
    page = client.get(theirs.paper.get_absolute_url()).content.decode()
    assert "Waiting summary" in page and "confirm your address to publish it" in page
    assert "Waiting comment" in client.get(public.paper.get_absolute_url()).content.decode()

    EmailAddress.objects.filter(user=newcomer).update(verified=True)
    assert user_confirmed_refresh(user=newcomer) is True
    theirs.refresh_from_db()
    public.refresh_from_db()
    assert theirs.is_listed and public.comment_count == 1 and public.score == 1
    assert_counters_true()
    client.force_login(other)
    assert "Waiting summary" in client.get(theirs.paper.get_absolute_url()).content.decode()


def test_losing_the_verified_address_unpublishes_again():
    user = UserFactory()
    summary = make_summary(author=user)
    EmailAddress.objects.filter(user=user).delete()
    assert user_confirmed_refresh(user=user) is False
    summary.refresh_from_db()
    assert not summary.is_listed and not User.objects.get(pk=user.pk).is_confirmed
    assert_counters_true()


def test_staff_are_confirmed():
    staff = UserFactory(is_staff=True, is_confirmed=False, verified_email=False)
    assert user_confirmed_refresh(user=staff) is True


def test_a_private_summary_of_an_unconfirmed_account_is_not_shared_by_its_link(client, newcomer):
    summary = make_summary(author=newcomer, is_private=True)
    client.force_login(UserFactory())
    page = client.get(summary.get_share_url())
    assert summary.body not in page.content.decode()


@pytest.fixture
def leaver():
    """An account with two summaries (one with others' votes and comments), comments and votes elsewhere."""
    user = UserFactory(username="leaver", email="leaver@example.org")
    others = [UserFactory(username=f"other{i}") for i in range(2)]
    kept = make_summary(author=user, body="Leaver's public summary")
    make_summary(author=user, body="Leaver's private one", is_private=True)
    elsewhere = make_summary(author=others[0], paper=make_paper(), body="Someone else's")
    services.vote_cast(summary=kept, voter=others[1], value=1)
    services.comment_create(summary=kept, author=others[1], body="Nice")
    services.comment_create(summary=kept, author=user, body="Thanks")
    services.comment_create(summary=elsewhere, author=user, body="Leaver's comment")
    services.vote_cast(summary=elsewhere, voter=user, value=1)
    assert_counters_true()
    return user


def test_account_delete_keeps_summaries_anonymous(leaver):
    account_delete(user=leaver, keep_summaries=True)
    assert not User.objects.filter(username="leaver").exists()
    orphans = Summary.objects.filter(author__isnull=True)
    assert orphans.count() == 2 and all(s.is_anonymous for s in orphans)
    kept = orphans.get(body="Leaver's public summary")
    assert kept.is_listed and kept.score == 1 and kept.comment_count == 1  # their own comment went
    elsewhere = Summary.objects.get(body="Someone else's")
    assert elsewhere.score == 0 and elsewhere.comment_count == 0
    assert (
        not Comment.objects.filter(body__startswith="Leaver").exists()
        and not Vote.objects.filter(value=1, summary=elsewhere).exists()
    )
    assert not EmailAddress.objects.filter(email="leaver@example.org").exists()
    assert Summary.objects.public_count() == Summary.objects.public().count()
    assert not AuthorStats.objects.filter(user_id=leaver.pk).exists()
    assert_counters_true()


def test_account_delete_can_delete_the_summaries(leaver):
    account_delete(user=leaver, keep_summaries=False)
    assert not Summary.objects.filter(body__startswith="Leaver").exists()
    assert not Summary.objects.filter(author__isnull=True).exists()
    assert Summary.objects.get(body="Someone else's").score == 0
    assert_counters_true()


def test_a_summary_without_author_must_be_anonymous():
    summary = make_summary()
    with pytest.raises(IntegrityError), transaction.atomic():
        Summary.objects.filter(pk=summary.pk).update(author=None)


def test_the_freed_address_can_sign_up_again(client, leaver):
    account_delete(user=leaver, keep_summaries=True)
    response = client.post(
        "/accounts/signup/",
        {
            "username": "back",
            "email": "leaver@example.org",
            "password1": "a-new-pass-9876",
            "password2": "a-new-pass-9876",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="back").email == "leaver@example.org"


def test_pages_show_a_summary_whose_author_left(client, leaver):
    paper = Summary.objects.get(body="Leaver's public summary").paper
    account_delete(user=leaver, keep_summaries=True)
    page = client.get(paper.get_absolute_url()).content.decode()
    assert "Leaver's public summary" in page and "Anonymous" in page
    assert client.get("/").status_code == 200
    client.force_login(UserFactory())
    assert client.get(paper.get_absolute_url()).status_code == 200
    summary = Summary.objects.get(body="Leaver's public summary")
    services.comment_create(summary=summary, author=UserFactory(), body="Still here?")  # no one to mail
    services.vote_cast(summary=summary, voter=UserFactory(), value=1)
