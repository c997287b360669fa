"""The summaries app's background jobs (django-tasks; README "Jobs"): the mail telling a summary's author about
a new comment. A job's arguments are JSON: ids, read again when the job runs."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from .models import Comment


@task()
def comment_notify(comment_id: int) -> str:
    """Mail the summary's author about the comment `comment_id`, enqueued by services.comment_create once the
    comment is committed. Nothing is sent when the comment is gone or hidden by the time the job runs, when its
    author wrote the summary, or when the summary's author has no address or turned the mail off. A mail server
    that refuses fails the job (the error is in its result, admin "Task results"). Returns what it did."""
    comment = (
        Comment.objects.visible().select_related("summary__author", "summary__paper").filter(pk=comment_id).first()
    )
    if comment is None:
        return "comment gone"
    summary = comment.summary
    recipient = summary.author
    if recipient.pk == comment.author_id or not recipient.email_on_comment or not recipient.email:
        return "not wanted"
    context = {
        "comment": comment,
        "summary": summary,
        "paper": summary.paper,
        "url": settings.SITE_URL + summary.get_absolute_url() + f"#{summary.anchor}-comments",
        "settings_url": settings.SITE_URL + reverse("accounts:settings"),
    }
    send_mail(
        subject=f"New comment on your summary of “{summary.paper.title[:80]}”",
        message=render_to_string("summaries/email/comment_notification.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[recipient.email],
    )
    return "sent"
