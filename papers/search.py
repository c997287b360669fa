"""Full-text search of the catalogue: ranked papers with highlighted title and abstract, "did you mean" by trigram
similarity, an author's papers, and the portable fallback for SQLite (`make run`).

On Postgres a paper's stored `search_vector` (set by a trigger: title A, authors B, keywords C, abstract D) is matched
by websearch_to_tsquery ("a phrase", -word, or) through the GIN index paper_search_document_idx, which holds the
year and venue as lexemes too, so that a filtered search finds only that year's matches (papers/migrations/
0011_search_document.py). Cost is bounded at any
catalogue size: only the first CANDIDATES matches the index gives are ranked (a query that matches more is told
so, "more than N"; adding words narrows it), and the papers whose normalized title is the query itself are always
among them, first. No COUNT of all matches is ever made."""

import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchVectorField
from django.db import OperationalError, connection, transaction
from django.db.models import F, Func, Q

from shortscience.search import SEARCH_CONFIG, headline_options, highlight_html

from .identifiers import normalize_title
from .models import Author, Paper

CANDIDATES = 1000  # matches ranked per query (the index's first ones); the page window is within them
PHRASE_CANDIDATES = 3000  # rows with all of a phrase's words whose word positions are read, at most
FALLBACK_WORDS = 8  # words of a query the SQLite fallback reads
SUGGEST_SIMILARITY = 0.6  # pg_trgm word_similarity a "did you mean" needs
SEARCH_AUTHORS = 10  # names a result shows before "et al." (templates/papers/paper_search.html); one more is read
SUGGEST_TIMEOUT_MS = 40  # each look-up of a suggestion (author, title) taking longer than this is given up


# What paper_search_document_idx holds, and the condition of its partial index (which the planner can't infer from
# the function): a query matches `PAPER_DOCUMENT @@ tsquery`.
PAPER_DOCUMENT = "p.search_vector IS NOT NULL AND paper_search_document(p.search_vector, p.year, p.venue_id)"


def paper_document() -> Func:
    """PAPER_DOCUMENT for the ORM: `.alias(document=paper_document()).filter(document=SearchQuery(…),
    search_vector__isnull=False)`."""
    return Func(
        F("search_vector"), F("year"), F("venue_id"), function="paper_search_document", output_field=SearchVectorField()
    )


@dataclass
class SearchFilters:
    year: int | None = None
    venue_id: int | None = None

    def tsquery(self) -> str:
        """The filters as a tsquery of the lexemes paper_search_document adds ('year=2017' & 'venue=12'), to AND
        with the text's query on PAPER_DOCUMENT; "" without filters."""
        tokens = [f"'year={int(self.year)}'"] if self.year else []
        tokens += [f"'venue={int(self.venue_id)}'"] if self.venue_id else []
        return " & ".join(tokens)

    def sql(self, alias: str = "p") -> tuple[str, list]:
        """The filters as SQL conditions on papers_paper `alias` (each with " AND " before it) and their params:
        for the rows found otherwise than by the text (the exact title, a summary's paper)."""
        # "+ 0": checked on each row the text search finds, never looked up in paper_venue_year_id_idx (ANDing
        # its 240,000 rows of a busy year, or a whole venue, with the matches cost more than the search).
        sql, params = "", []
        if self.year:
            sql += f" AND {alias}.year + 0 = %s"
            params.append(self.year)
        if self.venue_id:
            sql += f" AND {alias}.venue_id + 0 = %s"
            params.append(self.venue_id)
        return sql, params

    def q(self, prefix: str = "") -> Q:
        q = Q()
        if self.year:
            q &= Q(**{f"{prefix}year": self.year})
        if self.venue_id:
            q &= Q(**{f"{prefix}venue_id": self.venue_id})
        return q


@dataclass
class RankedIds:
    """The ids of one page of ranked matches, and how many matches there are within the CANDIDATES window."""

    ids: list[int] = field(default_factory=list)
    total: int = 0
    capped: bool = False  # more matches than the window holds


def search_available() -> bool:
    """Whether the database has the full-text search (Postgres); elsewhere the fallback (icontains) is used."""
    return connection.vendor == "postgresql"


