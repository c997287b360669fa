"""The JSON API's root (django-ninja), mounted at /api/ by urls.py: it joins the apps' routers by their import path,
as urls.py includes their URLs, so that this package imports no app (papers/api.py, summaries/api.py,
accounts/api.py hold the endpoints; api_kit.py what they share).

Read-only and public: no authentication, every endpoint answers GET and HEAD with what a guest may see. Errors
are JSON {"detail": a sentence}: 400 for a parameter that cannot be read, 404 for what names nothing, 429 with
Retry-After past API_RATE_LIMIT requests per client. The OpenAPI schema is /api/openapi.json and the docs page
/api/docs (Swagger UI, from ninja's own static files: no CDN). shortscience.middleware.ApiMiddleware adds the
CORS and Cache-Control headers; ConditionalGetMiddleware the ETag (and the 304 to a matching If-None-Match)."""

import threading

from csp.decorators import csp_update
from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_safe
from ninja import NinjaAPI, Swagger
from ninja.errors import Throttled, ValidationError
from ninja.throttling import BaseThrottle

from .params import InvalidParameter
from .ratelimit import client_address, rate_limit_hit


class ClientThrottle(BaseThrottle):
    """API_RATE_LIMIT ("COUNT/SECONDS") requests per client (shortscience/ratelimit.py: an IP address, an IPv6
    /64), counted in the shared cache. django-ninja asks `wait()` right after a refusal, in the same thread."""

    def __init__(self):
        self.last = threading.local()

    def allow_request(self, request) -> bool:
        self.last.retry_after = rate_limit_hit("api", client_address(request), rate=settings.API_RATE_LIMIT)
        return not self.last.retry_after

    def wait(self):
        return self.last.retry_after


@require_safe
def api_root(request):
    """/api/ itself: the docs page (django-ninja's own root answers a 404 that only names it)."""
    return redirect("api:openapi-view")


class ShortScienceApi(NinjaAPI):
    def _get_urls(self):
        """django-ninja's URLs, with api_root as /api/ (ninja 1.7 builds them here: pinned in requirements.txt)."""
        urls = [url for url in super()._get_urls() if getattr(url, "name", None) != "api-root"]
        return [*urls, path("", api_root, name="api-root")]

    def get_openapi_schema(self, *args, **kwargs):
        """The schema, without the HEAD twin of each GET (it would repeat the GET's operationId)."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            operations.pop("head", None)
        return schema


# The docs page's stylesheet (Swagger UI's) draws its arrows and check marks as data: images.
DOCS_CSP = {"img-src": ["data:"]}

api = ShortScienceApi(
    title="ShortScience API",
    version="1",
    description=(
        "Read-only JSON: papers, their public summaries, the latest summaries, venues and users' summaries. "
        "Lists are cursor pages: follow `next` until it is null."
    ),
    urls_namespace="api",
    docs=Swagger(settings={"validatorUrl": None, "defaultModelsExpandDepth": 0}),
    docs_decorator=lambda view: require_safe(csp_update(DOCS_CSP)(view)),  # the schema and the docs: GET only
    throttle=ClientThrottle(),
)
api.add_router("", "papers.api.router")
api.add_router("", "summaries.api.router")
api.add_router("", "accounts.api.router")


def _detail(request, message: str, status: int, **headers):
    response = api.create_response(request, {"detail": message}, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


@api.exception_handler(ValidationError)
def invalid_parameters(request, exc):
    """A parameter that cannot be read: 400, naming it and saying what was wrong, as the pages' 400 does."""
    error = exc.errors[0]
    name = error.get("loc", ["", "?"])[-1]
    if error.get("type") == "missing":
        return _detail(request, f"The parameter “{name}” is needed.", 400)
    reason = error.get("msg", "is not valid").removeprefix("Value error, ")
    return _detail(request, f"The parameter “{name}” is not valid: {reason[:1].lower()}{reason[1:]}.", 400)


@api.exception_handler(InvalidParameter)
def invalid_parameter(request, exc):
    return _detail(request, str(exc), exc.status)


@api.exception_handler(Http404)
def not_found(request, exc):
    return _detail(request, str(exc) or "Not found.", 404)


@api.exception_handler(Throttled)
def throttled(request, exc):
    message = f"Too many requests from your address: try again in {exc.wait} seconds."
    return _detail(request, message, 429, **{"Retry-After": str(exc.wait)})
