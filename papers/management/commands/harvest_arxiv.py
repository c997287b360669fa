"""Harvest arXiv over OAI-PMH, or import saved OAI-PMH pages."""

import argparse
import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from papers import harvest, tasks
from papers.importers.oai import OaiErrorCode, parse_oai_page
from papers.importers.records import ImportProblem
from papers.importers.text import iso_date
from papers.management.commands._report import finish_import
from papers.services import ImportResult


def datestamp(text: str) -> datetime.date:
    """The argparse type of --from and --until."""
    date = iso_date(text)
    if date is None:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}")
    return date


class Command(BaseCommand):
    help = (
        "Harvest new and changed arXiv papers over OAI-PMH (metadata format arXiv), following resumption tokens, "
        "3 s between requests. A stopped harvest resumes at its next page; without --from, a harvest starts "
        "where the last finished one ended. --from-file imports saved pages (arXiv or arXivRaw format) instead. "
        "--dry-run reads the pages and counts what would change, writing neither papers nor the checkpoint. "
        "--enqueue hands the harvest to a job worker instead (cron: README, Jobs)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="from_date", type=datestamp, help="first datestamp, YYYY-MM-DD")
        parser.add_argument("--until", type=datestamp, help="last datestamp, YYYY-MM-DD")
        parser.add_argument("--restart", action="store_true", help="ignore an unfinished harvest's checkpoint")
        parser.add_argument("--max-pages", type=int, help="stop after this many pages (resume later)")
        parser.add_argument("--from-file", nargs="+", metavar="PAGE.xml", help="saved OAI-PMH responses")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change, write nothing (checkpoint included)"
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="enqueue the harvest as a job (papers.tasks.arxiv_harvest, resuming from the checkpoint) and exit",
        )

    def handle(self, *args, from_file, dry_run, from_date, until, restart, max_pages, enqueue, **options):
        if enqueue:
            if from_file or dry_run or from_date or until or restart:
                raise CommandError("--enqueue takes only --max-pages: the job resumes from the checkpoint.")
            job = tasks.arxiv_harvest.enqueue(max_pages=max_pages)
            state = "done" if job.is_finished else "a worker will run it"
            self.stdout.write(f"Enqueued the arXiv harvest as job {job.id} ({job.status.lower()}: {state}).")
            return
        if from_file:
            result = self._import_pages(from_file, dry_run=dry_run)
        else:
            result = self._harvest(
                from_date=from_date, until=until, restart=restart, max_pages=max_pages, dry_run=dry_run
            )
        finish_import(self, result, dry_run=dry_run)

    def _import_pages(self, paths, *, dry_run) -> ImportResult:
        take_page = harvest.oai_page_preview if dry_run else harvest.oai_page_store  # writes, or counts
        withdrawn_label = "would be withdrawn" if dry_run else "withdrawn"
        result = ImportResult()
        for name in paths:
            path = Path(name)
            try:
                page = parse_oai_page(path.read_bytes())
            except OSError as exc:
                raise CommandError(f"{name}: {exc.strerror}") from exc
            if page.error and page.error.code != OaiErrorCode.NO_RECORDS_MATCH:
                self.stderr.write(f"{name}: OAI-PMH error {page.error}")
                result.skipped.append(ImportProblem(name, f"OAI-PMH error {page.error}"))
                continue
            withdrawn = take_page(page=page, result=result)
            self.stdout.write(f"{name}: {len(page.records)} records, {withdrawn} {withdrawn_label}")
        return result

    def _harvest(self, *, dry_run, **harvest_options) -> ImportResult:
        def on_page(checkpoint, report):
            total = f"/{checkpoint.complete_list_size}" if checkpoint.complete_list_size else ""
            done = f"{checkpoint.records}{total} records"
            self.stdout.write(f"page {checkpoint.pages}: {done} ({report.result.summary()})")

        try:
            report = harvest.arxiv_harvest(
                client=harvest.oai_client(), dry_run=dry_run, on_page=on_page, **harvest_options
            )
        except harvest.HarvestFailed as exc:
            raise CommandError(f"{exc}. Run the command again to resume from the checkpoint.", returncode=2) from exc
        verb = "resumed" if report.resumed else "started"
        if dry_run:
            state = "read to the end of the list" if report.finished else "stopped before the end of the list"
            self.stdout.write(
                f"Harvest {verb} as a dry run, {report.pages} pages, {report.withdrawn} would be withdrawn, {state}; "
                "the checkpoint is untouched."
            )
        else:
            state = "finished" if report.finished else "stopped; run again to resume"
            self.stdout.write(f"Harvest {verb}, {report.pages} pages, {report.withdrawn} withdrawn, {state}.")
        return report.result
