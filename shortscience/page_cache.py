"""Whole-page cache for anonymous visitors, invalidated by generation counters that the writes bump.

A cached page is stored under a key made of its full path and the current *generation* of each scope it
depends on. A write that changes what a page shows bumps its scopes' generations after its transaction commits
(`invalidate`): the next request computes a new key, misses, and renders from the database. Nothing is deleted
and nothing is ever served stale from an old key, so a write shows at once on every page whose scopes it
bumps, on every app server sharing the cache (Redis through REDIS_URL). Pages also expire after
`PAGE_CACHE_SECONDS` at most, which bounds how long an edit made outside the services (a moderator's change
form, a database shell) can take to show.

Scopes are strings. `SITE` is part of every key: bumping it (a ban, a renamed user) drops every cached page.
Other scopes name what a page shows (`LISTS`: summaries across papers; `CATALOGUE`: papers; `scope("paper",
key)`: one paper's page; `scope("user", name)`: one profile); the apps decide which writes touch which scopes.

Only anonymous requests are served from or stored in the cache: no session cookie (every logged-in request
has one) and no flash-message cookie. A response is stored only when it is a 200 that sets no cookie and
queues no message, so a page that embeds a CSRF token (any form that posts) is never stored: guests get
"log in to vote" links instead of forms. Logged-in pages are rendered for their user, never from this cache.

A generation that is missing from the cache (never bumped, or evicted) starts at the current time in
nanoseconds, never at a number an earlier generation had, so an eviction cannot bring an old page back.
"""

import hashlib
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse

SITE = "site"
LISTS = "lists"  # the homepage tabs, the leaderboard: summaries across papers
CATALOGUE = "catalogue"  # venue pages, /about: papers across the catalogue

GENERATION_PREFIX = "pagegen:"
PAGE_PREFIX = "page:"
HEADER = "X-Page-Cache"  # "hit" or "miss" on anonymous pages, for tests, benchmarks and operators
MESSAGES_COOKIE = "messages"  # django.contrib.messages' CookieStorage


def scope(kind: str, name: str) -> str:
    """The scope of one object's page, e.g. scope("paper", "conf/nips/RenHGS15"); names are hashed (any text)."""
    return f"{kind}:{hashlib.sha1(name.encode()).hexdigest()}"


def invalidate(*scopes: str) -> None:
    """Bump the generations of `scopes` once the current transaction commits (at once outside one)."""
    scopes = tuple(dict.fromkeys(scopes))
    if scopes:
        transaction.on_commit(lambda: _bump(scopes))


def _bump(scopes) -> None:
    for name in scopes:
        key = GENERATION_PREFIX + name
        try:
            cache.incr(key)
        except ValueError:  # missing: start past any earlier value (see the module's docstring)
            cache.set(key, time.time_ns(), None)


def _generations(scopes) -> list:
    keys = [GENERATION_PREFIX + name for name in (SITE, *scopes)]
    found = cache.get_many(keys)
    missing = {key: time.time_ns() for key in keys if key not in found}
    for key, value in missing.items():
        if cache.add(key, value, None):
            found[key] = value
        else:  # another process started it first
            found[key] = cache.get(key, value)
    return [found[key] for key in keys]


def generation_key(scopes) -> str:
    """The current generations of SITE and `scopes`, as one string: part of a cache key that changes whenever a
    write bumps any of them."""
    return ".".join(str(g) for g in _generations(scopes))


def is_anonymous(request) -> bool:
    cookies = request.COOKIES
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in cookies
        and MESSAGES_COOKIE not in cookies
    )


def _storable(request, response) -> bool:
    """A 200 for everyone: no cookie set or about to be (CSRF token, session, flash message)."""
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (session is not None and session.modified)
        and not _queued_messages(request)
    )


def _queued_messages(request) -> bool:
    storage = getattr(request, "_messages", None)
    return bool(storage is not None and getattr(storage, "_queued_messages", None))


def cache_for_anonymous(scopes, on_hit=None):
    """Serve this view's pages to anonymous visitors from the cache.

    `scopes(request, *args, **kwargs)` lists the scopes the page depends on besides SITE. `on_hit(request,
    extra)`, if given, runs on every hit with the `page_cache_extra` dict the view set on the stored response
    (the paper page counts its views this way: a hit is still a view)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if settings.PAGE_CACHE_SECONDS <= 0 or not is_anonymous(request):
                return view(request, *args, **kwargs)
            digest = hashlib.sha1(request.get_full_path().encode()).hexdigest()
            key = PAGE_PREFIX + generation_key(scopes(request, *args, **kwargs)) + ":" + digest
            entry = cache.get(key)
            if entry is not None:
                response = HttpResponse(entry["content"], content_type=entry["content_type"])
                response[HEADER] = "hit"
                if on_hit is not None:
                    on_hit(request, entry["extra"])
                return response
            response = view(request, *args, **kwargs)
            if _storable(request, response):
                entry = {
                    "content": response.content,
                    "content_type": response["Content-Type"],
                    "extra": getattr(response, "page_cache_extra", {}),
                }
                cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
                response[HEADER] = "miss"
            return response

        return wrapped

    return decorator