def ranked_ids(
    table: str,
    text: str,
    *,
    offset: int,
    limit: int,
    where: str = "",
    params=(),
    exact=None,
    document: str = "p.search_vector",
    also: str = "",
) -> RankedIds:
    """One page of the rows of `table` (papers_paper or summaries_summary, alias p, with a search_vector) that match
    `text` as websearch_to_tsquery reads it, best first (ts_rank: weights A 1.0, B 0.4, C 0.2, D 0.1), with
    `where` (SQL after AND, and its `params`) and, first of all, the rows of `exact` (SQL of a condition on p that
    an index answers: the exact title, and its params). The text is matched on `document` (the expression a GIN
    index holds), ANDed with the tsquery `also` (SearchFilters.tsquery) when given. One query, whatever the
    table's size: at most CANDIDATES matches ranked."""
    # The query is written out where it is used, not read from a CTE: a constant, the planner estimates how many
    # rows it matches (the vectors' statistics) and picks the GIN index or a scan that stops at the LIMIT.
    query = f"websearch_to_tsquery('{SEARCH_CONFIG}', %s)"
    match, match_params = (f"({query} && %s::tsquery)", [also]) if also else (query, [])
    branches, branch_params = [], []
    if exact:
        branches.append(
            f"(SELECT p.id, 10 + ts_rank(p.search_vector, {query}) AS rank FROM {table} p "
            f"WHERE {exact[0]}{where} LIMIT 10)"
        )
        branch_params += [text, *exact[1], *params]
    if '"' in text:
        # A phrase: the index finds the rows with all its words, but whether they are adjacent is read from each
        # row's vector (15,000 rows for two common words at 1M papers: 250 ms). So only the first
        # PHRASE_CANDIDATES of them are read: the query with its phrases made plain ANDs, then the phrase.
        plain = f"regexp_replace(({query})::text, '<(-|[0-9]+)>', '&', 'g')::tsquery"
        if also:
            plain = f"({plain} && %s::tsquery)"
        branches.append(
            f"(SELECT c.id, ts_rank(c.search_vector, {query}) AS rank FROM (SELECT p.id, p.search_vector "
            f"FROM {table} p WHERE {document} @@ {plain}{where} LIMIT {PHRASE_CANDIDATES}) c "
            f"WHERE c.search_vector @@ {query} LIMIT {CANDIDATES + 1})"
        )
        branch_params += [text, text, *match_params, *params, text]
    else:
        branches.append(
            f"(SELECT p.id, ts_rank(p.search_vector, {query}) AS rank FROM {table} p "
            f"WHERE {document} @@ {match}{where} LIMIT {CANDIDATES + 1})"
        )
        branch_params += [text, text, *match_params, *params]
    sql = f"""
        WITH matched AS (SELECT id, max(rank) AS rank FROM ({" UNION ALL ".join(branches)}) m GROUP BY id)
        SELECT id, (SELECT count(*) FROM matched) FROM matched ORDER BY rank DESC, id DESC LIMIT %s OFFSET %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*branch_params, limit, offset])
        rows = cursor.fetchall()
        if not rows and offset:  # past the end: the total all the same, for the page links
            cursor.execute(sql, [*branch_params, 1, 0])
            total = next((n for _, n in cursor.fetchall()), 0)
        else:
            total = rows[0][1] if rows else 0
    return RankedIds([pk for pk, _ in rows], min(total, CANDIDATES), total > CANDIDATES)


def query_is_empty(text: str) -> bool:
    """Whether `text` holds no searchable word (only stop words or punctuation): nothing can match it."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT numnode(websearch_to_tsquery('{SEARCH_CONFIG}', %s)) = 0", [text])
        return cursor.fetchone()[0]


def papers_search(text: str, *, filters: SearchFilters, offset: int, limit: int) -> tuple[list[Paper], RankedIds]:
    """A page of papers matching `text`, best first (a paper whose title is `text` first of all), each with
    `title_html` and `abstract_html` (the matches marked, safely escaped) and its authors: three queries."""
    exact_where, exact_params = filters.sql()  # the text's matches are filtered by the index (tsquery)
    exact = ("p.title_normalized = %s" + exact_where, [normalize_title(text)[:500], *exact_params])
    found = ranked_ids(
        "papers_paper", text, offset=offset, limit=limit, exact=exact, document=PAPER_DOCUMENT, also=filters.tsquery()
    )
    if not found.ids:
        return [], found
    query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
    papers = (
        Paper.objects.filter(pk__in=found.ids)
        .with_authors(first=SEARCH_AUTHORS + 1)
        .defer("search_vector")
        .annotate(
            title_headline=SearchHeadline("title", query, config=SEARCH_CONFIG, **headline_options(whole=True)),
            abstract_headline=SearchHeadline("abstract", query, config=SEARCH_CONFIG, **headline_options()),
        )
    )
    by_pk = {paper.pk: paper for paper in papers}
    ordered = [by_pk[pk] for pk in found.ids if pk in by_pk]
    for paper in ordered:
        paper.title_html = highlight_html(paper.title_headline)
        paper.abstract_html = highlight_html(paper.abstract_headline) if paper.abstract else ""
    return ordered, found


def fallback_words(text: str) -> tuple[list[str], list[str]]:
    """(words to find, words to exclude) of a query for the fallback: quotes dropped, "-word" excluded, at most
    FALLBACK_WORDS in all."""
    words = [word for word in re.split(r"[\s\"]+", text) if word.strip("-")][:FALLBACK_WORDS]
    wanted = [word for word in words if not word.startswith("-")]
    excluded = [word[1:] for word in words if word.startswith("-") and len(word) > 1]
    return wanted, excluded


