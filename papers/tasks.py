"""The papers app's background jobs (django-tasks; README "Jobs"): the on-demand import of one paper and the
scheduled arXiv harvest. A job's arguments and return value are JSON."""

import logging

from django_tasks import task

from shortscience.locks import advisory_lock

from . import fetch, harvest, services
from .importers.records import Source

logger = logging.getLogger(__name__)

HARVEST_LOCK = "papers.tasks.arxiv_harvest"
SEARCH_FILL_LOCK = "papers.tasks.paper_search_vectors_fill"


@task()
def paper_import(source: str, source_id: str) -> dict:
    """Import one paper for papers.on_demand: {"bibtex_key", "created"} when it is stored, else the failure
    (OnDemandResult.remembered()), which is remembered in the cache too. Clears the pending mark when done."""
    target = (Source(source), source_id)
    try:
        result = fetch.paper_import(target)
    finally:
        fetch.pending_clear(target)
    if result.ok:
        return {"bibtex_key": result.paper.bibtex_key, "created": result.created}
    return result.remembered()


@task(queue_name="harvest")
def arxiv_harvest(max_pages: int | None = None) -> dict:
    """The scheduled OAI-PMH harvest (papers.harvest), resuming from its checkpoint; enqueued by
    `manage.py harvest_arxiv --enqueue` (a cron line, README). Only one runs at a time across all workers: a
    harvest enqueued while another runs finds it locked and returns at once. Its queue is "harvest", so that a
    worker of the default queue stays free for mail and readers' imports."""
    with advisory_lock(HARVEST_LOCK, wait=False) as locked:
        if not locked:
            logger.info("An arXiv harvest is already running; this one stops without asking arXiv")
            return {"skipped": "another harvest is running"}
        report = harvest.arxiv_harvest(client=harvest.oai_client(), max_pages=max_pages)
    result = report.result
    return {
        "pages": report.pages,
        "finished": report.finished,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "skipped": len(result.skipped),
        "withdrawn": report.withdrawn,
    }


@task()
def paper_search_vectors_fill() -> dict:
    """Make the search vectors the bulk import left NULL (papers.services.paper_search_vectors_fill); enqueued by
    each bulk import as it goes and at its end. One at a time: another finds the lock taken and returns, and the
    running one goes on until none is left, looking once more after it lets the lock go (a fill enqueued just
    before that found it taken, and its batch would otherwise wait for the next import)."""
    filled = 0
    while True:
        with advisory_lock(SEARCH_FILL_LOCK, wait=False) as locked:
            if not locked:
                return {"filled": filled, "skipped": "another fill is running"}
            filled += services.paper_search_vectors_fill()
        if not services.search_vectors_pending():
            return {"filled": filled}
