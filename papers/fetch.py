"""One paper fetched from arXiv or Crossref and stored: the work of the on-demand import job (papers.tasks), with
what it learns remembered in the cache. papers.on_demand decides when to start it; this module does it.

State kept in the `default` cache (Redis with REDIS_URL, so shared by every app server and worker), per target
(source, id):
- a failure (`failure_remembered`), for NOT_FOUND_TTL or FAILURE_TTL, so that repeated look-ups do not ask the
  source again;
- a pending import (`pending_import`): the id of the job that is importing it, so that it is enqueued once.
"""

import datetime
import hashlib
import logging
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.db import DatabaseError, IntegrityError, models, transaction

from shortscience.http import HttpClient, HttpError

from .identifiers import ARXIV_OLD_ARCHIVES, doi_refusal, parse_arxiv_id, parse_doi
from .importers import arxiv_api, crossref
from .importers.records import PaperRecord, Source
from .models import Paper
from .services import Outcome, paper_upsert

logger = logging.getLogger(__name__)

ON_DEMAND_TIMEOUT = 10.0  # seconds per request: a reader is waiting for the page
NOT_FOUND_TTL = 10 * 60  # a "no such paper" answer is remembered this long, so repeated look-ups do not ask again
FAILURE_TTL = 2 * 60  # an unreachable source or an unusable answer is remembered for less: it may soon work
PENDING_TTL = 5 * 60  # a job not finished by then (a worker died, the queue is stuck) may be enqueued again

Target = tuple[Source, str]  # (Source.ARXIV, unversioned id) or (Source.CROSSREF, lower-cased DOI)


class ImportFailure(models.TextChoices):
    """Why an on-demand import gave no paper (OnDemandResult.failure)."""

    NOT_IMPORTABLE = "not_importable", "not an arXiv id, arXiv URL or DOI"
    REFUSED = "refused", "an arXiv id or DOI that cannot be valid: refused before any request"
    RATE_LIMITED = "rate_limited", "this client started too many imports; it may start more later"
    QUEUE_FULL = "queue_full", "so many imports are waiting that no more are taken for a while"
    NOT_FOUND = "not_found", "the source has no such paper"
    UNREACHABLE = "unreachable", "no connection, or the source kept saying “try later”"
    TIMEOUT = "timeout", "the source did not answer in time"
    SOURCE_ERROR = "source_error", "the source answered with an error or something that is not a paper"
    NOT_STORED = "not_stored", "the paper was fetched but the database refused it; nothing was written"


REMEMBERED_FIELDS = ("failure", "reason", "source", "url", "retry_after")


@dataclass
class OnDemandResult:
    """What an on-demand look-up did. `paper` when it worked (`created` if it was imported now, not found
    already known); `pending` while its import job has not run yet (`waited`: seconds since it was enqueued);
    otherwise `failure` (an ImportFailure) and `reason` in words. `source` ("arXiv", "Crossref") and `url` say what
    was (or will be) asked; `cached` that the failure was remembered from an earlier look-up and `retry_after` for
    how many seconds it is remembered (or, when RATE_LIMITED, when the client may start imports again)."""

    paper: Paper | None = None
    created: bool = False
    pending: bool = False
    waited: int = 0
    failure: ImportFailure | str = ""
    reason: str = ""
    source: str = ""
    url: str = ""
    cached: bool = False
    retry_after: int = 0

    @property
    def ok(self) -> bool:
        return self.paper is not None

    def remembered(self) -> dict:
        """The failure as the cache and the job's return value hold it."""
        return {name: getattr(self, name) for name in REMEMBERED_FIELDS}


# --- What an identifier would import --------------------------------------------------------------------------


def on_demand_target(identifier: str) -> Target | None:
    """What an on-demand import of `identifier` would fetch: (Source.ARXIV, unversioned id) or (Source.CROSSREF,
    lower-cased DOI). arXiv DOIs (10.48550/arXiv.<id>) go to arXiv, which holds them. None when `identifier` is
    neither, or is one that `on_demand_refusal` refuses, so that no request is made for it. No queries."""
    arxiv_id = parse_arxiv_id(identifier)
    if arxiv_id is None:
        doi = parse_doi(identifier)
        if doi is None or doi_refusal(doi):
            return None
        arxiv_id = crossref.arxiv_id_from_doi(doi)
        if arxiv_id is None:
            return (Source.CROSSREF, doi)
    return None if _arxiv_id_refusal(arxiv_id) else (Source.ARXIV, arxiv_id)


