"""Who may write, and how much: a banned ("suspended") account writes nothing; a limited one (new:
NEW_ACCOUNT_HOURS) posts at most a few summaries, comments and reports an hour. Counted in the cache
(shortscience/ratelimit.py), so the limits hold across app servers when REDIS_URL is set.

The write views check here (`suspended_refusal`, `new_account_wait`) and the services refuse a banned author too
(NotAllowed with SUSPENDED), so neither a view that forgets nor a session that outlived its ban writes anything."""

from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from shortscience.ratelimit import rate_limit_hit

SUSPENDED = "This account is suspended."
SUSPENDED_SESSION_KEY = "account_suspended"  # what a ban leaves in the sessions it ended (services.user_sessions_end)
HOUR = 3600
# The settings that bound each kind of post of a limited account, per hour.
NEW_ACCOUNT_RATES = {
    "summary": "NEW_ACCOUNT_SUMMARIES_PER_HOUR",
    "comment": "NEW_ACCOUNT_COMMENTS_PER_HOUR",
    "report": "NEW_ACCOUNT_REPORTS_PER_HOUR",
}
WHAT = {"summary": "new summaries", "comment": "comments", "report": "reports"}


def account_is_suspended(user) -> bool:
    return bool(user.is_authenticated and user.is_banned)


def account_is_limited(user) -> bool:
    """Whether `user`'s posts are limited per hour (NEW_ACCOUNT_RATES): the one place that decides it. An account
    is limited while it is younger than NEW_ACCOUNT_HOURS, and while its address is not confirmed."""
    return not user.is_confirmed or user.date_joined > timezone.now() - timedelta(hours=settings.NEW_ACCOUNT_HOURS)


def new_account_wait(user, action: str) -> int:
    """Count one `action` ("summary", "comment", "report") of `user`: 0 when it is allowed, else the seconds
    until the hour's window ends (accounts that are not limited are never counted)."""
    if not account_is_limited(user):
        return 0
    limit = getattr(settings, NEW_ACCOUNT_RATES[action])
    return rate_limit_hit(f"new-account-{action}", str(user.pk), rate=f"{limit}/{HOUR}")


def new_account_message(action: str, wait: int) -> str:
    limit = getattr(settings, NEW_ACCOUNT_RATES[action])
    minutes = max(1, round(wait / 60))
    return (
        f"New accounts may post at most {limit} {WHAT[action]} an hour, and you have reached that. Your text is "
        f"kept below: post it again in {minutes} minute{'s' if minutes != 1 else ''}."
    )


def too_many(response, wait: int):
    """`response` as the 429 of a limit, with Retry-After."""
    response.status_code = 429
    response["Retry-After"] = str(wait)
    return response


def suspended_page(request):
    """What a suspended account gets for anything it asks: 403, "This account is suspended", as a page in the site's
    layout, or as {"error": …} to the page's scripts (a vote, a comment), which show it."""
    if request.headers.get("x-requested-with") == "fetch" or "application/json" in request.headers.get("accept", ""):
        return JsonResponse({"error": SUSPENDED}, status=403)
    return render(request, "accounts/account_suspended.html", {"message": SUSPENDED}, status=403)


def refuse_suspended(view):
    """A write view's first check: a banned user who is still logged in (a session that outlived the ban) gets the
    suspended page and writes nothing, before any other check (so never "log in to …")."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if account_is_suspended(request.user):
            return suspended_page(request)
        return view(request, *args, **kwargs)

    return checked
