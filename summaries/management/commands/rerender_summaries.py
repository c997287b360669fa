from django.core.management.base import BaseCommand

from shortscience.markup import RenderTooComplex
from shortscience.progress import Progress
from summaries.models import Summary
from summaries.services import summary_rerender


class Command(BaseCommand):
    help = "Render every summary again with the current renderer (run after changing shortscience/markup.py)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count the summaries whose HTML would change.")

    def handle(self, *args, dry_run=False, **options):
        total = Summary.objects.count()
        progress = Progress(self.stdout if options["verbosity"] else None, total=total, label="summaries")
        changed, refused = 0, []
        for summary in Summary.objects.order_by("pk").prefetch_related("citations").iterator(chunk_size=500):
            try:
                changed += summary_rerender(summary=summary, dry_run=dry_run)
            except RenderTooComplex as exc:  # its stored HTML stays; its author can simplify it
                refused.append(summary.pk)
                self.stderr.write(f"summary {summary.pk} not rendered again: {exc}")
            progress.step()
        progress.write()
        verb = "would change" if dry_run else "changed"
        kept = f", {len(refused)} too complex for the renderer kept their HTML" if refused else ""
        self.stdout.write(self.style.SUCCESS(f"{total} summaries rendered, {changed} {verb}{kept}."))