def on_demand_refusal(identifier: str) -> str | None:
    """Why `identifier`, which looks like an arXiv id or a DOI, is refused without asking anyone, in words; None
    when it is importable or looks like neither."""
    arxiv_id = parse_arxiv_id(identifier)
    if arxiv_id is None:
        doi = parse_doi(identifier)
        if doi is None:
            return None
        if reason := doi_refusal(doi):
            return f"not a valid DOI: {reason}"
        arxiv_id = crossref.arxiv_id_from_doi(doi)
        if arxiv_id is None:
            return None
    reason = _arxiv_id_refusal(arxiv_id)
    return f"not a valid arXiv id: {reason}" if reason else None


def _arxiv_id_refusal(arxiv_id: str) -> str | None:
    """Old-style ids (hep-th/9901001) are of a known archive and run from 1991-08 to 2007-03; new-style YYMM.NNNN
    from 2007-04, with five digits from 2015-01; none is from a month still to come, and no number is 0."""
    if "/" in arxiv_id:
        archive, digits = arxiv_id.rsplit("/", 1)
        if archive.split(".")[0] not in ARXIV_OLD_ARCHIVES:
            return f"arXiv never had an archive named {archive}"
        year = int(digits[:2]) + (1900 if digits[:2] >= "91" else 2000)
        month, number = int(digits[2:4]), int(digits[4:])
        if not (1 <= month <= 12 and (1991, 8) <= (year, month) <= (2007, 3)):
            return "old-style ids (archive/YYMMNNN) run from 9108 to 0703"
        return None if number > 0 else "no arXiv paper has the number 0"
    yymm, number = arxiv_id.split(".")
    year, month = 2000 + int(yymm[:2]), int(yymm[2:])
    today = datetime.date.today()
    if not (1 <= month <= 12 and (2007, 4) <= (year, month) <= (today.year, today.month)):
        return f"{yymm} is not a month from 0704 to {today:%y%m}"
    digits = 4 if (year, month) < (2015, 1) else 5
    if len(number) != digits:
        return f"ids of {yymm} have {digits}-digit numbers"
    return None if int(number) > 0 else "no arXiv paper has the number 0"


def target_url(target: Target) -> str:
    """The URL an import of `target` asks."""
    source, source_id = target
    return arxiv_api.id_list_url([source_id]) if source == Source.ARXIV else crossref.work_url(source_id)


# --- What the cache remembers ---------------------------------------------------------------------------------


def _cache_key(kind: str, target: Target) -> str:
    source, source_id = target
    return f"papers:on-demand-{kind}:" + hashlib.sha256(f"{source}:{source_id}".encode()).hexdigest()


def failure_remembered(target: Target) -> OnDemandResult | None:
    remembered = cache.get(_cache_key("failure", target))
    return OnDemandResult(**remembered, cached=True) if remembered else None


def failure_remember(target: Target, result: OnDemandResult) -> None:
    """Remember the failed `result` (its retry_after is set here: how long it is remembered)."""
    result.retry_after = NOT_FOUND_TTL if result.failure == ImportFailure.NOT_FOUND else FAILURE_TTL
    cache.set(_cache_key("failure", target), result.remembered(), result.retry_after)


def pending_import(target: Target) -> dict | None:
    """{"task": job id or None while it is being enqueued, "since": time.time()} of an unfinished import."""
    return cache.get(_cache_key("pending", target))


def pending_claim(target: Target) -> bool:
    """Mark `target` as being imported; False when another request already did (one job per target)."""
    return cache.add(_cache_key("pending", target), {"task": None, "since": time.time()}, PENDING_TTL)


def pending_set(target: Target, task_id: str) -> None:
    key = _cache_key("pending", target)
    claimed = cache.get(key) or {}
    cache.set(key, {"task": task_id, "since": claimed.get("since", time.time())}, PENDING_TTL)


def pending_clear(target: Target) -> None:
    cache.delete(_cache_key("pending", target))


# --- Fetching and storing -------------------------------------------------------------------------------------

_on_demand_clients: dict[Source, HttpClient] = {}


