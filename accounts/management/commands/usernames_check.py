from django.core.management.base import BaseCommand

from accounts.models import User
from accounts.usernames import username_folds_assign


class Command(BaseCommand):
    help = (
        "List the usernames that break the rules or are the same name as an older account's (accounts/usernames.py);"
        " with --assign, give each account the folded name it may now hold (after renames in the admin)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--assign", action="store_true", help="Store the folded names that are free.")

    def handle(self, *args, assign=False, **options):
        report = username_folds_assign(User, write=assign)
        for line in report:
            self.stdout.write(line)
        if not report:
            self.stdout.write(self.style.SUCCESS(f"All {User.objects.count()} usernames follow the rules, one each."))
