"""Comment mail is a job (summaries.tasks.comment_notify): enqueued when the comment is committed, sent by a worker.
One test runs a real `manage.py db_worker` process against the test database."""

import email
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import TestCase
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from summaries import services, tasks
from tests import workers
from tests.factories import UserFactory, make_summary

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "harvest"]}}


@pytest.mark.django_db
def test_comment_create_enqueues_the_mail_after_commit_instead_of_sending_it(settings):
    settings.TASKS = DATABASE_TASKS
    summary = make_summary()
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        comment = services.comment_create(summary=summary, author=UserFactory(), body="Nice")
    assert not DBTaskResult.objects.exists()  # nothing before the commit: a rolled-back comment mails no one

    for callback in callbacks:
        callback()

    job = DBTaskResult.objects.get()
    assert (job.task_path, job.args_kwargs, job.status) == (
        "summaries.tasks.comment_notify",
        {"args": [], "kwargs": {"comment_id": comment.pk}},
        TaskResultStatus.READY,
    )
    assert mail.outbox == []  # the request sent nothing


@pytest.mark.django_db
def test_comment_notify_sends_nothing_for_a_comment_gone_before_the_job_ran():
    summary = make_summary()
    comment = services.comment_create(summary=summary, author=UserFactory(), body="Oops")
    services.comment_delete(comment=comment, user=comment.author)

    assert tasks.comment_notify.call(comment_id=comment.pk) == "comment gone"
    assert tasks.comment_notify.call(comment_id=10**9) == "comment gone"
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_mail_server_that_refuses_fails_the_job_not_the_comment(settings, caplog):
    settings.EMAIL_BACKEND = "tests.summaries.test_tasks.RefusingBackend"
    summary = make_summary()
    with TestCase.captureOnCommitCallbacks(execute=True):
        comment = services.comment_create(summary=summary, author=UserFactory(), body="Still posted")
    assert comment.pk and summary.comments.filter(pk=comment.pk).exists()
    assert "summaries.tasks.comment_notify state=FAILED" in caplog.text


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server refused")


@pytest.mark.django_db(transaction=True)
def test_a_worker_process_sends_the_comment_mail(settings, tmp_path):
    """The real thing: a `manage.py db_worker` process, started before the comment, picks the job from Postgres
    and delivers the mail (to files, the filebased backend, which this test reads)."""
    settings.TASKS = DATABASE_TASKS
    outbox, log = tmp_path / "mail", tmp_path / "worker.log"
    worker = workers.worker(env=workers.subprocess_env(EMAIL_FILE_PATH=str(outbox)), log=log)
    try:
        summary = make_summary()
        commenter = UserFactory(display_name="Curious Reader")
        comment = services.comment_create(summary=summary, author=commenter, body="What about ablation?")

        sent = workers.wait_for(lambda: list(outbox.glob("*.log")), what="the mail file", log=log)
        job = workers.wait_for(
            lambda: DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).first(), what="the job", log=log
        )
    finally:
        assert workers.stop(worker) == 0
    message = email.message_from_string(sent[0].read_text())
    assert message["To"] == summary.author.email
    assert "Curious Reader commented" in message.get_payload(decode=True).decode()
    assert (job.task_path, job.args_kwargs["kwargs"], job.return_value) == (
        "summaries.tasks.comment_notify",
        {"comment_id": comment.pk},
        "sent",
    )
    assert len(job.worker_ids) == 1
    assert mail.outbox == []  # nothing was sent by this process


# --- Throttled: one mail per person per COMMENT_MAIL_MINUTES, the rest in a digest --------------------------------


def run_jobs(task_path: str) -> list:
    """Run the waiting jobs of `task_path` as a worker would (each once), whatever their run_after."""
    jobs = list(DBTaskResult.objects.filter(task_path=task_path, status=TaskResultStatus.READY).order_by("enqueued_at"))
    DBTaskResult.objects.filter(pk__in=[job.pk for job in jobs]).delete()
    task = {
        "summaries.tasks.comment_notify": tasks.comment_notify,
        "summaries.tasks.comment_digest": tasks.comment_digest,
    }
    return [task[task_path].call(*job.args_kwargs["args"], **job.args_kwargs["kwargs"]) for job in jobs]


@pytest.mark.django_db
def test_twenty_comments_in_a_row_are_one_mail_and_one_digest(settings):
    settings.TASKS = DATABASE_TASKS
    settings.COMMENT_MAIL_MINUTES = 15
    author = UserFactory(username="busyauthor", email="busy@example.org")
    summary = make_summary(author=author)
    with TestCase.captureOnCommitCallbacks(execute=True):
        for n in range(20):
            services.comment_create(summary=summary, author=UserFactory(), body=f"Comment number {n}")

    results = run_jobs("summaries.tasks.comment_notify")
    assert results == ["sent"] + ["gathered for the digest"] * 19
    assert [m.to for m in mail.outbox] == [["busy@example.org"]]
    assert "Comment number 0" in mail.outbox[0].body

    digest = DBTaskResult.objects.get(task_path="summaries.tasks.comment_digest")
    assert abs(digest.run_after - (timezone.now() + timedelta(minutes=15))) < timedelta(minutes=1)
    assert run_jobs("summaries.tasks.comment_digest") == ["digest of 19"]
    assert len(mail.outbox) == 2
    body = mail.outbox[1].body
    assert mail.outbox[1].subject == "19 new comments on your summaries"
    assert all(f"Comment number {n}\n" in body for n in range(1, 20)) and "Comment number 0\n" not in body

    # The digest opened the next window: a comment now waits for the next digest; after a quiet window, the next
    # comment is mailed at once.
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.comment_create(summary=summary, author=UserFactory(), body="Later")
    assert run_jobs("summaries.tasks.comment_notify") == ["gathered for the digest"]
    assert run_jobs("summaries.tasks.comment_digest") == ["digest of 1"]
    assert run_jobs("summaries.tasks.comment_digest") == ["nothing new"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.comment_create(summary=summary, author=UserFactory(), body="Much later")
    assert run_jobs("summaries.tasks.comment_notify") == ["sent"]
    assert len(mail.outbox) == 4


@pytest.mark.django_db
def test_mail_windows_are_per_person(settings):
    settings.TASKS = DATABASE_TASKS
    first, second = make_summary(), make_summary()
    with TestCase.captureOnCommitCallbacks(execute=True):
        for summary in (first, second, first, second):
            services.comment_create(summary=summary, author=UserFactory(), body="Hello")
    assert run_jobs("summaries.tasks.comment_notify") == [
        "sent",
        "sent",
        "gathered for the digest",
        "gathered for the digest",
    ]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.author.email, second.author.email])
