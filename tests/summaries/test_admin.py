from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from summaries import services
from summaries.models import Report, Summary
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


def test_the_reports_queue_shows_open_reports_first_oldest_first_with_escaped_excerpts(staff_client):
    first = make_summary(body="<script>alert(1)</script> first")
    second = make_summary(body="Second reported text")
    resolved_one = make_summary(body="Already dealt with")
    old = services.report_create(reporter=UserFactory(), reason="spam", summary=first)
    new = services.report_create(reporter=UserFactory(), reason="spam", summary=second)
    done = services.report_create(reporter=UserFactory(), reason="spam", summary=resolved_one)
    Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    Report.objects.filter(pk=done.pk).update(created_at=timezone.now() - timedelta(days=3))
    services.reports_resolve(reports=Report.objects.filter(pk=done.pk), verdict="no-action", moderator=None)

    page = staff_client.get(reverse("admin:summaries_report_changelist")).content.decode()

    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; first" in page
    assert page.index("first") < page.index("Second reported text") < page.index("Already dealt with")
    assert first.get_absolute_url().replace("&", "&amp;") in page  # the link to it on the site
    assert reverse("admin:summaries_summary_change", args=[first.pk]) in page
    assert str(new.reporter) in page


def test_editing_a_summary_in_the_admin_renders_it_again(staff_client):
    summary = make_summary(body="Before")
    url = reverse("admin:summaries_summary_change", args=[summary.pk])
    data = {
        "paper": summary.paper_id,
        "author": summary.author_id,
        "body": "After *edit*",
        "hidden_reason": "",
        "revisions-TOTAL_FORMS": "1",
        "revisions-INITIAL_FORMS": "1",
        "revisions-0-id": summary.revisions.get().pk,
        "revisions-0-summary": summary.pk,
    }
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Summary.objects.get(pk=summary.pk).body_html == "<p>After <em>edit</em></p>"
