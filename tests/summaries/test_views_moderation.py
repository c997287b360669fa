"""The author's side of moderation: a summary hidden by a moderator shows its author the reason in the editor, and
editing it works; /settings/reports lists the reports on their content with their state, never who reported."""

import pytest
from django.urls import reverse

from summaries import services
from summaries.models import Report, Summary
from tests.factories import UserFactory, make_paper, make_summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def hidden(client):
    author = UserFactory(username="hiddenwriter")
    summary = make_summary(author=author, body="My text about the paper")
    services.summary_hidden_set(summaries=Summary.objects.filter(pk=summary.pk), is_hidden=True, reason="Off topic.")
    summary.refresh_from_db()
    return summary


def test_the_author_of_a_hidden_summary_sees_why_and_their_text_in_the_editor(client, hidden):
    client.force_login(hidden.author)
    page = client.get(hidden.paper.get_absolute_url()).content.decode()
    assert "Hidden by a moderator: Off topic." in page
    assert "Edit your summary" in page and "Write a summary" not in page
    assert "My text about the paper</textarea>" in page
    assert f'name="base_version" value="{hidden.version}"' in page


def test_the_author_edits_a_hidden_summary_without_a_conflict(client, hidden):
    client.force_login(hidden.author)
    response = client.post(
        reverse("summaries:save", args=[hidden.paper_id]),
        {"body": "My text, on topic now", "base_version": hidden.version},
    )
    assert response.status_code == 302
    assert response["Location"] == hidden.paper.get_absolute_url() + "#editor"
    saved = Summary.objects.get(pk=hidden.pk)
    assert (saved.body, saved.version, saved.is_hidden) == ("My text, on topic now", hidden.version + 1, True)
    page = client.get(response["Location"]).content.decode()
    assert "It stays hidden until a moderator restores it." in page


def test_no_one_else_sees_a_hidden_summary_or_its_reason(client, hidden):
    for reader in (None, UserFactory()):
        if reader:
            client.force_login(reader)
        page = client.get(hidden.paper.get_absolute_url()).content.decode()
        assert "My text about the paper" not in page and "Off topic." not in page


def test_the_author_sees_the_state_of_reports_on_their_content_never_the_reporter(client):
    author = UserFactory(username="reportedwriter")
    summary = make_summary(author=author, paper=make_paper(title="A reported paper"))
    comment = services.comment_create(summary=make_summary(), author=author, body="A reported remark")
    services.report_create(reporter=UserFactory(username="secretreporter"), reason="plagiarism", summary=summary)
    resolved = services.report_create(reporter=UserFactory(username="otherreporter"), reason="spam", comment=comment)
    services.report_targets_hide(reports=Report.objects.filter(pk=resolved.pk), moderator=UserFactory())
    client.force_login(author)
    page = client.get(reverse("summaries:my-reports")).content.decode()
    assert "A reported paper" in page and "Open: a moderator will look at it" in page
    assert "A reported remark" in page and "Resolved: Content hidden" in page
    assert "Hidden by a moderator: reported as spam or advertising" in page
    assert "secretreporter" not in page and "otherreporter" not in page
    assert reverse("summaries:my-reports") in client.get(reverse("accounts:settings")).content.decode()


def test_the_reports_page_runs_the_same_queries_with_more_reports(client, django_assert_num_queries):
    author = UserFactory()
    client.force_login(author)

    def add_reports(n):
        for _ in range(n):
            summary = make_summary(author=author)
            services.report_create(reporter=UserFactory(), reason="spam", summary=summary)
            comment = services.comment_create(summary=make_summary(), author=author, body="hm")
            services.report_create(reporter=UserFactory(), reason="abuse", comment=comment)

    add_reports(2)
    with django_assert_num_queries(3):  # the session, the user, the reports with their targets
        client.get(reverse("summaries:my-reports"))
    add_reports(2)
    with django_assert_num_queries(3):
        client.get(reverse("summaries:my-reports"))


def test_the_reports_page_asks_a_guest_to_log_in(client):
    response = client.get(reverse("summaries:my-reports"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
