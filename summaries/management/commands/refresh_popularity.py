from django.core.management.base import BaseCommand

from summaries.services import paper_views_roll_up, summary_counters_refresh, summary_popularity_refresh


class Command(BaseCommand):
    help = (
        "Fold the paper views appended since the last run into the daily counts and refresh the Popular tab's "
        "scores (schedule it every few minutes). --counters also recomputes every summary's public flag and "
        "comment count from the truth (a repair: the services keep them)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--counters", action="store_true", help="Also recompute every summary's counters.")

    def handle(self, *args, counters=False, **options):
        views = paper_views_roll_up()
        refreshed = summary_popularity_refresh()
        self.stdout.write(self.style.SUCCESS(f"{views} paper views folded, {refreshed} summaries' popularity."))
        if counters:
            self.stdout.write(self.style.SUCCESS(f"{summary_counters_refresh()} summaries' counters recomputed."))
