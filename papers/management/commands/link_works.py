"""Link the records of one paper as one work, across the whole catalogue."""

from django.core.management.base import BaseCommand
from django.db import transaction

from papers.models import Paper
from papers.works import works_link


class Command(BaseCommand):
    help = (
        "Link records of one paper (same arXiv id, same DOI, or same title with a shared author) as one work, "
        "across the whole catalogue. Imports do this for each paper they write; run it after bulk loads."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count the papers that would change work")

    def handle(self, *args, dry_run=False, **options):
        with transaction.atomic():  # a dry run links as a real one would, then rolls it all back
            changed = works_link()
            linked = Paper.objects.exclude(work=None).count()
            if dry_run:
                transaction.set_rollback(True)
        if dry_run:
            self.stdout.write(f"Dry run, nothing written: {changed} papers would change work.")
        else:
            self.stdout.write(self.style.SUCCESS(f"{changed} papers changed work; {linked} papers belong to a work."))
