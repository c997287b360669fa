"""Writes about accounts that touch several models: confirming an account (what it wrote becomes public) and
deleting one (what it wrote is left anonymous or deleted, its comments and votes removed, every count redone)."""

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import F, Q

from shortscience import page_cache
from summaries.models import Comment, SiteCounter, Summary, Vote
from summaries.services import (
    author_stats_refresh,
    summaries_delete,
    summary_counters_refresh,
    summary_pages_invalidate,
    summary_popularity_refresh,
    summary_scores_refresh,
)

from .models import User


def user_is_confirmed(user) -> bool:
    """The rule: an account is confirmed when it has a verified email address (staff are confirmed by whoever made
    them staff)."""
    return user.is_staff or user.is_superuser or EmailAddress.objects.filter(user=user, verified=True).exists()


def user_confirmed_refresh(*, user) -> bool:
    """Set `user.is_confirmed` from the rule (user_is_confirmed) and, when it moved, recount what they wrote: their
    summaries join (or leave) the public ones, their comments the counts, their votes the scores. The one place
    that keeps the flag; the allauth adapters call it when an address is confirmed, changed or removed and on a
    social sign-up with a verified address. Returns the flag."""
    with transaction.atomic():
        stored = User.objects.select_for_update().filter(pk=user.pk).values_list("is_confirmed", flat=True).first()
        if stored is None:
            return False
        confirmed = user_is_confirmed(user)
        user.is_confirmed = confirmed
        if stored == confirmed:
            return confirmed
        User.objects.filter(pk=user.pk).update(is_confirmed=confirmed)
        summary_counters_refresh(
            summary_ids=Summary.objects.filter(
                Q(author=user) | Q(pk__in=Comment.objects.filter(author=user).values("summary_id"))
            ).values("pk")
        )
        voted = list(Vote.objects.filter(voter=user).values_list("summary_id", flat=True))
        summary_scores_refresh(summary_ids=voted)
        summary_popularity_refresh(summary_ids=voted)
    return confirmed


def account_delete(*, user, keep_summaries: bool) -> None:
    """Delete `user`'s account. Their summaries stay, anonymous and without an author (`keep_summaries`), or are
    deleted with their revisions, votes and comments; their own comments and votes are removed; every count they
    were in (comments, scores, popularity, the leaderboard, the homepage's) is redone; their email addresses and
    social accounts go with the account, so the addresses can sign up again."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        own = list(Summary.objects.filter(author=user).values_list("pk", flat=True))
        commented = set(Comment.objects.filter(author=user).values_list("summary_id", flat=True))
        voted = set(Vote.objects.filter(voter=user).values_list("summary_id", flat=True))
        page_cache.invalidate(page_cache.SITE)  # their name, beside their summaries and comments, on any page
        if keep_summaries:
            summary_pages_invalidate(summary_ids=own)  # their profile too, while it still has their name
            kept_listed = Summary.objects.filter(pk__in=own, is_listed=True).count()
            Summary.objects.filter(pk__in=own).update(author=None, is_anonymous=True)
            author_stats_refresh(user_ids=[user.pk])  # their count drops to 0, and the homepage's with it…
            if kept_listed:  # …but the summaries are still public
                SiteCounter.objects.filter(name=SiteCounter.LISTED_SUMMARIES).update(value=F("value") + kept_listed)
        else:
            summaries_delete(summaries=Summary.objects.filter(pk__in=own))
            commented -= set(own)
            voted -= set(own)
        user.delete()  # with their comments, votes, reports, email addresses, social accounts and stats
        remaining = Summary.objects.filter(pk__in=[*commented, *own]).values("pk")
        summary_counters_refresh(summary_ids=remaining)
        summary_scores_refresh(summary_ids=list(voted))
        summary_popularity_refresh(summary_ids=list(voted))
