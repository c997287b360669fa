"""Site-wide middleware: NUL bytes refused at the door, who may cache a response, and a 503 page when the database
goes away mid-request."""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404, resolve
from django.utils.cache import (
    add_never_cache_headers,
    get_max_age,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)

from .params import NUL, InvalidParameter

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class BadInputMiddleware:
    """The 400 page, saying what was wrong, for a request that cannot be read.

    A request whose path, query string, form fields or cookies hold a NUL byte is answered before any view or
    library sees it: PostgreSQL refuses NUL in text, so any code path that passed one on (allauth's pages, the
    admin's search) would be a 500. Defence in depth: the views read their parameters through
    shortscience.params, which refuses them too, and whose InvalidParameter (400) a view lets through is
    answered here with one line in the log (Django would log a traceback for each bad address). A
    ParameterNotFound is an Http404: Django's 404 page answers it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if holds_nul(request):
            return bad_request_page(request, "This address or form holds a NUL byte (%00), which no page accepts.")
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, InvalidParameter) or isinstance(exception, Http404):
            return None
        logger.info("Refused parameter on %s %s: %s", request.method, request.path, exception)
        return bad_request_page(request, str(exception))


def bad_request_page(request, message: str = ""):
    """The 400 page (templates/400.html) with `message`, or a general sentence without one."""
    return render(request, "400.html", {"message": message}, status=400)


def holds_nul(request) -> bool:
    if NUL in request.path_info or any(NUL in key + value for key, value in request.COOKIES.items()):
        return True
    sources = [request.GET]
    if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
        sources.append(request.POST)
    return any(NUL in key or any(NUL in v for v in values) for data in sources for key, values in data.lists())


class CacheControlMiddleware:
    """No shared cache ever serves one visitor's page to another.

    A response is `Cache-Control: private` (with `Vary: Cookie`) when the request carries a session cookie (every
    logged-in request does; the session is not loaded to find out, so this works with the database down) or the
    response sets a cookie (a session, a flash message, a CSRF token: Django sends the CSRF cookie again with
    every page that embeds the token, so a page with a form is always private). An explicit `no-cache`,
    `no-store` or `private` is left as it is. Other successful anonymous GETs are
    `public, max-age=PUBLIC_CACHE_SECONDS` when that setting is above 0 (off by default: see `.env.example`),
    unless the view chose its own max-age.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        cache_control = response.get("Cache-Control", "").lower()
        if any(word in cache_control for word in ("no-cache", "no-store", "private")):
            return response
        if settings.SESSION_COOKIE_NAME in request.COOKIES or response.cookies:
            patch_cache_control(response, private=True)
            patch_vary_headers(response, ("Cookie",))
        elif (
            settings.PUBLIC_CACHE_SECONDS > 0
            and request.method in ("GET", "HEAD")
            and response.status_code == 200
            and get_max_age(response) is None
        ):
            patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_SECONDS)
            patch_vary_headers(response, ("Cookie",))
        return response


def service_unavailable():
    """The 503 page, rendered without a request context: no context processor, no database."""
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def drop_unusable_connections():
    """Close the connections a failure broke, so the next query (this process's next request) reconnects."""
    for connection in connections.all(initialized_only=True):
        connection.close_if_unusable_or_obsolete()


class DatabaseUnavailableMiddleware:
    """A view that loses the database answers the 503 page, and the broken connection is dropped at once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.error("Database unavailable on %s %s: %s", request.method, request.path, exception)
        drop_unusable_connections()
        return service_unavailable()


API_PREFIX = "/api/"
CORS_METHODS = "GET, HEAD, OPTIONS"
CORS_REQUEST_HEADERS = "If-None-Match, If-Modified-Since"  # what a cached client sends besides the safelisted ones
CORS_EXPOSED_HEADERS = "ETag, Retry-After"
CORS_PREFLIGHT_SECONDS = 86400


class ApiMiddleware:
    """What every answer under /api/ (the JSON API, shortscience/api.py) carries, and nothing else does.

    CORS: any site's scripts may read it (`Access-Control-Allow-Origin: *`, never with credentials: the API shows
    only what a guest sees) for GET and HEAD, errors and 304s included, and an OPTIONS preflight is answered here
    (204), allowing GET and HEAD with If-None-Match. A 200 or 304 is `public, max-age=API_CACHE_SECONDS` unless
    CacheControlMiddleware made it private (a request with a session, as for every page). Outside
    ConditionalGetMiddleware, so that its 304s get these headers too; a HEAD gets the ETag its GET would get. None
    of it is for search engines (`X-Robots-Tag: noindex`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        if request.method == "OPTIONS" and _resolves(request.path_info):
            response = HttpResponse(status=204)
            response["Allow"] = CORS_METHODS
            response["Access-Control-Allow-Methods"] = CORS_METHODS
            response["Access-Control-Allow-Headers"] = CORS_REQUEST_HEADERS
            response["Access-Control-Max-Age"] = str(CORS_PREFLIGHT_SECONDS)
        else:
            response = self.get_response(request)
            if request.method not in ("GET", "HEAD"):
                return response
            cache_control = response.get("Cache-Control", "").lower()
            if response.status_code in (200, 304) and not any(w in cache_control for w in ("private", "no-")):
                patch_cache_control(response, public=True, max_age=settings.API_CACHE_SECONDS)
            if request.method == "HEAD" and response.status_code == 200 and not response.has_header("ETag"):
                set_response_etag(response)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = CORS_EXPOSED_HEADERS
        response["X-Robots-Tag"] = "noindex"  # data and its docs: the pages are what search engines should list
        return response


def _resolves(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True
