"""Template tags of summaries: who a summary or comment is by (the anonymity rule lives here, once), the reader's
vote on a summary, and the HTML id a summary gets on a page."""

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from papers.templatetags.papers_tags import digest
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


@register.simple_tag(takes_context=True)
def summary_fragment_key(context, summary, *parts) -> str:
    """{% summary_fragment_key summary html_id … as key %}: a digest of what a summary's cached card shows (its
    text, flags, counts, author's name, paper's label) and of how the reader stands to it (guest, author or
    another reader: the links and the byline differ), with the template's `parts`."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        role = "guest"
    else:
        role = "author" if user.pk == summary.author_id else "reader"
    return digest(
        role,
        summary.pk,
        summary.version,
        summary.edited_at,
        summary.body_html,
        summary.is_private,
        summary.is_anonymous,
        summary.comment_count,
        summary.share_token if role == "author" else "",
        summary.author.username if summary.author_id else "",  # none once its author left (anonymous)
        summary.author.public_name if summary.author_id else "",
        summary.paper_id,
        summary.paper.bibtex_key,
        *parts,
    )


@register.simple_tag(takes_context=True)
def comments_fragment_key(context, summary, card_key) -> str:
    """{% comments_fragment_key summary card_key as key %}: a digest of a summary's visible comments as the reader
    sees them (their own get a Delete button, others' a Report link)."""
    user = context.get("user")
    reader = user.pk if user is not None and user.is_authenticated else None
    comments = [
        (c.pk, c.body, c.created_at, c.author.public_name, c.author_id == reader) for c in summary.visible_comments
    ]
    own = any(mine for *_, mine in comments)
    # A Delete button's form holds the reader's CSRF token: valid for their session only (its secret is the key).
    request = context.get("request")
    session_secret = request.META.get("CSRF_COOKIE", "") if own and request is not None else ""
    return digest(card_key, reader is not None, comments, session_secret)


VOTE_BUTTONS = (
    (1, "vote-up", "Useful summary", "▲", "Upvote"),
    (-1, "vote-down", "Not useful", "▼", "Downvote"),
)


@register.simple_tag(takes_context=True)
def vote_box(context, summary, html_id=""):
    """{% vote_box summary html_id %}: the score between the vote buttons. Built here rather than in a template
    because a page holds one per summary and it is the reader's own part of each card (see _summary.html).

    For a reader: a form that posts the vote (site.js posts it in place; without JavaScript the view redirects
    back to `next`#`html_id`), their vote pressed, disabled on their own summary. For a guest: a GET form to
    the log-in page and back, with no CSRF token, so that guests' pages are the same for all of them and can
    be cached (shortscience/page_cache.py)."""
    user, request = context.get("user"), context.get("request")
    score = format_html('<output class="score" aria-label="Score">{}</output>', summary.score)
    next_input = format_html('<input type="hidden" name="next" value="{}">', request.get_full_path())
    if user is None or not user.is_authenticated:
        up, down = (
            format_html(
                '<button type="submit" class="{}" title="Log in to vote" aria-pressed="false">'
                '<span aria-hidden="true">{}</span><span class="visually-hidden">Log in to {}</span></button>',
                css,
                arrow,
                label.lower(),
            )
            for _, css, _, arrow, label in VOTE_BUTTONS
        )
        return format_html(
            '<form class="vote" method="get" action="{}">{}{}{}{}</form>',
            reverse("account_login"),
            next_input,
            up,
            score,
            down,
        )
    mine = vote_of(context.get("my_votes"), summary)
    disabled = " disabled" if user.pk == summary.author_id else ""
    up, down = (
        format_html(
            '<button type="submit" name="value" value="{}" class="{}" aria-pressed="{}" title="{}" data-dir="{}"{}>'
            '<span aria-hidden="true">{}</span><span class="visually-hidden">{}</span></button>',
            0 if mine == value else value,
            css,
            "true" if mine == value else "false",
            title,
            value,
            disabled,
            arrow,
            label,
        )
        for value, css, title, arrow, label in VOTE_BUTTONS
    )
    hidden = [("csrfmiddlewaretoken", context.get("csrf_token"))]
    if html_id:
        hidden.append(("html_id", html_id))
    code = request.GET.get("code", "")
    if code:
        hidden.append(("code", code))
    return format_html(
        '<form class="vote" method="post" action="{}" data-vote data-login-url="{}">{}{}{}{}{}</form>',
        reverse("summaries:vote", args=[summary.pk]),
        reverse("account_login"),
        format_html_join("", '<input type="hidden" name="{}" value="{}">', hidden),
        next_input,
        up,
        score,
        down,
    )
