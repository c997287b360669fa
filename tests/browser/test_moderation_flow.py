"""Moderation as people do it, in Chromium: a reader reports a summary; a moderator (staff, in the Moderators group,
not a superuser) hides it from the reports queue in the admin, giving a reason; it is gone from the homepage; and
its author, logged in, is told why in the editor and sees the report resolved."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from accounts.moderators import MODERATORS
from summaries.models import Report, Summary
from tests.factories import UserFactory, make_paper, make_summary

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username, password):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("link", name=username)).to_be_visible()


def test_report_hide_in_the_admin_gone_from_the_homepage_and_the_author_sees_why(page, moderators):
    paper = make_paper(bibtex_key="conf/nips/Spammed15", title="A paper that attracted spam")
    writer = UserFactory(username="writer", password="writer-password-42")
    summary = make_summary(paper=paper, author=writer, body="Cheap watches at example dot com")
    UserFactory(username="reader", password="reader-password-42")
    moderator = UserFactory(username="moderator", password="moderator-password-42", is_staff=True)
    moderator.groups.add(Group.objects.get(name=MODERATORS))

    page.goto("/")
    expect(page.locator(f"#summary-{summary.pk}")).to_contain_text("Cheap watches")

    # A reader reports it.
    log_in(page, "reader", "reader-password-42")
    page.goto(paper.get_absolute_url())
    page.locator("#writer").get_by_role("link", name="report").click()
    page.get_by_label("Spam or advertising").check()
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text("Thank you: a moderator will look at your report.")).to_be_visible()

    # A moderator finds it in the queue and hides it, with a reason for the author.
    log_in(page, "moderator", "moderator-password-42")
    page.goto("/admin/summaries/report/")
    row = page.locator("#result_list tbody tr").filter(has_text="Cheap watches")
    expect(row).to_contain_text("writer")
    expect(row).to_contain_text("conf/nips/Spammed15")
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option("hide_and_resolve")
    page.get_by_role("button", name="Go").click()
    page.get_by_label("Reason").fill("Advertising, not a summary.")
    page.get_by_role("button", name="Hide the content and resolve").click()
    expect(page.get_by_text("1 hidden, 1 reports resolved.")).to_be_visible()

    # It is gone from the homepage (a guest's page, from the page cache, invalidated by the hiding).
    page.context.clear_cookies()
    page.goto("/")
    expect(page.get_by_text("Cheap watches")).to_have_count(0)

    # Its author is told why, in place of the editor's empty state, and sees the report resolved.
    log_in(page, "writer", "writer-password-42")
    page.goto(paper.get_absolute_url())
    expect(page.locator("#editor")).to_contain_text("Hidden by a moderator: Advertising, not a summary.")
    expect(page.get_by_role("heading", name="Edit your summary")).to_be_visible()
    expect(page.get_by_role("textbox", name="Your summary")).to_have_value("Cheap watches at example dot com")
    page.get_by_role("link", name="Reports on your content").click()
    expect(page.locator("table")).to_contain_text("Resolved: Content hidden")
    expect(page.locator("table")).not_to_contain_text("reader")

    assert Summary.objects.get(pk=summary.pk).is_hidden
    assert Report.objects.get().verdict == "hidden"
    assert page.console_errors == []
