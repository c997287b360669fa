"""The catalogue's own pages: venues. The paper page and the search page list summaries, so they are the
summaries app's (summaries.views.paper_detail, search); they answer an on-demand import that gave no paper (yet)
with `import_response`."""

import re

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from shortscience import page_cache
from shortscience.pagination import CountedPaginator
from shortscience.params import int_param, text_param

from .citations import citation_key, paper_bibtex
from .models import Paper, Venue
from .on_demand import ImportFailure

VENUE_PAGE_SIZE = 50
VENUE_PAGE_MAX = 100_000  # ?page=: past the last page of any venue's year (the paginator shows the last one)
KEY_MAX_LENGTH = 500  # ?bibtexKey=: a key (255), an arXiv URL or a DOI, as the paper page takes
BIBTEX_CACHE_SECONDS = 3600
FILENAME_UNSAFE_RE = re.compile(r"[^A-Za-z0-9._-]")
YEAR_MAX = 9999

IMPORT_REFRESH_SECONDS = 3  # how often the "importing…" page reloads itself
IMPORT_SLOW_SECONDS = 30  # after this, the "importing…" page says the queue is slow

# How a failed on-demand import is answered. An identifier refused before any request: 404 (no paper can have it),
# with the reason. Too many imports started by this client: 429 with Retry-After. The source has no such paper: 404,
# like any unknown paper. The source could not be reached, timed out or said "try later", our database refused the
# paper, or too many imports wait already: 503 with Retry-After, since the same request may work later. The source
# answered with an error or something that is not a paper: 502.
IMPORT_FAILURE_STATUS = {
    ImportFailure.REFUSED: 404,
    ImportFailure.RATE_LIMITED: 429,
    ImportFailure.QUEUE_FULL: 503,
    ImportFailure.NOT_FOUND: 404,
    ImportFailure.UNREACHABLE: 503,
    ImportFailure.TIMEOUT: 503,
    ImportFailure.NOT_STORED: 503,
    ImportFailure.SOURCE_ERROR: 502,
}


@require_safe
@page_cache.cache_for_anonymous(lambda request: [page_cache.CATALOGUE])
def venue_page(request):
    """/venue is the index of venues and, with ?key=conf/nips[&year=2015], one venue (the original's URLs)."""
    key = text_param(request.GET, "key", max_length=Venue._meta.get_field("key").max_length, status=404)
    return venue_detail(request, key) if key else venue_list(request)


def venue_list(request):
    return render(request, "papers/venue_list.html", {"venues": Venue.objects.for_index()})


def venue_detail(request, key):
    """One venue with a tab per year (?year=2015, or ?year=unknown for its papers without one)."""
    venue = get_object_or_404(Venue, key=key)
    years = venue.year_tabs()
    if text_param(request.GET, "year", max_length=20, status=404) == Venue.UNKNOWN_YEAR:
        asked = Venue.UNKNOWN_YEAR
    else:
        asked = int_param(request.GET, "year", min_value=0, max_value=YEAR_MAX, status=404)
    year = venue.tab_year(asked, years)
    papers = CountedPaginator(
        Paper.objects.for_venue_year(venue, year), VENUE_PAGE_SIZE, count=venue.paper_count_of(year, years)
    )
    page = papers.get_page(int_param(request.GET, "page", default=1, min_value=1, max_value=VENUE_PAGE_MAX, status=404))
    page_query = urlencode({"key": venue.key, "year": Venue.UNKNOWN_YEAR if year is None else year})
    context = {"venue": venue, "years": years, "year": year, "page": page, "page_query": page_query}
    return render(request, "papers/venue_detail.html", context)


@require_safe
def paper_bibtex_view(request):
    """/paper/bibtex?bibtexKey=KEY: the paper as a BibTeX entry, text/plain (`&download=1`: as KEY.bib). An alias,
    arXiv id or DOI redirects (301) to the canonical key's entry; an unknown key is a 404 (nothing is imported)."""
    key = text_param(request.GET, "bibtexKey", max_length=KEY_MAX_LENGTH, status=404).strip()
    paper = Paper.objects.for_detail().resolve(key) if key else None
    if paper is None:
        raise Http404(f"Unknown paper: {key}" if key else "No paper was named: the address needs ?bibtexKey=…")
    download = text_param(request.GET, "download", max_length=5, status=404) == "1"
    if paper.bibtex_key != key:
        query = {"bibtexKey": paper.bibtex_key, **({"download": "1"} if download else {})}
        return redirect(request.path + "?" + urlencode(query), permanent=True)
    response = HttpResponse(paper_bibtex(paper, site_url=settings.SITE_URL), content_type="text/plain; charset=utf-8")
    if download:
        response["Content-Disposition"] = (
            f'attachment; filename="{FILENAME_UNSAFE_RE.sub("_", citation_key(paper))}.bib"'
        )
    response["Cache-Control"] = f"public, max-age={BIBTEX_CACHE_SECONDS}"
    return response


def import_response(request, identifier, result):
    """The page for an on-demand import of `identifier` that gave no paper yet: "importing…" (202, reloading
    itself every IMPORT_REFRESH_SECONDS until the job has run, when the same URL gives the paper or the failure)
    while `result.pending`, else what was tried and why it failed (`result.failure` is any ImportFailure but
    NOT_IMPORTABLE) with the status IMPORT_FAILURE_STATUS gives. Never cached: the next visit may have the paper.
    A failure is remembered for minutes by papers.fetch, so repeated look-ups do not ask the source again."""
    if result.pending:
        context = {
            "identifier": identifier,
            "result": result,
            "refresh_seconds": IMPORT_REFRESH_SECONDS,
            "slow": result.waited >= IMPORT_SLOW_SECONDS,
            "refresh_url": request.get_full_path(),
        }
        response = render(request, "papers/paper_importing.html", context, status=202)
        response["Refresh"] = str(IMPORT_REFRESH_SECONDS)
    elif result.failure in (ImportFailure.REFUSED, ImportFailure.RATE_LIMITED, ImportFailure.QUEUE_FULL):
        limited = result.failure != ImportFailure.REFUSED
        context = {"identifier": identifier, "result": result, "limited": limited}
        context["retry_minutes"] = max(1, -(-result.retry_after // 60))
        response = render(
            request, "papers/paper_import_refused.html", context, status=IMPORT_FAILURE_STATUS[result.failure]
        )
    else:
        context = {
            "identifier": identifier,
            "result": result,
            "not_found": result.failure == ImportFailure.NOT_FOUND,
            "remembered_minutes": max(1, result.retry_after // 60),
            "try_again_url": request.get_full_path(),
        }
        response = render(
            request, "papers/paper_import_failed.html", context, status=IMPORT_FAILURE_STATUS[result.failure]
        )
    if response.status_code in (429, 503):
        response["Retry-After"] = str(result.retry_after)
    add_never_cache_headers(response)
    return response
