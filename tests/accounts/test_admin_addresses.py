"""Addresses edited in the admin keep the account's confirmation (accounts.admin.EmailAddressAdmin): marking an
address verified there publishes what the account wrote, deleting the verified one takes it back."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import User
from summaries.models import Summary
from tests.factories import UserFactory, make_summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def newcomer():
    user = UserFactory(username="newcomer", is_confirmed=False)
    address = EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    make_summary(author=user, body="Waiting summary")
    return user, address


def listed(user):
    return list(Summary.objects.filter(author=user).values_list("is_listed", flat=True))


def test_marking_an_address_verified_in_the_admin_publishes_what_the_account_wrote(client, admin_user, newcomer):
    user, address = newcomer
    assert listed(user) == [False]
    client.force_login(admin_user)
    changelist = reverse("admin:account_emailaddress_changelist")
    response = client.post(changelist, {"action": "make_verified", "_selected_action": [address.pk]})
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).is_confirmed and listed(user) == [True]


def test_editing_and_deleting_addresses_in_the_admin_keeps_the_confirmation(client, admin_user, newcomer):
    user, address = newcomer
    client.force_login(admin_user)
    change = reverse("admin:account_emailaddress_change", args=[address.pk])
    data = {"user": user.pk, "email": address.email, "verified": "on", "primary": "on"}
    assert client.post(change, data).status_code == 302
    assert User.objects.get(pk=user.pk).is_confirmed and listed(user) == [True]
    delete = reverse("admin:account_emailaddress_delete", args=[address.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not User.objects.get(pk=user.pk).is_confirmed and listed(user) == [False]


def test_deleting_addresses_in_bulk_in_the_admin_keeps_the_confirmation(client, admin_user):
    user = UserFactory(username="confirmed")
    make_summary(author=user, body="A public one")
    assert listed(user) == [True]
    client.force_login(admin_user)
    changelist = reverse("admin:account_emailaddress_changelist")
    selected = list(EmailAddress.objects.filter(user=user).values_list("pk", flat=True))
    response = client.post(changelist, {"action": "delete_selected", "_selected_action": selected, "post": "yes"})
    assert response.status_code == 302
    assert not User.objects.get(pk=user.pk).is_confirmed and listed(user) == [False]
