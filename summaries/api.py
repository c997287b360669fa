"""Summaries in the JSON API (mounted under /api/ by shortscience/api.py): the latest, and a paper's. Only public
summaries (Summary.objects.public(): not private, not hidden, author not banned), as on the pages and in the feeds;
an anonymous summary names nobody (its `author` is null, its `url` ends in a=anon-N). Lists are cursor pages
(shortscience/api_kit.py), newest edit first. Field names are stable: README "JSON API"."""

from datetime import datetime
from typing import Annotated

from django.http import Http404
from ninja import Field, Query, Router, Schema

from papers.api import KEY_HELP, PaperKey, PaperOut
from papers.models import Paper
from shortscience.api_kit import PAGE_SIZE, SAFE_METHODS, Cursor, Keyset, PageSize, absolute

from .models import Summary

router = Router(tags=["summaries"])

# Newest edit first: the order of summary_listed_recent_idx (the latest) and summary_author_idx (a user's); the id
# breaks ties.
SUMMARIES = Keyset("summaries", "-edited_at", "-id")


class AuthorOut(Schema):
    username: str
    display_name: str = Field(description="The name pages show: their display name, else their username")

    @staticmethod
    def resolve_display_name(user):
        return user.public_name


class SummaryOut(Schema):
    id: int
    paper: PaperOut
    author: AuthorOut | None = Field(description="null for a summary posted anonymously")
    score: int = Field(description="The sum of its votes")
    created_at: datetime
    edited_at: datetime
    body: str = Field(description="Markdown with LaTeX math ($…$, $$…$$)")
    body_html: str = Field(description="The body rendered and sanitised, as the pages show it (math left as TeX)")
    url: str = Field(description="The summary on its paper's page")

    @staticmethod
    def resolve_author(summary):
        return None if summary.is_anonymous else summary.author

    @staticmethod
    def resolve_url(summary):
        return absolute(summary.get_absolute_url())


class SummaryPage(Schema):
    results: list[SummaryOut]
    next: str | None = Field(description="The next page's address, null on the last page")


def summary_page(summaries, request, *, cursor: str, limit: int) -> dict:
    """A cursor page of public `summaries`, newest edit first, each with its paper (a constant number of queries)."""
    return SUMMARIES.page(summaries.public().with_papers(), request, cursor=cursor, limit=limit)


@router.api_operation(SAFE_METHODS, "/summaries", response=SummaryPage, url_name="summaries", summary="The latest")
def summary_list(request, cursor: Cursor = "", limit: PageSize = PAGE_SIZE):
    """The latest public summaries, newest edit first (the homepage's Most Recent tab)."""
    return summary_page(Summary.objects.all(), request, cursor=cursor, limit=limit)


@router.api_operation(
    SAFE_METHODS, "/paper/summaries", response=SummaryPage, url_name="paper-summaries", summary="A paper's summaries"
)
def paper_summaries(
    request,
    key: Annotated[PaperKey, Query(alias="bibtexKey", description=KEY_HELP)],
    cursor: Cursor = "",
    limit: PageSize = PAGE_SIZE,
):
    """A paper's public summaries, with those of its other versions (its arXiv preprint, its conference
    version…) as its page shows them, newest edit first."""
    paper = Paper.objects.only("pk", "bibtex_key", "arxiv_id", "doi", "work_id").resolve(key)
    if paper is None:
        raise Http404(f"Unknown paper: {key}")
    paper_ids = [paper.pk]
    if paper.work_id:
        paper_ids += Paper.objects.filter(work_id=paper.work_id).exclude(pk=paper.pk).values_list("pk", flat=True)
    summaries = Summary.objects.filter(paper_id__in=paper_ids)
    return summary_page(summaries, request, cursor=cursor, limit=limit)
