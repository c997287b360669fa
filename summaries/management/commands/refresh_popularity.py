from django.core.management.base import BaseCommand

from papers.models import VenueYear
from summaries.services import paper_views_roll_up, summary_counters_refresh, summary_popularity_refresh


class Command(BaseCommand):
    help = (
        "Fold the paper views appended since the last run into the daily counts and refresh the Popular tab's "
        "scores (schedule it every few minutes). --counters also recomputes every stored count from the truth: "
        "each summary's public flag and comment count, each author's totals and the homepage's count, each venue's "
        "paper counts (a repair: the writes keep them)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--counters", action="store_true", help="Also recompute every stored count.")

    def handle(self, *args, counters=False, **options):
        views = paper_views_roll_up()
        refreshed = summary_popularity_refresh()
        self.stdout.write(self.style.SUCCESS(f"{views} paper views folded, {refreshed} summaries' popularity."))
        if counters:
            recomputed = summary_counters_refresh()
            VenueYear.objects.recount()
            self.stdout.write(
                self.style.SUCCESS(f"{recomputed} summaries' counters and the venues' counts recomputed.")
            )
