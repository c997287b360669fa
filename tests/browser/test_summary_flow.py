"""A person's whole path through the site, in Chromium: sign up, write a summary with math and a citation, see
KaTeX typeset the live preview, save, find it on the homepage; then another person logs in, votes and comments."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from summaries.models import Comment, Summary, Vote
from tests.factories import UserFactory, make_paper

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_write_preview_save_vote_comment(page):
    paper = make_paper(bibtex_key="journals/corr/1512.03385", title="Deep Residual Learning", arxiv_id="1512.03385")
    make_paper(bibtex_key="conf/nips/RenHGS15", title="Faster R-CNN")
    UserFactory(username="reader", password="reader-password-42")

    # Sign up, coming from the paper page.
    page.goto(paper.get_absolute_url())
    page.locator("#editor").get_by_role("link", name="sign up").click()
    page.get_by_label("Username").fill("writer")
    page.get_by_label("Email").fill("writer@example.org")
    page.get_by_label("Password", exact=True).fill("a-long-password-123")
    page.get_by_label("Password (again)").fill("a-long-password-123")
    page.get_by_role("button", name="Sign Up").click()
    # Email verification is mandatory: the confirmation link from the mail, then log in.
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    link = re.search(r"/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.goto(f"/accounts/login/?next={paper.get_absolute_url()}")
    page.get_by_label("Username or email").fill("writer")
    page.get_by_label("Password").fill("a-long-password-123")
    page.get_by_role("button", name="Sign In").click()
    expect(page.locator(".nav-user")).to_have_text("writer")

    # Write, with the form's help text, and the live preview typeset by KaTeX.
    page.goto(paper.get_absolute_url())
    editor = page.get_by_label("Your summary")
    expect(editor).to_have_accessible_description(re.compile(r"^Markdown and LaTeX: \$E=mc\^2\$ inline"))
    editor.fill(
        "Residual blocks learn $E=mc^2$ style corrections:\n\n$$\\sum_i x_i$$\n\n"
        "Compare with \\cite{conf/nips/RenHGS15}."
    )
    preview = page.locator("#preview")
    expect(preview.locator(".katex")).to_have_count(2)
    expect(preview.locator(".katex-display")).to_have_count(1)
    expect(preview.get_by_role("link", name="Faster R-CNN")).to_have_attribute(
        "href", "/paper?bibtexKey=conf/nips/RenHGS15"
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your summary was saved.")).to_be_visible()
    expect(page.locator("#writer .katex")).to_have_count(2)

    # It is on the homepage, typeset there too (a feed's summaries are known by their pk: one person's meet there).
    saved = Summary.objects.get(author__username="writer")
    page.goto("/")
    entry = page.locator(f"#summary-{saved.pk}")
    expect(entry).to_contain_text("Residual blocks learn")
    expect(entry.locator(".katex")).to_have_count(2)

    # Log out, log in as someone else (by email), vote and comment without a reload.
    page.get_by_role("button", name="Log out").click()
    page.goto(f"/accounts/login/?next={paper.get_absolute_url()}")
    page.get_by_label("Username or email").fill("reader@example.org")
    page.get_by_label("Password").fill("reader-password-42")
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/paper\?bibtexKey=journals/corr/1512\.03385$"))

    summary = page.locator("#writer")
    summary.get_by_role("button", name="Upvote").click()
    expect(summary.locator(".score")).to_have_text("1")
    expect(summary.get_by_role("button", name="Upvote")).to_have_attribute("aria-pressed", "true")

    summary.get_by_label("Your comment (plain text)").fill("Clear and <b>useful</b>, thanks!")
    summary.get_by_role("button", name="Comment").click()
    expect(summary.locator(".comment-body")).to_have_text("Clear and <b>useful</b>, thanks!")

    saved.refresh_from_db()
    assert saved.score == 1
    assert Vote.objects.get(summary=saved).voter.username == "reader"
    assert Comment.objects.get(summary=saved).body == "Clear and <b>useful</b>, thanks!"
    assert page.console_errors == []
