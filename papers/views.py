from django.core.paginator import Paginator
from django.db.models import Count, F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode

from summaries.views import paper_page

from .models import Paper, Venue

VENUE_PAGE_SIZE = 50
SEARCH_LIMIT = 50


def paper_detail(request):
    """/paper?bibtexKey=KEY: the paper page. Aliases, arXiv ids/URLs and DOIs redirect to the canonical key."""
    key = request.GET.get("bibtexKey", "").strip()
    if not key:
        raise Http404("No paper was named: the address needs ?bibtexKey=…")
    paper = Paper.objects.for_detail().filter(bibtex_key=key).first()
    if paper is None:
        resolved = Paper.objects.resolve(key)
        if resolved is None:
            raise Http404(f"Unknown paper: {key}")
        url = resolved.get_absolute_url()
        if request.GET.get("a"):
            url += "&" + urlencode({"a": request.GET["a"]})
        return redirect(url, permanent=True)
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
    year_param = request.GET.get("year", "")
    if year_param.isdigit():
        year = int(year_param)
    elif year_param == "unknown" or not years:
        year = None
    else:
        year = years[0]["year"]
    page = Paginator(Paper.objects.for_venue_year(venue, year), VENUE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"venue": venue, "years": years, "year": year, "page": page}
    return render(request, "papers/venue_detail.html", context)


def search(request):
    """The header's lookup box: a known key, arXiv id, arXiv URL or DOI opens the paper; other text lists
    papers whose title contains it."""
    query = (request.GET.get("q") or request.GET.get("term") or "").strip().strip('"')
    papers = []
    if query:
        paper = Paper.objects.resolve(query)
        if paper is not None:
            return redirect(paper.get_absolute_url())
        papers = Paper.objects.title_contains(query)[:SEARCH_LIMIT]
    return render(request, "papers/paper_search.html", {"query": query, "papers": papers, "limit": SEARCH_LIMIT})
