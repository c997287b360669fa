"""Template tags of summaries: who a summary or comment is by (the anonymity rule lives here, once), the reader's
vote on a summary, and the HTML id a summary gets on a page."""

from django import template
from django.utils.html import format_html

from summaries.models import ANONYMOUS

register = template.Library()


def hides_author(summary, author_id) -> bool:
    """An anonymous summary hides its author wherever they appear on it: its byline and their own comments on it."""
    return summary.is_anonymous and author_id == summary.author_id


def profile_link(person):
    return format_html('<a href="{}">{}</a>', person.get_absolute_url(), person.public_name)


@register.simple_tag(takes_context=True)
def summary_byline(context, summary):
    """{% summary_byline summary %}: the author's name linked to their profile, or "Anonymous" without a link
    ("Anonymous (you)" for the author themselves)."""
    if hides_author(summary, summary.author_id):
        viewer = context.get("user")
        is_author = viewer is not None and viewer.is_authenticated and viewer.pk == summary.author_id
        return format_html("{} (you)", ANONYMOUS) if is_author else ANONYMOUS
    return profile_link(summary.author)


@register.simple_tag
def comment_byline(comment, summary):
    """{% comment_byline comment summary %}: the commenter's name linked to their profile, or "Anonymous (the
    summary's author)" without a link when the author of an anonymous summary comments on it."""
    if hides_author(summary, comment.author_id):
        return format_html("{} (the summary's author)", ANONYMOUS)
    return profile_link(comment.author)


@register.simple_tag
def vote_of(my_votes, summary) -> int:
    """{% vote_of my_votes summary as my_vote %}: the reader's vote on the summary, -1, 0 or 1, from the view's
    `my_votes` ({summary id: value}, see Vote.objects.values_of); 0 when they have not voted or are a guest."""
    return (my_votes or {}).get(summary.pk, 0)


@register.simple_tag
def summary_html_id(summary, page_paper=None) -> str:
    """{% summary_html_id summary paper as html_id %}: the id of the summary's element. On its paper's page it is
    `summary.anchor` (the username, or anon-N), which `#` and `&a=` addresses use; in a feed, where one person's
    summaries of several papers meet, and for a summary of another version of the page's paper, it is summary-<pk>."""
    if page_paper and summary.paper_id == page_paper.pk:
        return summary.anchor
    return f"summary-{summary.pk}"
