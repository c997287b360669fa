"""The arXiv OAI-PMH harvest: ListRecords in the `arXiv` metadata format, page by page, one request at a time
through shortscience.http (≥ 3 s apart, Retry-After honoured), with a checkpoint after each page so that a
stopped harvest resumes at its next page. Parsing is papers.importers.oai; writing is papers.services.
A dry run reads the same pages and writes nothing, neither papers nor the checkpoint.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shortscience.http import HttpClient, HttpError, shared_pacer

from .importers.arxiv_api import PACE_KEY
from .importers.oai import OaiErrorCode, OaiPage, parse_oai_page
from .importers.records import Source, shorten_author_names
from .importers.text import iso_date
from .models import HarvestCheckpoint, Paper
from .services import ImportResult, Outcome, paper_pages_invalidate, paper_upsert, papers_import

CHECKPOINT_NAME = "arxiv-oai"
METADATA_PREFIX = "arXiv"
PAGE_ATTEMPTS = 3  # a page that comes back broken is asked for again this many times in all


class HarvestFailed(Exception):
    """The harvest stopped; the checkpoint still points at the page that failed, so it can resume."""


@dataclass
class HarvestReport:
    """What one run of `arxiv_harvest` did: `finished` when it reached the end of the list."""

    result: ImportResult
    pages: int = 0
    finished: bool = False
    resumed: bool = False
    withdrawn: int = 0


def oai_client() -> HttpClient:
    """The client harvests use; tests replace it with one whose transport replays recorded pages."""
    return HttpClient(
        min_interval=settings.ARXIV_MIN_INTERVAL, timeout=60.0, retries=5, pacer=shared_pacer(), pace_key=PACE_KEY
    )


@transaction.atomic
def oai_page_store(*, page: OaiPage, result: ImportResult) -> int:
    """Write one page: all of it or, if the database refuses a record, none of it. Returns withdrawn count."""
    stored_ids = []
    for record in page.records:
        note = shorten_author_names(record)
        paper, outcome = paper_upsert(record=record)
        result.count(outcome)
        if note:
            result.notes.append(note)
        stored_ids.append(paper.pk)
    relisted = list(Paper.objects.filter(pk__in=stored_ids, withdrawn=True).values_list("pk", flat=True))
    if relisted:
        Paper.objects.filter(pk__in=relisted).update(withdrawn=False)  # listed again
        paper_pages_invalidate(paper_ids=relisted)
    withdrawn = 0
    if page.deleted:
        gone = Paper.objects.filter(arxiv_id__in=page.deleted, source=Source.ARXIV, withdrawn=False)
        gone_ids = list(gone.values_list("pk", flat=True))
        withdrawn = Paper.objects.filter(pk__in=gone_ids).update(withdrawn=True)
        paper_pages_invalidate(paper_ids=gone_ids)
    result.skipped.extend(page.problems)
    return withdrawn


def oai_page_preview(*, page: OaiPage, result: ImportResult) -> int:
    """What `oai_page_store` would do with one page, writing nothing. Records are counted as
    `papers_import(dry_run=True)` counts them: created when their key is not stored, else unchanged, with one
    query a chunk of records. Returns how many papers would be marked withdrawn."""
    preview = papers_import(records=page.records, dry_run=True)
    result.count(Outcome.CREATED, preview.created)
    result.count(Outcome.UPDATED, preview.updated)
    result.count(Outcome.UNCHANGED, preview.unchanged)
    result.skipped.extend(page.problems)
    if not page.deleted:
        return 0
    return Paper.objects.filter(arxiv_id__in=page.deleted, source=Source.ARXIV, withdrawn=False).count()


def _fetch_page(client: HttpClient, params: dict) -> OaiPage:
    """One page, asked for again when it comes back broken (truncated XML, an HTML error page)."""
    last_failure = ""
    for _attempt in range(1, PAGE_ATTEMPTS + 1):
        try:
            response = client.get(settings.ARXIV_OAI_URL, params)
        except HttpError as exc:
            raise HarvestFailed(f"arXiv OAI-PMH unreachable: {exc}") from exc
        page = parse_oai_page(response.body)
        broken = page.error and page.error.code in {OaiErrorCode.MALFORMED_XML, OaiErrorCode.NOT_OAI_PMH}
        if not broken and (response.status == 200 or page.error):
            return page
        last_failure = f"HTTP {response.status}" + (f", {page.error}" if page.error else "")
    raise HarvestFailed(f"{settings.ARXIV_OAI_URL} gave a broken page {PAGE_ATTEMPTS} times ({last_failure})")


def arxiv_harvest(
    *,
    client: HttpClient,
    from_date: datetime.date | None = None,
    until: datetime.date | None = None,
    restart: bool = False,
    max_pages: int | None = None,
    dry_run: bool = False,
    on_page: Callable[[HarvestCheckpoint, HarvestReport], None] | None = None,
) -> HarvestReport:
    """Harvest new and changed arXiv records. Resumes an unfinished harvest with the same dates unless
    `restart`; without `from_date`, starts where the last finished harvest ended. `on_page` is called after
    each page with the checkpoint as it now stands.

    A dry run asks for the same pages and counts them with `oai_page_preview`; it reads the checkpoint to know
    where to start and advances it in memory only (for `on_page`), never saving it."""
    if dry_run:
        stored = HarvestCheckpoint.objects.filter(name=CHECKPOINT_NAME).first()
        checkpoint = stored or HarvestCheckpoint(name=CHECKPOINT_NAME)
    else:
        checkpoint, _ = HarvestCheckpoint.objects.get_or_create(name=CHECKPOINT_NAME)
    take_page = oai_page_preview if dry_run else oai_page_store  # writes the page, or counts what it would write

    def checkpoint_save(*fields: str) -> None:
        if not dry_run:
            checkpoint.save(update_fields=fields or None)

    report = HarvestReport(result=ImportResult())
    same_dates = (from_date is None or from_date == checkpoint.from_date) and (
        until is None or until == checkpoint.until_date
    )
    if checkpoint.in_progress and same_dates and not restart:
        params = {"verb": "ListRecords", "resumptionToken": checkpoint.resumption_token}
        report.resumed = True
    else:
        from_date = from_date or checkpoint.harvested_until
        checkpoint.from_date, checkpoint.until_date = from_date, until
        checkpoint.resumption_token, checkpoint.cursor, checkpoint.complete_list_size = "", None, None
        checkpoint.pages = checkpoint.records = 0
        checkpoint.started_at, checkpoint.finished_at, checkpoint.last_error = timezone.now(), None, ""
        checkpoint_save()
        params = {"verb": "ListRecords", "metadataPrefix": METADATA_PREFIX}
        if from_date:
            params["from"] = from_date.isoformat()
        if until:
            params["until"] = until.isoformat()

    while True:
        try:
            page = _fetch_page(client, params)
        except HarvestFailed as exc:
            checkpoint.last_error = str(exc)
            checkpoint_save("last_error", "updated_at")
            raise
        if page.error and page.error.code != OaiErrorCode.NO_RECORDS_MATCH:
            checkpoint.last_error = str(page.error)
            checkpoint_save("last_error", "updated_at")
            raise HarvestFailed(f"arXiv answered with OAI-PMH error {page.error}")
        with transaction.atomic():
            if not page.error:
                report.withdrawn += take_page(page=page, result=report.result)
            checkpoint.pages += 1
            checkpoint.records += len(page.records)
            checkpoint.cursor, checkpoint.complete_list_size = page.cursor, page.complete_list_size
            checkpoint.resumption_token = page.resumption_token or ""
            checkpoint.last_error = ""
            if not page.resumption_token:
                checkpoint.finished_at = timezone.now()
                response_day = iso_date((page.response_date or "")[:10])  # of 2018-01-26T09:05:29Z
                checkpoint.harvested_until = until or response_day or timezone.now().date()
            checkpoint_save()
        report.pages += 1
        if on_page:
            on_page(checkpoint, report)
        if not page.resumption_token:
            report.finished = True
            return report
        if max_pages and report.pages >= max_pages:
            return report
        params = {"verb": "ListRecords", "resumptionToken": page.resumption_token}
