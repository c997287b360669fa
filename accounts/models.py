from urllib.parse import urlencode

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F
from django.db.models.functions import Upper
from django.urls import reverse

from .usernames import username_fold, validate_username

orcid_format_validator = RegexValidator(
    r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$", "An ORCID iD looks like 0000-0002-1825-0097: four groups of four digits."
)


def orcid_checksum(digits: str) -> str:
    """The check character of an ORCID iD's first 15 digits (ISO 7064 MOD 11-2), "0" to "9" or "X"."""
    total = 0
    for digit in digits:
        total = (total + int(digit)) * 2
    check = (12 - total % 11) % 11
    return "X" if check == 10 else str(check)


def orcid_validator(value: str) -> None:
    """An ORCID iD: its format, then its last character, the checksum of the others (a typo is caught)."""
    orcid_format_validator(value)
    digits = value.replace("-", "")
    if orcid_checksum(digits[:15]) != digits[15]:
        raise ValidationError(
            f"“{value}” is not an ORCID iD: its last character does not match the others (check for a typo).",
            code="orcid_checksum",
        )


class UserQuerySet(models.QuerySet):
    def username_clash(self, name: str, *, user=None):
        """The account whose name is the same name as `name` once folded (accounts/usernames.py), other than
        `user`; or None."""
        return self.exclude(pk=getattr(user, "pk", None)).filter(username_folded=username_fold(name)).first()

    def profile_named(self, name: str):
        """The person whose profile /user?name=NAME shows (the name in any case: the UPPER(username) index), or
        None: nobody of that name, or a banned account. The profile, its .bib, its feed and the API all ask this."""
        return self.filter(username__iexact=name, is_banned=False).first() if name else None

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


def username_validate(name: str, *, user=None) -> None:
    """The check of a new username or a rename, wherever it is chosen (sign-up, the admin's forms): the rules
    (accounts/usernames.py) and no other account with the same folded name. `User.username_folded`'s unique index
    refuses what slips between this check and the insert."""
    validate_username(name)
    clash = User.objects.username_clash(name, user=user)
    if clash is not None:
        raise ValidationError(
            f"“{name}” is too like “{clash.username}”, which is taken (case and look-alike letters count as the same):"
            " choose another.",
            code="username_taken",
        )


class User(AbstractUser):
    """A ShortScience account. Log-in is by username or email (allauth)."""

    username = models.CharField(
        "username",
        max_length=150,
        unique=True,
        validators=[validate_username],
        help_text="Letters A to Z, digits, _ and -; not starting with anon-. 150 characters or fewer.",
        error_messages={"unique": "A user with that username already exists."},
    )
    # The folded username (accounts/usernames.py), unique: no two accounts have names that differ only in case or
    # look-alike letters, however concurrent their sign-ups. Empty only for an older account whose name clashed
    # with an older one's when the rule came in, until it is renamed (`manage.py usernames_check`).
    username_folded = models.TextField(unique=True, null=True, editable=False)
    display_name = models.CharField(max_length=100, blank=True)
    bio = models.TextField(blank=True, max_length=2000)
    orcid = models.CharField("ORCID", max_length=19, blank=True, validators=[orcid_validator])
    email_on_comment = models.BooleanField("email me when someone comments on my summaries", default=True)
    is_banned = models.BooleanField(default=False, help_text="Hides the user's content and blocks log-in.")
    # Kept by accounts.services.user_confirmed_refresh: what they write is public only once it is true.
    is_confirmed = models.BooleanField(
        "email confirmed", default=False, help_text="Has a verified email address: what they write is public."
    )

    objects = AccountManager()

    class Meta(AbstractUser.Meta):
        # The profile finds `/user?name=` in any case (username__iexact, UPPER(username) = UPPER(name)): without
        # this index that read every account. Not unique: older accounts may differ only in case.
        indexes = [models.Index(Upper("username"), name="user_username_upper_idx")]
        permissions = [("ban_user", "Can ban and unban users")]

    def __str__(self):
        return self.username

    @classmethod
    def from_db(cls, db, field_names, values):
        user = super().from_db(db, field_names, values)
        user._username_loaded = user.__dict__.get("username")
        return user

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._username_loaded = self.__dict__.get("username")

    def save(self, *args, **kwargs):
        """Keeps `username_folded`: set for a new account and on a rename, left empty for a clashing older one."""
        if "username" not in self.get_deferred_fields() and (
            self.username_folded is not None or self.username != getattr(self, "_username_loaded", None)
        ):
            self.username_folded = username_fold(self.username)
        if kwargs.get("update_fields") is not None and "username" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "username_folded"}
        super().save(*args, **kwargs)
        self._username_loaded = self.username

    @property
    def public_name(self) -> str:
        return self.display_name or self.username

    def get_absolute_url(self):
        return reverse("accounts:profile") + "?" + urlencode({"name": self.username})
