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


@pytest.mark.parametrize(
    ("orcid", "accepted"),
    [
        ("0000-0002-1825-0097", True),  # ORCID's own example
        ("0000-0001-5109-3700", True),
        ("0000-0002-1694-233X", True),  # a check character of 10
        ("0000-0002-1825-0098", False),  # one digit off: the checksum catches it
        ("0000-0002-1825-009", False),
        ("0000000218250097", False),
    ],
)
def test_settings_check_the_orcid_format_and_checksum(client, orcid, accepted):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/settings", {"display_name": "Kept", "bio": "Also kept", "orcid": orcid})
    user.refresh_from_db()
    if accepted:
        assert response.status_code == 302 and user.orcid == orcid
    else:
        html = response.content.decode()
        assert response.status_code == 400 and user.orcid == ""
        assert "ORCID iD" in html and f'value="{orcid}"' in html and 'value="Kept"' in html and "Also kept" in html


def test_the_checksum_message_says_what_is_wrong(client):
    client.force_login(UserFactory())
    html = client.post("/settings", {"orcid": "0000-0002-1825-0098"}).content.decode()
    assert "its last character does not match the others" in html
