"""Reads of the read-only pages from a Postgres read replica (DATABASE_REPLICA_URL); everything else from the primary.

A streaming replica lags the primary: milliseconds when idle, seconds under load or after a long write. The lag must
never show where it would be noticed, so the replica is used narrowly:

- Only GET/HEAD requests to the views in `REPLICA_VIEWS` read from it (`ReplicaReadsMiddleware` turns it on in
  `process_view`); every other request, and every write, uses the primary.
- Within such a request, its first write (a paper page counting its view, an on-demand import) sends its later reads
  to the primary, so a request sees what it wrote.
- Read your own writes: the answer to any POST (or other unsafe method) sets a cookie that keeps that browser on the
  primary for `REPLICA_PIN_SECONDS` (the page you are sent to after saving shows what you saved, and so do the next
  ones). Sessions are always read from the primary (a log-in has just written one).
- Guests' pages that the page cache will store render from the primary: one rendered from a lagging replica would be
  kept under the new generation for PAGE_CACHE_SECONDS. Guests are mostly served from the cache anyway, so the
  replica's work is logged-in readers' pages, which are rendered for each request.

What remains: a logged-in reader may see someone else's write a moment late, and one page may mix the two
databases' views of the data (the reads before its first write come from the replica). Migrations run on the primary
only; replication copies the schema.
"""

import contextvars

from django.conf import settings

from shortscience import page_cache

REPLICA = "replica"
PRIMARY = "default"
PIN_COOKIE = "primary"  # "this browser wrote a moment ago": read from the primary
PRIMARY_ONLY_APPS = {"sessions"}
# The pages that only read (a paper page's view count and on-demand import are writes: see above).
REPLICA_VIEWS = {
    "summaries:home",
    "summaries:paper",
    "papers:venue",
    "accounts:profile",
    "accounts:list",
    "about",
}

_replica_reads = contextvars.ContextVar("replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _replica_reads.get() and model._meta.app_label not in PRIMARY_ONLY_APPS:
            return REPLICA
        return PRIMARY  # explicitly: an object read from the replica must not drag later reads there

    def db_for_write(self, model, **hints):
        _replica_reads.set(False)  # the rest of this request reads what it wrote
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both


class ReplicaReadsMiddleware:
    """Turns replica reads on for the read-only pages (see the module's docstring) and pins writers to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _replica_reads.set(False)
        try:
            response = self.get_response(request)
        finally:
            _replica_reads.reset(token)
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (
            request.method in ("GET", "HEAD")
            and match is not None
            and match.view_name in REPLICA_VIEWS
            and PIN_COOKIE not in request.COOKIES
            and not (settings.PAGE_CACHE_SECONDS > 0 and page_cache.is_anonymous(request))
        ):
            _replica_reads.set(True)
        return None
