from urllib.parse import urlencode

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse

orcid_validator = RegexValidator(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$", "An ORCID looks like 0000-0002-1825-0097.")


class User(AbstractUser):
    """A ShortScience account. Log-in is by username or email (allauth)."""

    display_name = models.CharField(max_length=100, blank=True)
    bio = models.TextField(blank=True, max_length=2000)
    orcid = models.CharField("ORCID", max_length=19, blank=True, validators=[orcid_validator])
    email_on_comment = models.BooleanField("email me when someone comments on my summaries", default=True)
    is_banned = models.BooleanField(default=False, help_text="Hides the user's content and blocks log-in.")

    def __str__(self):
        return self.username

    @property
    def public_name(self) -> str:
        return self.display_name or self.username

    def get_absolute_url(self):
        return reverse("accounts:profile") + "?" + urlencode({"name": self.username})
