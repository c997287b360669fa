"""On-demand import: an unknown arXiv id, arXiv URL or DOI asked for on /paper or in the lookup box is imported by
a job (papers.tasks.paper_import), so that no web process waits on arXiv or Crossref. `paper_find_or_import` is
the one entry point.

With the database task backend the answer is `pending` at once, and the page (papers.views.import_response) asks
the reader to wait and refreshes until the job has run; with the immediate backend (`make run`) the job runs
inside the request and the answer is the paper, as before jobs. Before any job: the identifier is validated
(papers.fetch.on_demand_refusal), a remembered failure is answered, one job at a time is started per paper, and a
client may start settings.ON_DEMAND_RATE_LIMIT imports, and no more than settings.ON_DEMAND_QUEUE_LIMIT wait for a
worker (arXiv takes one every 3 s: a longer queue would keep readers waiting for minutes)."""

import time
import unicodedata

from django.conf import settings
from django_tasks import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from shortscience.ratelimit import rate_limit_hit

from . import tasks
from .fetch import (
    ImportFailure,
    OnDemandResult,
    Target,
    failure_remember,
    failure_remembered,
    on_demand_refusal,
    on_demand_target,
    pending_claim,
    pending_clear,
    pending_import,
    pending_set,
    target_url,
)
from .identifiers import parse_arxiv_id
from .importers.records import Source
from .models import Paper

__all__ = ["ImportFailure", "OnDemandResult", "paper_find_or_import"]

QUEUE_FULL_RETRY_AFTER = 60  # seconds a reader is asked to wait when the import queue is full


def paper_find_or_import(identifier: str, *, queryset=None, client: str = "") -> OnDemandResult:
    """The paper `identifier` names, found as /paper?bibtexKey= resolves it (its key, an alias, an arXiv id or URL,
    a DOI: `Paper.objects.resolve_many`), or else its import: started, still pending, or what it gave. `queryset`
    (Paper.objects.for_detail(), say) is what a paper found by its own key is read with, so that a page needs no
    second query for it. `client` (shortscience.ratelimit.client_address) is who is counted for the rate limit.

    Never raises for network or source trouble: a failure says what was tried and why. NOT_IMPORTABLE, without any
    request, for an unknown identifier that is not an arXiv id, arXiv URL or DOI; REFUSED for one that looks like
    one but cannot be valid (a DOI with ../ in it, an arXiv id from month 13); RATE_LIMITED when `client` started
    too many imports lately."""
    identifier = (identifier or "").strip()
    if any(unicodedata.category(ch) == "Cc" for ch in identifier):  # no key has one, and Postgres refuses NUL
        return OnDemandResult(failure=ImportFailure.REFUSED, reason="not an identifier: it has control characters")
    papers = Paper.objects.all() if queryset is None else queryset
    exact = papers.filter(bibtex_key=identifier).first() if identifier else None
    if exact is not None:
        return OnDemandResult(paper=exact)
    known = Paper.objects.resolve_many([identifier], skip_exact=True).get(identifier) if identifier else None
    if known is not None:
        return OnDemandResult(paper=known)
    target = on_demand_target(identifier)
    if target is None:
        if refusal := on_demand_refusal(identifier):
            return OnDemandResult(failure=ImportFailure.REFUSED, reason=refusal)
        return OnDemandResult(failure=ImportFailure.NOT_IMPORTABLE, reason="not an arXiv id, arXiv URL or DOI")
    source, source_id = target
    if source == Source.ARXIV and parse_arxiv_id(identifier) is None:  # an arXiv DOI: the paper may be known by its id
        known = Paper.objects.resolve_many([source_id]).get(source_id)
        if known is not None:
            return OnDemandResult(paper=known)

    remembered = failure_remembered(target)
    if remembered is not None:
        return remembered
    pending = pending_import(target)
    if pending is not None:
        result = _pending_outcome(target, pending)
        if result is not None:
            return result
    return _import_start(target, client=client)


def _import_start(target: Target, *, client: str) -> OnDemandResult:
    waiting = OnDemandResult(pending=True, source=target[0].label, url=target_url(target))
    retry_after = rate_limit_hit("on-demand-import", client, rate=settings.ON_DEMAND_RATE_LIMIT)
    if retry_after:
        waiting.pending, waiting.failure, waiting.retry_after = False, ImportFailure.RATE_LIMITED, retry_after
        waiting.reason = "you started many imports in a short time"
        return waiting
    if _queue_full():
        waiting.pending, waiting.failure, waiting.retry_after = False, ImportFailure.QUEUE_FULL, QUEUE_FULL_RETRY_AFTER
        waiting.reason = "many imports are waiting already"
        return waiting
    if not pending_claim(target):
        return waiting  # another request enqueued it a moment ago
    try:
        job = tasks.paper_import.enqueue(source=str(target[0]), source_id=target[1])
    except BaseException:
        pending_clear(target)
        raise
    if not job.is_finished:
        pending_set(target, str(job.id))
        return waiting
    return _job_outcome(target, job) or waiting  # the immediate backend ran it here


def _queue_full() -> bool:
    """Whether ON_DEMAND_QUEUE_LIMIT imports wait for a worker (database backend; one bounded index scan)."""
    if not isinstance(tasks.paper_import.get_backend(), DatabaseBackend):
        return False
    limit = settings.ON_DEMAND_QUEUE_LIMIT
    queued = DBTaskResult.objects.ready().filter(task_path=tasks.paper_import.module_path)
    return queued.order_by()[:limit].count() >= limit


def _pending_outcome(target: Target, pending: dict) -> OnDemandResult | None:
    """The answer while `target` is pending: still waiting, or what its finished job gave (when the cache the job
    updated is not this process's: no REDIS_URL). None when the job is gone, so a new one may start."""
    waiting = OnDemandResult(
        pending=True, source=target[0].label, url=target_url(target), waited=int(time.time() - pending["since"])
    )
    if not pending["task"] or not tasks.paper_import.get_backend().supports_get_result:
        return waiting
    try:
        job = tasks.paper_import.get_result(pending["task"])
    except TaskResultDoesNotExist:
        pending_clear(target)
        return None
    if not job.is_finished:
        return waiting
    pending_clear(target)
    return _job_outcome(target, job)


def _job_outcome(target: Target, job) -> OnDemandResult | None:
    """The paper or failure a finished job gave; None if its paper has gone since."""
    if job.status == TaskResultStatus.FAILED:
        failed = OnDemandResult(failure=ImportFailure.SOURCE_ERROR, reason="the import failed unexpectedly")
        failed.source, failed.url = target[0].label, target_url(target)
        failure_remember(target, failed)
        return failed
    outcome = job.return_value
    if "bibtex_key" in outcome:
        paper = Paper.objects.filter(bibtex_key=outcome["bibtex_key"]).first()
        if paper is None:
            return None
        return OnDemandResult(paper=paper, created=outcome["created"], source=target[0].label, url=target_url(target))
    failed = OnDemandResult(**outcome)
    failure_remember(target, failed)
    return failed
