from urllib.parse import urlencode

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F
from django.urls import reverse

orcid_validator = RegexValidator(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$", "An ORCID looks like 0000-0002-1825-0097.")


class UserQuerySet(models.QuerySet):
    def leaderboard(self):
        """People with public, signed summaries, by average score per summary (the original's "sciscore"), with
        `summary_count`, `average_score` and `total_score`: their stored summaries.AuthorStats, read in the order
        of its leaderboard index."""
        return (
            self.filter(is_banned=False, summary_stats__signed_count__gt=0)
            .annotate(
                summary_count=F("summary_stats__signed_count"),
                average_score=F("summary_stats__score_average"),
                total_score=F("summary_stats__score_total"),
            )
            .order_by("-summary_stats__score_average", "-summary_stats__signed_count", "username")
        )


class AccountManager(UserManager.from_queryset(UserQuerySet)):
    """Django's UserManager (create_user, create_superuser) with the queries above."""


class User(AbstractUser):
    """A ShortScience account. Log-in is by username or email (allauth)."""

    display_name = models.CharField(max_length=100, blank=True)
    bio = models.TextField(blank=True, max_length=2000)
    orcid = models.CharField("ORCID", max_length=19, blank=True, validators=[orcid_validator])
    email_on_comment = models.BooleanField("email me when someone comments on my summaries", default=True)
    is_banned = models.BooleanField(default=False, help_text="Hides the user's content and blocks log-in.")

    objects = AccountManager()

    def __str__(self):
        return self.username

    @property
    def public_name(self) -> str:
        return self.display_name or self.username

    def get_absolute_url(self):
        return reverse("accounts:profile") + "?" + urlencode({"name": self.username})