def on_demand_client(source: Source) -> HttpClient:
    """The client on-demand imports from `source` (arXiv or Crossref) go through: the importer's client
    (User-Agent, spacing shared by every process: one request per 3 s to arXiv), with a short timeout and one
    quick retry because a reader is waiting. One per process; tests replace it."""
    client = _on_demand_clients.get(source)
    if client is None:
        client = arxiv_api.arxiv_client() if source == Source.ARXIV else crossref.crossref_client()
        client.timeout, client.retries, client.backoff, client.max_retry_after = ON_DEMAND_TIMEOUT, 1, 2.0, 5.0
        client = _on_demand_clients.setdefault(source, client)
    return client


def paper_import(target: Target) -> OnDemandResult:
    """Import the paper `target` names, unless it is known already or a failure to import it is remembered; a
    failure is remembered. Never raises for network or source trouble. Called by the job papers.tasks.paper_import;
    it may run twice for one target (two app servers without a shared cache), so it is idempotent and asks the
    source at most once while a failure is remembered."""
    source, source_id = target
    known = Paper.objects.resolve_many([source_id]).get(source_id)
    if known is not None:
        return OnDemandResult(paper=known)
    remembered = failure_remembered(target)
    if remembered is not None:
        return remembered
    try:
        record, result = _on_demand_fetch(source, source_id)
        if record is not None:
            result = _on_demand_store(record, source=result.source, url=result.url)
    except Exception:
        # A bug or a lost database: the reader is told, and is not left waiting for a job that will never finish.
        failed = OnDemandResult(failure=ImportFailure.SOURCE_ERROR, reason="the import failed unexpectedly")
        failed.source, failed.url = source.label, target_url(target)
        failure_remember(target, failed)
        raise
    if not result.ok:
        failure_remember(target, result)
    return result


def _on_demand_fetch(source: Source, source_id: str) -> tuple[PaperRecord | None, OnDemandResult]:
    """(record, result naming source and URL) or (None, the failure)."""
    client = on_demand_client(source)
    label = source.label
    url = target_url((source, source_id))
    tried = OnDemandResult(source=label, url=url)

    def failed(kind: str, reason: str) -> tuple[None, OnDemandResult]:
        tried.failure, tried.reason = kind, reason
        return None, tried

    try:
        if source == Source.CROSSREF:
            record, problem = crossref.fetch_crossref_work(source_id, client)
            if record is not None:
                return record, tried
            return failed(ImportFailure.NOT_FOUND if problem.missing else ImportFailure.SOURCE_ERROR, problem.reason)
        response = client.get(url)
    except HttpError as exc:
        cause = exc.__cause__
        if isinstance(cause, TimeoutError) or isinstance(getattr(cause, "reason", None), TimeoutError):
            return failed(ImportFailure.TIMEOUT, f"{label} did not answer within {client.timeout:.0f} seconds")
        if exc.status is None:
            return failed(ImportFailure.UNREACHABLE, f"{label} could not be reached: {exc.message}")
        return failed(ImportFailure.UNREACHABLE, f"{label} is busy and asked us to try later ({exc.message})")

    records, problems = arxiv_api.parse_arxiv_atom(response.body, ref=url)
    record = next((r for r in records if r.arxiv_id == source_id), None)
    feed_problems = [p.reason for p in problems if p.ref == url or p.ref.startswith(arxiv_api.ERROR_ID_PREFIXES)]
    if response.ok and record is not None:
        return record, tried
    if response.ok and not feed_problems:
        return failed(ImportFailure.NOT_FOUND, f"arXiv has no paper with the id {source_id}")
    detail = f": {feed_problems[0]}" if feed_problems else ""
    return failed(ImportFailure.SOURCE_ERROR, f"arXiv answered HTTP {response.status}{detail}")


def _on_demand_store(record: PaperRecord, *, source: str, url: str) -> OnDemandResult:
    refused = OnDemandResult(
        failure=ImportFailure.NOT_STORED, reason="the paper could not be saved", source=source, url=url
    )
    try:
        with transaction.atomic():
            paper, outcome = paper_upsert(record=record)
    except IntegrityError:
        # Most likely another job imported the same paper a moment ago: use it.
        paper, outcome = Paper.objects.filter(bibtex_key=record.bibtex_key).first(), Outcome.UNCHANGED
        if paper is None:
            logger.exception("On-demand import of %s from %s was refused by the database", record.bibtex_key, url)
            return refused
    except DatabaseError:
        logger.exception("On-demand import of %s from %s was refused by the database", record.bibtex_key, url)
        return refused
    return OnDemandResult(paper=paper, created=outcome == Outcome.CREATED, source=source, url=url)
