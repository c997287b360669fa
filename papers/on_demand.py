"""On-demand import: an unknown arXiv id, arXiv URL or DOI asked for on /paper or in the lookup box is fetched
from arXiv or Crossref and stored while the reader waits. `paper_find_or_import` is the one entry point."""

import datetime
import hashlib
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.db import DatabaseError, IntegrityError, models, transaction

from shortscience.http import HttpClient, HttpError

from .identifiers import parse_arxiv_id, parse_doi
from .importers import arxiv_api, crossref
from .importers.records import PaperRecord, Source
from .models import Paper
from .services import Outcome, paper_upsert

logger = logging.getLogger(__name__)

ON_DEMAND_TIMEOUT = 10.0  # seconds per request: a reader is waiting for the page
NOT_FOUND_TTL = 10 * 60  # a "no such paper" answer is remembered this long, so repeated look-ups do not ask again
FAILURE_TTL = 2 * 60  # an unreachable source or an unusable answer is remembered for less: it may soon work


class ImportFailure(models.TextChoices):
    """Why an on-demand import gave no paper (OnDemandResult.failure)."""

    NOT_IMPORTABLE = "not_importable", "not an arXiv id, arXiv URL or DOI, or an arXiv id that cannot exist"
    NOT_FOUND = "not_found", "the source has no such paper"
    UNREACHABLE = "unreachable", "no connection, or the source kept saying “try later”"
    TIMEOUT = "timeout", "the source did not answer in time"
    SOURCE_ERROR = "source_error", "the source answered with an error or something that is not a paper"
    NOT_STORED = "not_stored", "the paper was fetched but the database refused it; nothing was written"


@dataclass
class OnDemandResult:
    """What `paper_find_or_import` did. `paper` when it worked (`created` if it was imported now, not found
    already known); otherwise `failure` (an ImportFailure) and `reason` in words. `source` ("arXiv",
    "Crossref") and `url` say what was asked; `cached` that the failure was remembered from an earlier look-up
    and `retry_after` for how many seconds it is remembered."""

    paper: Paper | None = None
    created: bool = False
    failure: ImportFailure | str = ""
    reason: str = ""
    source: str = ""
    url: str = ""
    cached: bool = False
    retry_after: int = 0

    @property
    def ok(self) -> bool:
        return self.paper is not None


def on_demand_target(identifier: str) -> tuple[Source, str] | None:
    """(Source.ARXIV, unversioned id) or (Source.CROSSREF, lower-cased DOI): what an on-demand import of
    `identifier` would fetch. arXiv DOIs (10.48550/arXiv.<id>) go to arXiv, which holds them. None when
    `identifier` is neither, or is an arXiv id that cannot exist (1999.99999: no month 99), so that no request
    is made for it. No queries."""
    arxiv_id = parse_arxiv_id(identifier)
    if arxiv_id is None:
        doi = parse_doi(identifier)
        if doi is None:
            return None
        arxiv_id = crossref.arxiv_id_from_doi(doi)
        if arxiv_id is None:
            return (Source.CROSSREF, doi)
    return (Source.ARXIV, arxiv_id) if _arxiv_id_can_exist(arxiv_id) else None


def _arxiv_id_can_exist(arxiv_id: str) -> bool:
    """Old-style ids (hep-th/9901001) run from 1991-08 to 2007-03; new-style YYMM.NNNN from 2007-04, with five
    digits from 2015-01; none is from a month still to come."""
    if "/" in arxiv_id:
        digits = arxiv_id.rsplit("/", 1)[1]
        year = int(digits[:2]) + (1900 if digits[:2] >= "91" else 2000)
        month, number = int(digits[2:4]), int(digits[4:])
        return 1 <= month <= 12 and (1991, 8) <= (year, month) <= (2007, 3) and number > 0
    yymm, number = arxiv_id.split(".")
    year, month = 2000 + int(yymm[:2]), int(yymm[2:])
    today = datetime.date.today()
    digits = 4 if (year, month) < (2015, 1) else 5
    return 1 <= month <= 12 and (2007, 4) <= (year, month) <= (today.year, today.month) and len(number) == digits


