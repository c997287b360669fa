"""Site-wide pages: about, health check, robots.txt and the friendly error pages (400, 404, 500)."""

import sys

from django.conf import settings
from django.core.cache import caches
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from papers.models import Paper, Venue

from . import page_cache
from .cache import ResilientRedisCache
from .middleware import bad_request_page, drop_unusable_connections, service_unavailable
from .params import InvalidParameter


@require_safe
@page_cache.cache_for_anonymous(lambda request: [page_cache.CATALOGUE])
def about(request):
    # Papers are estimated at scale (2.5 M rows: a COUNT(*) would read them all); venues are a few thousand.
    stats = {"papers": Paper.objects.estimated_count(), "venues": Venue.objects.count()}
    return render(request, "about.html", {"stats": stats})


def cache_status():
    """The shared Redis cache answers "ok" or "down"; a per-process memory cache is "not configured"."""
    cache = caches["default"]
    if not isinstance(cache, ResilientRedisCache):
        return "not configured"
    return "ok" if cache.ping() else "down"


@never_cache
@require_safe
def healthz(request):
    """200 when the database answers a query, 503 when it does not. The cache is reported, never fatal: the site
    works without it."""
    cache = cache_status()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        drop_unusable_connections()
        return JsonResponse({"status": "error", "database": type(exc).__name__, "cache": cache}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "cache": cache})


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /random",
        "Disallow: /search",
        "Disallow: /accounts/",
        "Disallow: /admin/",
        f"Sitemap: {settings.SITE_URL}{reverse('sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def error_message(exception) -> str:
    """The sentence an Http404 or InvalidParameter was raised with, for the error page ("" without one)."""
    if exception is not None and exception.args and isinstance(exception.args[0], str):
        return exception.args[0]
    return ""


def page_not_found(request, exception=None):
    return render(request, "404.html", {"message": error_message(exception)}, status=404)


def bad_request(request, exception=None):
    """A bad request that no view answered itself (BadInputMiddleware answers most); a refused parameter's page
    says what was wrong (an InvalidParameter's message is written for the reader, other exceptions' are not)."""
    return bad_request_page(request, error_message(exception) if isinstance(exception, InvalidParameter) else "")


def server_error(request):
    # No context processors or database here: the error may be the database itself. A database lost outside a
    # view (a middleware saving the session) is a 503 like one lost inside (DatabaseUnavailableMiddleware).
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        drop_unusable_connections()
        return service_unavailable()
    return HttpResponse(loader.get_template("500.html").render(), status=500)
