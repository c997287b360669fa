"""The summaries app's background jobs (django-tasks; README "Jobs"): the mail telling a summary's author about
a new comment, and the digest of the comments that came after it. A job's arguments are JSON: ids and times,
read again when the job runs.

Comment mail to one person is throttled: at most one mail every COMMENT_MAIL_MINUTES. The first comment is
mailed at once and opens a window (a key in the shared cache, so it holds across workers); comments during it
send nothing, and one digest job, deferred to the window's end, mails them all together and opens the next
window if there were any. Twenty comments in a row are two mails, not twenty. A backend that cannot defer a job
(the immediate one of `make run`) sends each mail at once."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from .models import Comment

DIGEST_MAX_COMMENTS = 50  # listed in one digest; the rest are counted


def mail_window_key(user_id: int) -> str:
    return f"comment-mail-window:{user_id}"


def summary_url(summary) -> str:
    return settings.SITE_URL + summary.get_absolute_url() + f"#{summary.anchor}-comments"


@task()
def comment_notify(comment_id: int) -> str:
    """Mail the summary's author about the comment `comment_id`, enqueued by services.comment_create once the
    comment is committed. Nothing is sent when the comment is gone or hidden by the time the job runs, when its
    author wrote the summary, or when the summary's author has no address or turned the mail off; nor while a
    mail window of theirs is open (the digest will carry it). A mail server that refuses fails the job (the
    error is in its result, admin "Task results"). Returns what it did."""
    comment = (
        Comment.objects.visible().select_related("summary__author", "summary__paper").filter(pk=comment_id).first()
    )
    if comment is None:
        return "comment gone"
    summary = comment.summary
    recipient = summary.author
    if recipient.pk == comment.author_id or not recipient.email_on_comment or not recipient.email:
        return "not wanted"
    deferrable = comment_digest.get_backend().supports_defer
    if deferrable and not mail_window_open(recipient.pk, since=comment.created_at):
        return "gathered for the digest"
    context = {
        "comment": comment,
        "summary": summary,
        "paper": summary.paper,
        "url": summary_url(summary),
        "settings_url": settings.SITE_URL + reverse("accounts:settings"),
    }
    send_mail(
        subject=f"New comment on your summary of “{summary.paper.title[:80]}”",
        message=render_to_string("summaries/email/comment_notification.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[recipient.email],
    )
    return "sent"


def mail_window_open(user_id: int, *, since) -> bool:
    """Open a mail window for `user_id` (True) unless one is open (False), and defer its digest to its end: the
    comments on their summaries after `since` that reach them meanwhile. The key outlives the window, so that
    it is the digest that closes it (a comment between the two is in the digest, not mailed twice)."""
    minutes = settings.COMMENT_MAIL_MINUTES
    if not cache.add(mail_window_key(user_id), since.isoformat(), timeout=minutes * 60 * 2):
        return False
    run_after = timezone.now() + timedelta(minutes=minutes)
    comment_digest.using(run_after=run_after).enqueue(user_id=user_id, since=since.isoformat())
    return True


@task()
def comment_digest(user_id: int, since: str) -> str:
    """At the end of a mail window of `user_id`: one mail with every visible comment by others on their summaries
    written after `since` (an ISO time), and a new window when there were any; the window closes when there were
    none. Returns what it did."""
    cache.delete(mail_window_key(user_id))
    comments = list(
        Comment.objects.visible()
        .filter(summary__author_id=user_id, created_at__gt=datetime.fromisoformat(since))
        .exclude(author_id=user_id)
        .select_related("author", "summary__author", "summary__paper")
        .order_by("created_at")[: DIGEST_MAX_COMMENTS + 1]
    )
    if not comments:
        return "nothing new"
    recipient = comments[0].summary.author
    if not recipient.email_on_comment or not recipient.email:
        return "not wanted"
    shown = comments[:DIGEST_MAX_COMMENTS]
    mail_window_open(user_id, since=shown[-1].created_at)
    context = {
        "comments": [(comment, summary_url(comment.summary)) for comment in shown],
        "more": len(comments) > DIGEST_MAX_COMMENTS,
        "minutes": settings.COMMENT_MAIL_MINUTES,
        "settings_url": settings.SITE_URL + reverse("accounts:settings"),
    }
    count = f"{len(shown)}{'+' if context['more'] else ''}"
    send_mail(
        subject=f"{count} new comment{'s' if len(shown) != 1 else ''} on your summaries",
        message=render_to_string("summaries/email/comment_digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[recipient.email],
    )
    return f"digest of {len(shown)}"