def papers_fallback(text: str, *, filters: SearchFilters):
    """The papers whose title, authors or abstract contain every word of `text` (and none of its "-word"s), newest
    first: the search where the database has no full-text search (SQLite). Slice it: it is a QuerySet."""
    wanted, excluded = fallback_words(text)
    if not wanted:
        return Paper.objects.none()
    condition = filters.q()
    for word in wanted:
        condition &= Q(title__icontains=word) | Q(authors_text__icontains=word) | Q(abstract__icontains=word)
    for word in excluded:
        condition &= ~Q(title__icontains=word) & ~Q(authors_text__icontains=word) & ~Q(abstract__icontains=word)
    return (
        Paper.objects.filter(condition)
        .with_authors(first=SEARCH_AUTHORS + 1)
        .defer("search_vector")
        .order_by("-year", "-id")
    )


TITLE_WORD_MIN = 4  # letters of the shortest word corrected (and kept in papers_titleword: migration 0013)
SUGGEST_WORDS = 8  # words of a query corrected, at most
WORD_SIMILARITY = 0.4  # pg_trgm similarity a correction of a word needs


def suggestion(text: str) -> dict | None:
    """ "Did you mean": the author name nearest to `text` or `text` with its misspelt words corrected, by trigram
    similarity (pg_trgm), as {"kind": "author" or "title", "text": ...}; None when nothing is near, off Postgres, or
    when looking takes longer than SUGGEST_TIMEOUT_MS. Names and words are looked up in papers_authorname and
    papers_titleword (the names and title words of the papers with a search vector; migration 0013), each
    look-up one or two pages of a trigram index: two queries."""
    text = " ".join(text.replace('"', " ").split())[:200]
    if not search_available() or len(text) < 4:
        return None
    candidates = []
    # word_similarity: how near `text` is to some run of words of the name ("<%": indexed).
    if found := _suggestion_row(
        "SELECT word_similarity(%s, name) AS s, name FROM papers_authorname WHERE %s <%% name "
        "ORDER BY s DESC, name LIMIT 1",
        [text, text],
        f"pg_trgm.word_similarity_threshold = {SUGGEST_SIMILARITY}",
    ):
        candidates.append((found[0], "author", found[1]))
    if corrected := _corrected(text):
        candidates.append((corrected[1], "title", corrected[0]))
    if not candidates:
        return None
    _, kind, found = max(candidates)
    if found.casefold() == text.casefold():
        return None
    return {"kind": kind, "text": found}


def _suggestion_row(sql: str, params: list, setting: str) -> tuple | None:
    """The first row of a suggestion's look-up, run with `setting` (a pg_trgm threshold) and given up after
    SUGGEST_TIMEOUT_MS (None then: no suggestion rather than a slow page)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL statement_timeout = {SUGGEST_TIMEOUT_MS}")
            cursor.execute(f"SET LOCAL {setting}")
            cursor.execute(sql, params)
            return cursor.fetchone()
    except OperationalError:  # the timeout (QueryCanceled)
        return None


def _corrected(text: str) -> tuple[str, float] | None:
    """`text` with each of its words (of TITLE_WORD_MIN letters or more) that no title has replaced by the nearest
    title word, and how near the replacements are (their mean similarity); None when no word was replaced. One
    query: each unknown word looked up in the trigram index (title_word_trgm_idx)."""
    words = text.split()
    wanted = sorted({w.casefold() for w in words[:SUGGEST_WORDS] if len(w) >= TITLE_WORD_MIN and w.isalpha()})
    if not wanted:
        return None
    found = _suggestion_row(
        "SELECT array_agg(q.w), array_agg(t.word), array_agg(t.s) FROM unnest(%s::text[]) AS q(w) "
        "CROSS JOIN LATERAL (SELECT word, similarity(word, q.w) AS s FROM papers_titleword "
        "WHERE word %% q.w ORDER BY s DESC, word LIMIT 1) t "
        "WHERE NOT EXISTS (SELECT 1 FROM papers_titleword k WHERE k.word = q.w)",
        [wanted],
        f"pg_trgm.similarity_threshold = {WORD_SIMILARITY}",
    )
    if not found or not found[0]:
        return None
    replaced = dict(zip(found[0], found[1], strict=True))
    fixed = " ".join(replaced.get(w.casefold(), w) for w in words)
    return fixed, sum(found[2]) / len(found[2])


def author_named(name: str) -> Author | None:
    return Author.objects.filter(name=name).first()


def author_papers(author: Author, *, offset: int, limit: int) -> list[Paper]:
    """A page of an author's papers, newest first, with their authors (two queries)."""
    ids = list(
        Paper.objects.filter(paper_authors__author=author)
        .order_by("-year", "-id")
        .values_list("pk", flat=True)[offset : offset + limit]
    )
    by_pk = Paper.objects.filter(pk__in=ids).with_authors(first=SEARCH_AUTHORS + 1).defer("search_vector").in_bulk()
    return [by_pk[pk] for pk in ids if pk in by_pk]
