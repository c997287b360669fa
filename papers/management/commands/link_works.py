"""Link the records of one paper as one work, across the whole catalogue."""

from django.core.management.base import BaseCommand

from papers.models import Paper
from papers.works import works_link


class Command(BaseCommand):
    help = (
        "Link records of one paper (same arXiv id, same DOI, or same title with a shared author) as one work, "
        "across the whole catalogue. Imports do this for each paper they write; run it after bulk loads."
    )

    def handle(self, *args, **options):
        changed = works_link()
        linked = Paper.objects.exclude(work=None).count()
        self.stdout.write(self.style.SUCCESS(f"{changed} papers changed work; {linked} papers belong to a work."))
