from functools import partial
from urllib.parse import urlencode

from django.conf import settings

# The query parameters that name what a page shows (the paper, venue, year, person, tab, page); the others (a
# focused summary, a share code, a next address) show the same page, which is the canonical one.
CANONICAL_PARAMS = ("bibtexKey", "key", "year", "name", "tab", "page")


def canonical_url(request) -> str:
    """The page's address as search engines should know it: SITE_URL, the path, the naming parameters (page 1
    without its number)."""
    params = [
        (k, request.GET[k]) for k in CANONICAL_PARAMS if request.GET.get(k) and (k, request.GET[k]) != ("page", "1")
    ]
    return settings.SITE_URL + request.path + ("?" + urlencode(params) if params else "")


def site(request):
    """Values every template may use. The canonical address is worked out only by a template that shows it (the
    templates call it): the 400 page does not, and reading that request's parameters is what failed."""
    return {"SITE_URL": settings.SITE_URL, "CANONICAL_URL": partial(canonical_url, request)}
