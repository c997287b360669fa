"""The template tags of summaries_tags: bylines (the anonymity rule), the reader's vote, a summary's HTML id."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.template.loader import render_to_string

from summaries import services
from tests.factories import UserFactory, make_paper, make_summary

pytestmark = pytest.mark.django_db


def render(source, **context):
    return Template("{% load summaries_tags %}" + source).render(Context(context))


@pytest.fixture
def author():
    return UserFactory(username="secretauthor", display_name="Secret Person")


def assert_no_trace_of(person, html):
    assert person.username not in html and person.display_name not in html and "href" not in html


def test_summary_byline_links_the_author_of_a_signed_summary(author):
    summary = make_summary(author=author)
    html = render("{% summary_byline summary %}", summary=summary, user=AnonymousUser())
    assert html == '<a href="/user?name=secretauthor">Secret Person</a>'


def test_summary_byline_of_an_anonymous_summary_shows_no_name_and_no_link(author):
    summary = make_summary(author=author, is_anonymous=True)
    for viewer in (AnonymousUser(), UserFactory()):
        html = render("{% summary_byline summary %}", summary=summary, user=viewer)
        assert html == "Anonymous"
        assert_no_trace_of(author, html)


def test_summary_byline_tells_the_anonymous_author_the_summary_is_theirs(author):
    summary = make_summary(author=author, is_anonymous=True)
    html = render("{% summary_byline summary %}", summary=summary, user=author)
    assert html == "Anonymous (you)"
    assert_no_trace_of(author, html)


def test_comment_byline_of_the_anonymous_author_on_their_own_summary_shows_no_name(author):
    summary = make_summary(author=author, is_anonymous=True)
    comment = services.comment_create(summary=summary, author=author, body="Author reply")
    html = render("{% comment_byline comment summary %}", comment=comment, summary=summary)
    assert html == "Anonymous (the summary's author)"
    assert_no_trace_of(author, html)


def test_comment_byline_links_everyone_else(author):
    anonymous = make_summary(author=author, is_anonymous=True)
    reader = UserFactory(username="reader")
    comment = services.comment_create(summary=anonymous, author=reader, body="Thanks")
    html = render("{% comment_byline comment summary %}", comment=comment, summary=anonymous)
    assert html == '<a href="/user?name=reader">reader</a>'
    # The author of a signed summary is named in their comments on it, and in their comments on others' summaries.
    signed = make_summary(author=author)
    own = services.comment_create(summary=signed, author=author, body="Author reply")
    assert "Secret Person" in render("{% comment_byline comment summary %}", comment=own, summary=signed)
    elsewhere = services.comment_create(summary=make_summary(), author=author, body="Hi")
    assert "Secret Person" in render(
        "{% comment_byline comment summary %}", comment=elsewhere, summary=elsewhere.summary
    )


def test_comment_partial_keeps_the_anonymous_author_anonymous(author):
    summary = make_summary(author=author, is_anonymous=True)
    comment = services.comment_create(summary=summary, author=author, body="Author reply")
    html = render_to_string(
        "summaries/includes/_comment.html", {"comment": comment, "summary": summary, "user": UserFactory()}
    )
    assert "Author reply" in html and "Anonymous (the summary's author)" in html
    assert "secretauthor" not in html and "Secret Person" not in html


def test_summary_byline_escapes_the_name():
    summary = make_summary(author=UserFactory(username="x", display_name="<b>Bold</b>"))
    html = render("{% summary_byline summary %}", summary=summary, user=AnonymousUser())
    assert "&lt;b&gt;Bold&lt;/b&gt;" in html and "<b>" not in html


def test_vote_of_gives_the_readers_vote_or_zero():
    summary = make_summary()
    source = "{% vote_of my_votes summary as my_vote %}{{ my_vote }}"
    assert render(source, my_votes={summary.pk: -1}, summary=summary) == "-1"
    assert render(source, my_votes={summary.pk + 1: 1}, summary=summary) == "0"
    assert render(source, my_votes={}, summary=summary) == "0"
    assert render(source, summary=summary) == "0"  # a view that passes no votes


def test_summary_html_id_is_the_anchor_on_its_papers_page_and_unique_elsewhere():
    paper = make_paper()
    signed = make_summary(paper=paper, author=UserFactory(username="writer"))
    anonymous = make_summary(paper=paper, is_anonymous=True)
    source = "{% summary_html_id summary paper as html_id %}{{ html_id }}"
    assert render(source, summary=signed, paper=paper) == "writer"
    assert render(source, summary=anonymous, paper=paper) == f"anon-{anonymous.pk}"
    # In a feed (no page paper), and for a summary of another version of the page's paper.
    assert render(source, summary=signed) == f"summary-{signed.pk}"
    assert render(source, summary=signed, paper=make_paper()) == f"summary-{signed.pk}"
