import pytest
from django.urls import reverse

from tests.factories import UserFactory, make_summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(username="moderator", is_staff=True, is_superuser=True))
    return client


def test_admin_hide_action_hides_a_summary_from_readers(staff_client, client):
    summary = make_summary(body="Spammy text")
    url = reverse("admin:summaries_summary_changelist")
    asked = staff_client.post(url, {"action": "hide", "_selected_action": [summary.pk]})
    assert "Hide these summaries" in asked.content.decode()  # the page asking for the reason
    staff_client.post(url, {"action": "hide", "_selected_action": [summary.pk], "apply": "1", "reason": "Spam."})
    summary.refresh_from_db()
    assert (summary.is_hidden, summary.hidden_reason) == (True, "Spam.")
    client.logout()
    assert "Spammy text" not in client.get(summary.paper.get_absolute_url()).content.decode()
