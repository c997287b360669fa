"""The search page's data (/search): ranked papers (papers.search) and the public summaries whose text matches,
each shown with its paper, a page at a time; an author's papers and summaries (?author=); the SQLite fallback.

Only public summaries are ever searched (Summary.is_listed: not private, not hidden, author not banned): their
rows are the only ones the queries read. Anonymous ones are shown without their author, as everywhere."""

from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.db.models import Q

from papers import search as paper_search
from papers.search import SearchFilters
from shortscience.search import SEARCH_CONFIG, headline_options, highlight_html

from .models import Summary

PAPERS_PER_PAGE = 20
SUMMARIES_PER_PAGE = 5
MAX_PAGE = paper_search.CANDIDATES // PAPERS_PER_PAGE  # the page window: no page past the ranked matches


@dataclass
class SearchResults:
    papers: list = field(default_factory=list)
    summaries: list = field(default_factory=list)
    paper_total: int = 0  # within the window
    summary_total: int = 0
    capped: bool = False  # more papers match than were ranked
    has_next: bool = False
    suggestion: dict | None = None
    empty_query: bool = False  # only stop words

    @property
    def found(self) -> bool:
        return bool(self.papers or self.summaries)


def _summary_filter(filters: SearchFilters) -> tuple[str, list]:
    """The filters on summaries (by their paper's year and venue), as SQL after AND on summaries_summary p: the
    paper is looked up by its key for each matching summary (a join would read every paper of a busy year)."""
    sql, params = " AND p.is_listed", []
    paper_sql, paper_params = filters.sql(alias="f")
    if paper_sql:
        sql += f" AND EXISTS (SELECT 1 FROM papers_paper f WHERE f.id = p.paper_id{paper_sql} OFFSET 0)"
        params += paper_params
    return sql, params


def summaries_search(text: str, *, filters: SearchFilters, offset: int, limit: int):
    """A page of the public summaries matching `text`, best first, each with its paper and author and `body_html`
    replaced by a highlighted fragment (`snippet_html`): two queries."""
    where, params = _summary_filter(filters)
    found = paper_search.ranked_ids("summaries_summary", text, offset=offset, limit=limit, where=where, params=params)
    if not found.ids:
        return [], found
    query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
    summaries = (
        Summary.objects.filter(pk__in=found.ids)
        .public()
        .with_related()
        .defer("search_vector", "body", "body_html", "paper__search_vector", "paper__abstract")
        .annotate(snippet=SearchHeadline("body_text", query, config=SEARCH_CONFIG, **headline_options(words=30)))
    )
    by_pk = {summary.pk: summary for summary in summaries}
    ordered = [by_pk[pk] for pk in found.ids if pk in by_pk]
    for summary in ordered:
        summary.snippet_html = highlight_html(summary.snippet)
    return ordered, found


def summaries_fallback(text: str, *, filters: SearchFilters):
    """Public summaries whose text contains every word of `text` (and none of its "-word"s), newest first."""
    wanted, excluded = paper_search.fallback_words(text)
    if not wanted:
        return Summary.objects.none()
    condition = filters.q(prefix="paper__")
    for word in wanted:
        condition &= Q(body_text__icontains=word)
    for word in excluded:
        condition &= ~Q(body_text__icontains=word)
    return (
        Summary.objects.public()
        .filter(condition)
        .with_related()
        .defer("search_vector", "paper__search_vector")
        .order_by("-edited_at")
    )


def _snippet(text: str, words: int = 40) -> str:
    """The first `words` words of a text (the fallback's snippet)."""
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def site_search(text: str, *, filters: SearchFilters, page: int) -> SearchResults:
    """Page `page` (from 1) of papers and summaries matching `text`: full-text on Postgres, word by word elsewhere."""
    paper_offset, summary_offset = (page - 1) * PAPERS_PER_PAGE, (page - 1) * SUMMARIES_PER_PAGE
    results = SearchResults()
    if not paper_search.search_available():
        papers = list(
            paper_search.papers_fallback(text, filters=filters)[paper_offset : paper_offset + PAPERS_PER_PAGE + 1]
        )
        summaries = list(
            summaries_fallback(text, filters=filters)[summary_offset : summary_offset + SUMMARIES_PER_PAGE + 1]
        )
        results.has_next = len(papers) > PAPERS_PER_PAGE or len(summaries) > SUMMARIES_PER_PAGE
        results.papers, results.summaries = papers[:PAPERS_PER_PAGE], summaries[:SUMMARIES_PER_PAGE]
        for paper in results.papers:
            paper.title_html, paper.abstract_html = paper.title, _snippet(paper.abstract)
        for summary in results.summaries:
            summary.snippet_html = _snippet(summary.body_text)
        return results
    if paper_search.query_is_empty(text):
        results.empty_query = True
        return results
    results.papers, papers = paper_search.papers_search(
        text, filters=filters, offset=paper_offset, limit=PAPERS_PER_PAGE
    )
    results.summaries, summaries = summaries_search(
        text, filters=filters, offset=summary_offset, limit=SUMMARIES_PER_PAGE
    )
    results.paper_total, results.summary_total, results.capped = papers.total, summaries.total, papers.capped
    results.has_next = page < MAX_PAGE and (
        papers.total > paper_offset + PAPERS_PER_PAGE or summaries.total > summary_offset + SUMMARIES_PER_PAGE
    )
    if page == 1 and not papers.total and not filters.year and not filters.venue_id:
        results.suggestion = paper_search.suggestion(text)
    return results


def author_search(author, *, page: int) -> SearchResults:
    """Page `page` of an author's papers (newest first) and, on the first page, the public summaries of them."""
    offset = (page - 1) * PAPERS_PER_PAGE
    papers = paper_search.author_papers(author, offset=offset, limit=PAPERS_PER_PAGE + 1)
    results = SearchResults(papers=papers[:PAPERS_PER_PAGE], has_next=len(papers) > PAPERS_PER_PAGE)
    for paper in results.papers:
        paper.title_html, paper.abstract_html = paper.title, ""
    if page == 1:
        summaries = (
            Summary.objects.public()
            .filter(paper__paper_authors__author=author)
            .with_related()
            .defer("search_vector", "paper__search_vector")
            .order_by("-score", "-edited_at")[:SUMMARIES_PER_PAGE]
        )
        results.summaries = list(summaries)
        for summary in results.summaries:
            summary.snippet_html = _snippet(summary.body_text)
    return results
