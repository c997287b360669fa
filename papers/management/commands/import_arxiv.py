"""Import papers from the arXiv API by id, or from saved arXiv API responses."""

from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from papers.importers.arxiv_api import BATCH_SIZE, arxiv_client, fetch_arxiv, parse_arxiv_atom
from papers.importers.records import ImportProblem
from papers.management.commands._report import finish_import
from papers.services import papers_import
from shortscience.progress import Progress


class Command(BaseCommand):
    help = (
        "Import papers from the arXiv API by id (1512.03385, 1512.03385v2, hep-th/9901001, or an arxiv.org "
        "abs/pdf URL), or from saved API responses with --from-file. Invalid or unknown ids are reported and "
        "skipped; the exit status is non-zero when anything was skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", metavar="ID", help="arXiv ids or arxiv.org abs/pdf URLs")
        parser.add_argument(
            "--from-file",
            nargs="+",
            default=[],
            metavar="RESPONSE.xml",
            help="saved arXiv API (Atom) responses",
        )
        parser.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")

    def handle(self, *args, ids, from_file, dry_run, **options):
        if not ids and not from_file:
            raise CommandError("Give arXiv ids, or saved responses with --from-file.")
        records, problems = [], []
        for path in from_file:
            try:
                data = Path(path).read_bytes()
            except OSError as exc:
                problems.append(ImportProblem(path, f"cannot read the file: {exc.strerror or exc}"))
                continue
            file_records, file_problems = parse_arxiv_atom(data, ref=path)
            records += file_records
            problems += [p if p.ref == path else ImportProblem(f"{path}: {p.ref}", p.reason) for p in file_problems]
        if ids:
            self.stdout.write(
                f"Fetching {len(ids)} ids from the arXiv API "
                f"({BATCH_SIZE} per request, {settings.ARXIV_MIN_INTERVAL:g} s apart)"
            )
            id_records, id_problems = fetch_arxiv(ids, arxiv_client())
            records += id_records
            problems += id_problems

        # The same paper twice (two saved pages, an id and a file): keep its most recently updated record.
        newest_by_key = {}
        for record in records:
            kept = newest_by_key.get(record.bibtex_key)
            if kept is None or (record.updated or date.min) >= (kept.updated or date.min):
                newest_by_key[record.bibtex_key] = record
        result = papers_import(
            records=newest_by_key.values(),
            problems=problems,
            progress=Progress(self.stdout, total=len(newest_by_key)),
            dry_run=dry_run,
        )
        finish_import(self, result, dry_run=dry_run)
