"""Import papers by DOI from Crossref (arXiv DOIs from the arXiv API)."""

from django.core.management.base import BaseCommand

from papers.importers.arxiv_api import arxiv_client, fetch_arxiv
from papers.importers.crossref import MIN_INTERVAL, arxiv_id_from_doi, crossref_client, fetch_crossref
from papers.importers.records import ImportProblem
from papers.management.commands._report import finish_import
from papers.models import parse_doi
from papers.services import papers_import
from shortscience.progress import Progress


class Command(BaseCommand):
    help = (
        "Import papers by DOI (10.1109/CVPR.2016.90, doi:10.1109/CVPR.2016.90 or https://doi.org/10.1109/CVPR.2016.90) "
        "from Crossref; each paper is keyed by its lower-cased DOI. arXiv DOIs (10.48550/arXiv.…) are fetched from "
        "the arXiv API. Invalid or unknown DOIs are reported and skipped; the exit status is non-zero when anything "
        "was skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("dois", nargs="+", metavar="DOI", help="DOIs, bare or as doi: / https://doi.org/ forms")
        parser.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")

    def handle(self, *args, dois, dry_run, **options):
        arxiv_dois, others = {}, []  # arXiv id -> the DOI as given / the other DOIs
        for given in dois:
            if arxiv_id := arxiv_id_from_doi(parse_doi(given) or ""):
                arxiv_dois.setdefault(arxiv_id, given)  # one paper, however many forms of its DOI were given
            else:
                others.append(given)
        records, problems = [], []
        if others:
            self.stdout.write(f"Fetching {len(others)} DOIs from Crossref ({MIN_INTERVAL:.0f} s apart)")
            records, problems = fetch_crossref(others, crossref_client())
        if arxiv_dois:
            self.stdout.write(f"Fetching {len(arxiv_dois)} arXiv DOIs from the arXiv API")
            arxiv_records, arxiv_problems = fetch_arxiv(list(arxiv_dois), arxiv_client())
            records += arxiv_records
            problems += [ImportProblem(arxiv_dois.get(p.ref, p.ref), p.reason, p.line) for p in arxiv_problems]

        result = papers_import(
            records=records, problems=problems, progress=Progress(self.stdout, total=len(records)), dry_run=dry_run
        )
        finish_import(self, result, dry_run=dry_run)
