from django.core.paginator import Paginator
from django.db.models import Count, F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode

from summaries.views import paper_page

from . import services
from .models import Paper, Venue, paper_url

VENUE_PAGE_SIZE = 50
SEARCH_LIMIT = 50

# How a failed on-demand import is answered. The source has no such paper: 404, like any unknown paper. The source
# could not be reached, timed out or said "try later", or our database refused the paper: 503 with Retry-After,
# since the same request may work later. The source answered with an error or something that is not a paper: 502.
IMPORT_FAILURE_STATUS = {
    services.NOT_FOUND: 404,
    services.UNREACHABLE: 503,
    services.TIMEOUT: 503,
    services.NOT_STORED: 503,
    services.SOURCE_ERROR: 502,
}


def paper_detail(request):
    """/paper?bibtexKey=KEY: the paper page. Aliases, arXiv ids/URLs and DOIs redirect to the canonical key; an
    unknown arXiv id/URL or DOI is imported on the spot and redirects (302) to its new page."""
    key = request.GET.get("bibtexKey", "").strip()
    if not key:
        raise Http404("No paper was named: the address needs ?bibtexKey=…")
    paper = Paper.objects.for_detail().filter(bibtex_key=key).first()
    if paper is None:
        resolved = Paper.objects.resolve(key)
        if resolved is None:
            response = _import_on_demand(request, key, focus=request.GET.get("a", ""))
            if response is None:
                raise Http404(f"Unknown paper: {key}")
            return response
        return redirect(paper_url(resolved.bibtex_key, focus=request.GET.get("a", "")), permanent=True)
    return paper_page(request, paper)


def venue(request):
    """/venue lists venues; /venue?key=conf/nips&year=2015 shows one venue with a tab per year."""
    key = request.GET.get("key", "").strip()
    if not key:
        return render(request, "papers/venue_list.html", {"venues": Venue.objects.for_index()})
    venue = get_object_or_404(Venue, key=key)
    years = list(
        Paper.objects.filter(venue=venue)
        .values("year")
        .annotate(count=Count("id"))
        .order_by(F("year").desc(nulls_last=True))
    )
    for y in years:
        y["url"] = venue.get_absolute_url(y["year"] or "unknown")
    year_param = request.GET.get("year", "")
    if year_param.isdigit():
        year = int(year_param)
    elif year_param == "unknown" or not years:
        year = None
    else:
        year = years[0]["year"]
    page = Paginator(Paper.objects.for_venue_year(venue, year), VENUE_PAGE_SIZE).get_page(request.GET.get("page"))
    page_query = urlencode({"key": venue.key, "year": "unknown" if year is None else year})
    context = {"venue": venue, "years": years, "year": year, "page": page, "page_query": page_query}
    return render(request, "papers/venue_detail.html", context)


def search(request):
    """The header's lookup box: a known key, arXiv id, arXiv URL or DOI opens the paper, an unknown arXiv id or DOI
    is imported on the spot; other text lists papers whose title contains it."""
    query = (request.GET.get("q") or request.GET.get("term") or "").strip().strip('"')
    papers = []
    if query:
        paper = Paper.objects.resolve(query)
        if paper is not None:
            return redirect(paper.get_absolute_url())
        response = _import_on_demand(request, query)
        if response is not None:
            return response
        papers = Paper.objects.title_contains(query)[:SEARCH_LIMIT]
    return render(request, "papers/paper_search.html", {"query": query, "papers": papers, "limit": SEARCH_LIMIT})


def _import_on_demand(request, identifier, *, focus=""):
    """For an unknown arXiv id, arXiv URL or DOI asked for by GET: a redirect (302) to the paper imported now, or
    the page saying what was tried and why it failed. None for anything else (the caller goes on as before).
    Failures are remembered for minutes by the service, so repeated look-ups do not ask the source again."""
    if request.method != "GET":
        return None
    result = services.paper_import_unknown(identifier)  # the callers have just failed to resolve it
    if result.failure == services.NOT_IMPORTABLE:
        return None
    if result.ok:
        return redirect(paper_url(result.paper.bibtex_key, focus=focus))
    # Every failure but NOT_IMPORTABLE, handled above, is in IMPORT_FAILURE_STATUS.
    context = {
        "identifier": identifier,
        "result": result,
        "not_found": result.failure == services.NOT_FOUND,
        "remembered_minutes": max(1, result.retry_after // 60),
        "try_again_url": request.get_full_path(),
    }
    status = IMPORT_FAILURE_STATUS[result.failure]
    response = render(request, "papers/paper_import_failed.html", context, status=status)
    if status == 503:
        response["Retry-After"] = str(result.retry_after)
    return response
