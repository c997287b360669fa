"""python manage.py import_bibtex FILE... : papers from BibTeX exports (dblp, Bibsonomy)."""

import logging
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from papers.importers.bibtex import parse_bibtex
from papers.management.commands._report import problem_line
from papers.services import papers_import
from shortscience.progress import Progress


class Command(BaseCommand):
    help = (
        "Import papers from BibTeX files (dblp and Bibsonomy exports). Entries that cannot be read are "
        "reported on stderr and skipped; the others are imported, and the command then exits non-zero."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="a .bib file")
        parser.add_argument("--dry-run", action="store_true", help="parse and count, write nothing")

    def handle(self, *args, files, dry_run, **options):
        # bibtexparser logs broken blocks with 0-based line numbers; each is reported below instead.
        logging.getLogger("bibtexparser").setLevel(logging.ERROR)
        skipped_entries = unreadable_files = 0
        for name in files:
            try:
                data = Path(name).read_bytes()
            except OSError as exc:
                self.stderr.write(f"{name}: cannot read: {exc.strerror or exc}")
                unreadable_files += 1
                continue
            records, problems = parse_bibtex(data)
            for problem in problems:
                self.stderr.write(f"{name}: skipped {problem}")
            result = papers_import(
                records=records,
                problems=problems,
                progress=Progress(self.stdout, total=len(records)),
                dry_run=dry_run,
                on_problem=lambda problem, name=name: self.stderr.write(f"{name}: {problem_line(problem)}"),
            )
            self.stdout.write(f"{name}: {result.summary()}" + (" (dry run, nothing written)" if dry_run else ""))
            skipped_entries += len(result.skipped)
        if skipped_entries or unreadable_files:
            raise CommandError(f"{skipped_entries} entries skipped, {unreadable_files} files unreadable (see above)")