_on_demand_clients: dict[Source, HttpClient] = {}


def on_demand_client(source: Source) -> HttpClient:
    """The client on-demand imports from `source` (arXiv or Crossref) go through: the importer's client
    (User-Agent, spacing: one request per 3 s to arXiv), shared by the process so that look-ups by many readers
    are spaced too, with a short timeout and one quick retry because a reader is waiting. Tests replace it."""
    client = _on_demand_clients.get(source)
    if client is None:
        client = arxiv_api.arxiv_client() if source == Source.ARXIV else crossref.crossref_client()
        client.timeout, client.retries, client.backoff, client.max_retry_after = ON_DEMAND_TIMEOUT, 1, 2.0, 5.0
        client = _on_demand_clients.setdefault(source, client)
    return client


def paper_find_or_import(identifier: str, *, queryset=None) -> OnDemandResult:
    """The paper `identifier` names, found as /paper?bibtexKey= resolves it (its key, an alias, an arXiv id or URL,
    a DOI: `Paper.objects.resolve_many`) or else imported from arXiv or Crossref (an arXiv id, versioned or not, an
    arXiv abs/pdf URL, or a DOI). `queryset` (Paper.objects.for_detail(), say) is what a paper found by its own key
    is read with, so that a page needs no second query for it.

    An import writes the paper and its authors in one transaction: all or nothing. Never raises for network or
    source trouble: a failure is returned with what was tried and why, and remembered for a while (NOT_FOUND_TTL,
    FAILURE_TTL) so that repeated look-ups do not ask the source again. NOT_IMPORTABLE, without any request, for
    an unknown identifier that is not an arXiv id, arXiv URL or DOI."""
    identifier = (identifier or "").strip()
    papers = Paper.objects.all() if queryset is None else queryset
    exact = papers.filter(bibtex_key=identifier).first() if identifier else None
    if exact is not None:
        return OnDemandResult(paper=exact)
    known = Paper.objects.resolve_many([identifier], skip_exact=True).get(identifier) if identifier else None
    if known is not None:
        return OnDemandResult(paper=known)
    target = on_demand_target(identifier)
    if target is None:
        return OnDemandResult(failure=ImportFailure.NOT_IMPORTABLE, reason="not an arXiv id, arXiv URL or DOI")
    source, source_id = target
    if source == Source.ARXIV and parse_arxiv_id(identifier) is None:  # an arXiv DOI: the paper may be known by its id
        known = Paper.objects.resolve_many([source_id]).get(source_id)
        if known is not None:
            return OnDemandResult(paper=known)

    cache_key = "papers:on-demand-failure:" + hashlib.sha256(f"{source}:{source_id}".encode()).hexdigest()
    remembered = cache.get(cache_key)
    if remembered:
        return OnDemandResult(**remembered, cached=True)

    record, result = _on_demand_fetch(source, source_id)
    if record is not None:
        result = _on_demand_store(record, source=result.source, url=result.url)
    if not result.ok:
        result.retry_after = NOT_FOUND_TTL if result.failure == ImportFailure.NOT_FOUND else FAILURE_TTL
        remembered = {name: getattr(result, name) for name in ("failure", "reason", "source", "url", "retry_after")}
        cache.set(cache_key, remembered, result.retry_after)
    return result


def _on_demand_fetch(source: Source, source_id: str) -> tuple[PaperRecord | None, OnDemandResult]:
    """(record, result naming source and URL) or (None, the failure)."""
    client = on_demand_client(source)
    label = source.label
    url = arxiv_api.id_list_url([source_id]) if source == Source.ARXIV else crossref.work_url(source_id)
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
        # Most likely another request imported the same paper a moment ago: use it.
        paper, outcome = Paper.objects.filter(bibtex_key=record.bibtex_key).first(), Outcome.UNCHANGED
        if paper is None:
            logger.exception("On-demand import of %s from %s was refused by the database", record.bibtex_key, url)
            return refused
    except DatabaseError:
        logger.exception("On-demand import of %s from %s was refused by the database", record.bibtex_key, url)
        return refused
    return OnDemandResult(paper=paper, created=outcome == Outcome.CREATED, source=source, url=url)
