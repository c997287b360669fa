"""The catalogue's JSON API (mounted under /api/ by shortscience/api.py): a paper, the venues, a venue's papers of
one year. Read-only; lists are cursor pages (shortscience/api_kit.py). Field names are stable: README "JSON API"."""

from typing import Annotated
from urllib.parse import urlencode

from django.http import Http404
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from shortscience.api_kit import (
    PAGE_SIZE,
    SAFE_METHODS,
    Cursor,
    Keyset,
    PageSize,
    absolute,
    text_type,
)
from shortscience.params import ParameterNotFound, parse_int

from .models import Paper, Venue

router = Router(tags=["papers"])

KEY_MAX_LENGTH = 500  # ?bibtexKey=: a key (255), an arXiv URL or a DOI, as the paper page takes
VENUE_KEY_MAX_LENGTH = 100
YEAR_MAX = 9999
KEY_HELP = "A bibtex key, an alias, an arXiv id or URL, or a DOI"
VENUE_KEY_HELP = "The venue's key, e.g. conf/nips"
YEAR_HELP = "A year, or `unknown` for its papers without one; default its newest year"

PaperKey = text_type(KEY_MAX_LENGTH)
VenueKey = text_type(VENUE_KEY_MAX_LENGTH)
YearText = text_type(20)

VENUES = Keyset("venues", "-paper_count", "key")  # the venue index's order, read from venue_index_idx
# A venue's papers of one year, in the order of paper_venue_year_id_idx (Paper.objects.for_venue_year).
VENUE_PAPERS = Keyset("venue-papers", "year", "id")


def paper_api_url(paper) -> str:
    return absolute(reverse("api:paper") + "?" + urlencode({"bibtexKey": paper.bibtex_key}, safe="/:"))


class VenueRef(Schema):
    key: str = Field(description="The venue's key: the bibtex-key prefix of its papers, e.g. conf/nips")
    name: str = Field(description="Its name, else its key")

    @staticmethod
    def resolve_name(venue):
        return venue.label


class PaperOut(Schema):
    bibtex_key: str = Field(description="The paper's key, e.g. conf/nips/RenHGS15 or journals/corr/1512.03385")
    title: str
    authors: list[str] = Field(description="Author names, in the paper's order")
    year: int | None
    venue: VenueRef | None
    arxiv_id: str | None = Field(description="e.g. 1512.03385, or null")
    doi: str | None = Field(description="e.g. 10.1109/CVPR.2016.90, or null")
    abstract: str = Field(description="Plain text; empty when unknown")
    url: str = Field(description="The paper's page")
    bibtex_url: str = Field(description="The paper as BibTeX (text/plain)")

    @staticmethod
    def resolve_authors(paper):
        return paper.author_names

    @staticmethod
    def resolve_arxiv_id(paper):
        return paper.arxiv_id or None

    @staticmethod
    def resolve_doi(paper):
        return paper.doi or None

    @staticmethod
    def resolve_url(paper):
        return absolute(paper.get_absolute_url())

    @staticmethod
    def resolve_bibtex_url(paper):
        return absolute(reverse("papers:bibtex") + "?" + urlencode({"bibtexKey": paper.bibtex_key}, safe="/:"))


class PaperPage(Schema):
    results: list[PaperOut]
    next: str | None = Field(description="The next page's address, null on the last page")


class VenueOut(Schema):
    key: str = Field(description="The bibtex-key prefix of its papers, e.g. conf/nips")
    name: str = Field(description="Its name, else its key")
    paper_count: int = Field(description="Its papers in the catalogue")
    url: str = Field(description="The venue's page")
    api_url: str = Field(description="The venue in this API, with its years")

    @staticmethod
    def resolve_name(venue):
        return venue.label

    @staticmethod
    def resolve_url(venue):
        return absolute(venue.get_absolute_url())

    @staticmethod
    def resolve_api_url(venue):
        return absolute(reverse("api:venue") + "?" + urlencode({"key": venue.key}, safe="/"))


class VenuePage(Schema):
    results: list[VenueOut]
    next: str | None = Field(description="The next page's address, null on the last page")


class VenueYearOut(Schema):
    year: int | None = Field(description="null for its papers without a year")
    paper_count: int
    papers_url: str = Field(description="That year's papers in this API")


class VenueDetail(VenueOut):
    years: list[VenueYearOut] = Field(description="Years with papers, newest first, the papers without a year last")

    @staticmethod
    def resolve_years(venue):
        return [
            {"year": tab["year"], "paper_count": tab["count"], "papers_url": venue_papers_url(venue, tab["year"])}
            for tab in venue.year_tabs()
        ]


def venue_papers_url(venue, year) -> str:
    query = {"key": venue.key, "year": Venue.UNKNOWN_YEAR if year is None else year}
    return absolute(reverse("api:venue-papers") + "?" + urlencode(query, safe="/"))


def _venue(key: str):
    venue = Venue.objects.filter(key=key).first() if key else None
    if venue is None:
        raise Http404(f"There is no venue “{key}”.")
    return venue


@router.api_operation(SAFE_METHODS, "/paper", response=PaperOut, url_name="paper", summary="A paper")
def paper_detail(request, key: Annotated[PaperKey, Query(alias="bibtexKey", description=KEY_HELP)]):
    """A paper, named as /paper?bibtexKey= names it: its bibtex key, an alias, an arXiv id or URL, or a DOI. The
    answer has its canonical `bibtex_key`. Unknown papers are a 404 (the API imports nothing)."""
    paper = Paper.objects.for_detail().resolve(key)
    if paper is None:
        raise Http404(f"Unknown paper: {key}")
    return paper


@router.api_operation(SAFE_METHODS, "/venues", response=VenuePage, url_name="venues", summary="The venues")
def venue_list(request, cursor: Cursor = "", limit: PageSize = PAGE_SIZE):
    """Venues with at least one paper, most papers first (then by key)."""
    return VENUES.page(Venue.objects.for_index(), request, cursor=cursor, limit=limit)


@router.api_operation(SAFE_METHODS, "/venue", response=VenueDetail, url_name="venue", summary="A venue")
def venue_detail(request, key: Annotated[VenueKey, Query(description=VENUE_KEY_HELP)]):
    """A venue, with its years and how many papers each has."""
    return _venue(key)


@router.api_operation(
    SAFE_METHODS, "/venue/papers", response=PaperPage, url_name="venue-papers", summary="A venue's papers of a year"
)
def venue_papers(
    request,
    key: Annotated[VenueKey, Query(description=VENUE_KEY_HELP)],
    year: Annotated[YearText, Query("", description=YEAR_HELP)],
    cursor: Cursor = "",
    limit: PageSize = PAGE_SIZE,
):
    """A venue's papers of one year, in the order they were stored (arXiv's: by id)."""
    venue = _venue(key)
    if year == Venue.UNKNOWN_YEAR:
        asked = Venue.UNKNOWN_YEAR
    elif year:
        try:
            asked = parse_int(year, min_value=0, max_value=YEAR_MAX)
        except ValueError as exc:
            raise ParameterNotFound(f"The parameter “year” {exc}, or unknown.") from exc
    else:
        asked = None
    shown = venue.tab_year(asked, venue.year_tabs())
    return VENUE_PAPERS.page(Paper.objects.for_venue_year(venue, shown), request, cursor=cursor, limit=limit)
