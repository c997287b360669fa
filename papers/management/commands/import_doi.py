"""Import papers by DOI from Crossref (arXiv DOIs from the arXiv API)."""

from django.core.management.base import BaseCommand

from papers.identifiers import parse_doi
from papers.importers.arxiv_api import arxiv_client, fetch_arxiv
from papers.importers.crossref import MIN_INTERVAL, arxiv_id_from_doi, crossref_client, fetch_crossref
from papers.importers.records import ImportProblem
from papers.management.commands._report import finish_import
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
        doi_by_arxiv_id, crossref_dois = {}, []  # arXiv DOIs as given, by their arXiv id; the others
        for given in dois:
            if arxiv_id := arxiv_id_from_doi(parse_doi(given) or ""):
                doi_by_arxiv_id.setdefault(arxiv_id, given)  # one paper, however many forms of its DOI were given
            else:
                crossref_dois.append(given)
        records, problems = [], []
        if crossref_dois:
            self.stdout.write(f"Fetching {len(crossref_dois)} DOIs from Crossref ({MIN_INTERVAL:.0f} s apart)")
            records, problems = fetch_crossref(crossref_dois, crossref_client())
        if doi_by_arxiv_id:
            self.stdout.write(f"Fetching {len(doi_by_arxiv_id)} arXiv DOIs from the arXiv API")
            arxiv_records, arxiv_problems = fetch_arxiv(list(doi_by_arxiv_id), arxiv_client())
            records += arxiv_records
            # A problem names the DOI as given, not the arXiv id it was fetched by.
            problems += [ImportProblem(doi_by_arxiv_id.get(p.ref, p.ref), p.reason, p.line) for p in arxiv_problems]

        result = papers_import(
            records=records, problems=problems, progress=Progress(self.stdout, total=len(records)), dry_run=dry_run
        )
        finish_import(self, result, dry_run=dry_run)
