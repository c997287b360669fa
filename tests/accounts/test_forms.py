import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_log_in_by_username_or_email(client):
    UserFactory(username="ada", email="ada@example.org", password="a-long-password-123")
    for login in ("ada", "ada@example.org"):
        response = client.post("/accounts/login/", {"login": login, "password": "a-long-password-123"})
        assert response.status_code == 302, login
        assert "_auth_user_id" in client.session
        client.logout()


def test_log_in_form_says_what_it_takes(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'placeholder="Username or email"' in html
