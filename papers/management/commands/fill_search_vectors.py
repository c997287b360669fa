"""Make the search vectors the bulk import left to a job (papers.services.paper_search_vectors_fill)."""

import time

from django.core.management.base import BaseCommand

from papers.models import Paper
from papers.services import paper_search_vectors_fill
from shortscience.progress import Progress


class Command(BaseCommand):
    help = (
        "Make the search vectors of the papers that have none: the bulk import leaves them to a job it enqueues "
        "(this is what the job runs). Safe to run at any time, alongside the job."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count the papers without a vector")

    def handle(self, *args, dry_run=False, **options):
        pending = Paper.objects.filter(search_vector__isnull=True).count()
        if dry_run:
            self.stdout.write(f"Dry run, nothing written: {pending} papers have no search vector.")
            return
        started = time.monotonic()
        filled = paper_search_vectors_fill(progress=Progress(self.stdout, total=pending, every=10_000))
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"{filled} search vectors made in {elapsed:,.1f}s."))
