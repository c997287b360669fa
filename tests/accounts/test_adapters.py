import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_banned_user_cannot_log_in(client):
    UserFactory(username="spammer", password="a-long-password-123", is_banned=True)
    response = client.post("/accounts/login/", {"login": "spammer", "password": "a-long-password-123"})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302 and response["Location"] == "/accounts/inactive/"
