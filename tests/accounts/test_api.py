"""A user's summaries in the JSON API (accounts/api.py): their public summaries signed with their name, as their
profile lists them; never an anonymous one (which would name them), a private or a hidden one; a banned user or an
unknown name is a 404."""

import pytest

from accounts.models import User
from summaries import services
from summaries.models import Summary
from tests.api_client import get_json
from tests.factories import UserFactory, make_summary

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"


def test_a_users_summaries_are_their_public_signed_ones(client):
    ada = UserFactory(username="Ada", display_name="Ada Lovelace")
    signed = make_summary(author=ada, body="Signed")
    make_summary(author=ada, body="Anonymous", is_anonymous=True)
    make_summary(author=ada, body="Private", is_private=True)
    hidden = make_summary(author=ada, body="Hidden")
    services.summary_hidden_set(summaries=Summary.objects.filter(pk=hidden.pk), is_hidden=True)
    make_summary(body="Someone else's")
    data = get_json(client, "/api/user/summaries", {"name": "ada"})  # any case, as the profile
    assert [item["id"] for item in data["results"]] == [signed.pk]
    assert data["results"][0]["author"] == {"username": "Ada", "display_name": "Ada Lovelace"}
    assert data["next"] is None


def test_a_banned_or_unknown_user_is_a_404(client):
    banned = UserFactory(username="banned")
    make_summary(author=banned, body="Before the ban")
    services.user_banned_set(users=User.objects.filter(pk=banned.pk), is_banned=True)
    assert get_json(client, "/api/user/summaries", {"name": "banned"}, status=404) == {
        "detail": "There is no user called “banned”."
    }
    assert get_json(client, "/api/user/summaries", {"name": "nobody"}, status=404)["detail"]
    assert get_json(client, "/api/user/summaries", {}, status=400)["detail"] == "The parameter “name” is needed."


def test_a_users_summaries_walk_through_ties(client):
    ada = UserFactory(username="ada")
    summaries = [make_summary(author=ada, body=f"Summary {i}") for i in range(5)]
    Summary.objects.filter(pk__in=[s.pk for s in summaries]).update(edited_at=summaries[0].edited_at)
    make_summary(body="Another author's")
    ids, data = [], get_json(client, "/api/user/summaries", {"name": "ada", "limit": 2})
    while True:
        ids += [item["id"] for item in data["results"]]
        if data["next"] is None:
            break
        data = get_json(client, data["next"].removeprefix(SITE))
    assert ids == sorted((s.pk for s in summaries), reverse=True)


@pytest.mark.parametrize("n", [3, 6])
def test_a_users_summaries_queries_are_constant(client, django_assert_num_queries, n):
    ada = UserFactory(username="ada")
    for i in range(n):
        make_summary(author=ada, body=f"Summary {i}")
    with django_assert_num_queries(3):  # the user; the summaries with paper, venue and author; the authors
        assert len(get_json(client, "/api/user/summaries", {"name": "ada"})["results"]) == n
