import pytest

from summaries import services
from tests.factories import UserFactory, make_summary

pytestmark = pytest.mark.django_db


def test_profile_shows_public_non_anonymous_summaries(client, django_assert_num_queries):
    person = UserFactory(username="writer", display_name="Ada Writer", bio="I <3 papers")
    for i in range(22):
        make_summary(author=person, body=f"Public {i}")
    make_summary(author=person, body="Private one", is_private=True)
    make_summary(author=person, body="Anonymous one", is_anonymous=True)
    # user, stats (stored, also the page count), summaries with papers and comment counts, paper authors.
    with django_assert_num_queries(4):
        response = client.get("/user", {"name": "writer"})
    html = response.content.decode()
    assert "Ada Writer" in html and "I &lt;3 papers" in html
    assert "Public 21" in html and "Private one" not in html and "Anonymous one" not in html
    assert "<title>Ada Writer's profile · ShortScience</title>" in html
    assert client.get("/user", {"name": "nobody"}).status_code == 404


def test_leaderboard_by_average_score(client, django_assert_num_queries):
    good, busy = UserFactory(username="good"), UserFactory(username="busy")
    s = make_summary(author=good)
    services.vote_cast(summary=s, voter=UserFactory(), value=1)
    for _ in range(3):
        make_summary(author=busy)
    make_summary(author=UserFactory(username="onlyprivate"), is_private=True)
    with django_assert_num_queries(1):
        html = client.get("/users").content.decode()
    assert html.index("good") < html.index("busy")
    assert "onlyprivate" not in html


def test_settings_update_profile(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        "/settings", {"display_name": "Dr. Who", "bio": "Time", "orcid": "bad", "email_on_comment": ""}
    )
    assert response.status_code == 400
    assert 'value="Dr. Who"' in response.content.decode()
    client.post("/settings", {"display_name": "Dr. Who", "bio": "Time", "orcid": "0000-0002-1825-0097"})
    user.refresh_from_db()
    assert user.display_name == "Dr. Who" and user.orcid == "0000-0002-1825-0097"
    assert user.email_on_comment is False
