from django.contrib.sites.models import Site
from django.core.management.base import BaseCommand

from shortscience.sites import site_sync, site_values


class Command(BaseCommand):
    help = "Set the Site record (named in allauth's mail) from SITE_URL and SITE_NAME."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Say what would change, change nothing.")

    def handle(self, *args, dry_run=False, **options):
        values = site_values()
        if dry_run:
            current = Site.objects.filter(pk=Site.objects.get_current().pk).values("domain", "name").first()
            self.stdout.write(f"The Site is {current}; SITE_URL and SITE_NAME say {values}.")
            return
        changed = site_sync(Site)
        Site.objects.clear_cache()
        self.stdout.write(f"The Site {'is now' if changed else 'already was'} {values['name']} ({values['domain']}).")
