import argparse
import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from papers import harvest
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
        "where the last finished one ended. --from-file imports saved pages (arXiv or arXivRaw format) instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="from_date", type=datestamp, help="first datestamp, YYYY-MM-DD")
        parser.add_argument("--until", type=datestamp, help="last datestamp, YYYY-MM-DD")
        parser.add_argument("--restart", action="store_true", help="ignore an unfinished harvest's checkpoint")
        parser.add_argument("--max-pages", type=int, help="stop after this many pages (resume later)")
        parser.add_argument("--from-file", nargs="+", metavar="PAGE.xml", help="saved OAI-PMH responses")

    def handle(self, *args, from_file=None, **options):
        result = self._from_files(from_file) if from_file else self._harvest(options)
        finish_import(self, result)

    def _from_files(self, paths) -> ImportResult:
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
            withdrawn = harvest.oai_page_store(page=page, result=result)
            self.stdout.write(f"{name}: {len(page.records)} records, {withdrawn} withdrawn")
        return result

    def _harvest(self, options) -> ImportResult:
        def on_page(checkpoint, report):
            total = f"/{checkpoint.complete_list_size}" if checkpoint.complete_list_size else ""
            done = f"{checkpoint.records}{total} records"
            self.stdout.write(f"page {checkpoint.pages}: {done} ({report.result.summary()})")

        try:
            report = harvest.arxiv_harvest(
                client=harvest.oai_client(),
                from_date=options["from_date"],
                until=options["until"],
                restart=options["restart"],
                max_pages=options["max_pages"],
                on_page=on_page,
            )
        except harvest.HarvestFailed as exc:
            raise CommandError(f"{exc}. Run the command again to resume from the checkpoint.", returncode=2) from exc
        state = "finished" if report.finished else "stopped; run again to resume"
        verb = "resumed" if report.resumed else "started"
        self.stdout.write(f"Harvest {verb}, {report.pages} pages, {report.withdrawn} withdrawn, {state}.")
        return report.result
