"""Writes to the paper catalogue: upsert imported records, keeping authors in order and aliases resolvable."""

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db import connection, models, transaction
from django.db.models import Q

from shortscience import page_cache
from shortscience.progress import Progress

from .identifiers import venue_key_for
from .importers.records import ImportProblem, PaperRecord, shorten_author_names
from .models import Author, Paper, PaperAlias, PaperAuthor, Venue, authors_text_of
from .works import works_link

# Fields copied from a record onto a Paper. Empty values from a source never erase what is stored.
RECORD_FIELDS = (
    "title",
    "abstract",
    "year",
    "published",
    "updated",
    "published_in",
    "entry_type",
    "source",
    "arxiv_id",
    "doi",
    "urls",
    "keywords",
)


class Outcome(models.TextChoices):
    """What an import did with one record."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[ImportProblem] = field(default_factory=list)
    notes: list[ImportProblem] = field(default_factory=list)  # stored, but changed to fit (ImportProblem.kept)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def count(self, outcome: Outcome, n: int = 1) -> None:
        """Count `n` records that had `outcome`."""
        if outcome == Outcome.CREATED:
            self.created += n
        elif outcome == Outcome.UPDATED:
            self.updated += n
        else:
            self.unchanged += n

    def summary(self) -> str:
        text = (
            f"{self.created} imported, {self.updated} updated, {self.unchanged} unchanged, {len(self.skipped)} skipped"
        )
        return text + (f", {len(self.notes)} shortened to fit" if self.notes else "")

    def report(self, problem: ImportProblem) -> None:
        """A problem goes with the skipped entries, or with the notes when its entry was stored (`kept`)."""
        (self.notes if problem.kept else self.skipped).append(problem)


def _authors_get_or_create(names: list[str]) -> list[Author]:
    existing = {a.name: a for a in Author.objects.filter(name__in=names)}
    authors = []
    for name in names:
        author = existing.get(name)
        if author is None:
            author = Author(name=name)
            author.save()
            existing[name] = author
        authors.append(author)
    return authors


def venue_for_key(bibtex_key: str, *, name: str = "") -> Venue | None:
    """The venue of a dblp-style key (conf/nips/RenHGS15: conf/nips), created with `name` if it is new; None for
    keys without a venue prefix."""
    prefix = venue_key_for(bibtex_key)
    if prefix is None:
        return None
    return Venue.objects.get_or_create(key=prefix, defaults={"name": name})[0]


@transaction.atomic
def paper_upsert(*, record: PaperRecord) -> tuple[Paper, Outcome]:
    """Create or update the paper for `record`. Returns (paper, what was done). Over-long author names are
    shortened to fit (`shorten_author_names`: callers that report it call it first)."""
    shorten_author_names(record)
    # Locked: its author rows are replaced below (see PaperAuthor.paper), and two upserts of one paper take turns.
    paper = Paper.objects.select_for_update(no_key=True).filter(bibtex_key=record.bibtex_key).first()
    outcome = Outcome.UNCHANGED
    names = list(dict.fromkeys(n.strip() for n in record.authors if n.strip()))
    if paper is None:
        paper = Paper(bibtex_key=record.bibtex_key)
        outcome = Outcome.CREATED
    for name in RECORD_FIELDS:
        value = getattr(record, name)
        if value in ("", None, []) and outcome != Outcome.CREATED:
            continue
        if getattr(paper, name) != value:
            setattr(paper, name, value)
            outcome = Outcome.CREATED if outcome == Outcome.CREATED else Outcome.UPDATED
    if names and paper.authors_text != authors_text_of(names):  # saved with the paper: its search vector reads it
        paper.authors_text = authors_text_of(names)
        outcome = Outcome.CREATED if outcome == Outcome.CREATED else Outcome.UPDATED
    if outcome != Outcome.UNCHANGED:
        if paper.venue_id is None:
            paper.venue = venue_for_key(paper.bibtex_key, name=paper.published_in)
        paper.full_clean(exclude=["venue", "title_normalized"], validate_unique=False)
        paper.save()

    current = list(paper.paper_authors.order_by("position").values_list("author__name", flat=True))
    if names and names != current:
        paper.paper_authors.all().delete()
        PaperAuthor.objects.bulk_create(
            PaperAuthor(paper=paper, author=author, position=i)
            for i, author in enumerate(_authors_get_or_create(names))
        )
        outcome = Outcome.CREATED if outcome == Outcome.CREATED else Outcome.UPDATED

    for alias in record.aliases:
        if alias and alias != paper.bibtex_key:
            PaperAlias.objects.get_or_create(alias=alias, defaults={"paper": paper})
    if outcome != Outcome.UNCHANGED:
        works_link(paper_ids=[paper.pk])
        paper_pages_invalidate(paper_ids=[paper.pk])
    return paper, outcome


def paper_authors_text_refresh(*, paper_ids) -> None:
    """Set these papers' authors_text (and so their search vectors) from their author rows: for writes that change
    author rows or names outside the importers (the admin's inline and author pages). One query to read, one per
    paper whose text changed."""
    paper_ids = list(paper_ids)
    names: dict[int, list[str]] = {pk: [] for pk in paper_ids}
    rows = PaperAuthor.objects.filter(paper_id__in=paper_ids).order_by("paper_id", "position")
    for paper_id, name in rows.values_list("paper_id", "author__name"):
        names[paper_id].append(name)
    stored = dict(Paper.objects.filter(pk__in=paper_ids).values_list("pk", "authors_text"))
    for pk, text in stored.items():
        if text != authors_text_of(names[pk]):
            Paper.objects.filter(pk=pk).update(authors_text=authors_text_of(names[pk]))


SEARCH_FILL_CHUNK = 2000  # papers whose search vectors one transaction of the fill makes


def paper_search_vectors_fill(*, progress: Progress | None = None) -> int:
    """Make the search vectors that are NULL (the bulk import leaves them so, papers.bulk.orm_writer.
    search_vectors_defer; papers stored before migration 0010 have none), SEARCH_FILL_CHUNK papers per transaction,
    found through the partial index paper_search_pending_idx; rows another fill has locked are skipped. Each
    paper's authors_text is set again from its author rows on the way, and the trigger makes the vector. Returns
    how many were made; 0 off Postgres (no vectors there)."""
    if connection.vendor != "postgresql":
        return 0
    filled = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE papers_paper p SET search_vector = NULL, authors_text = COALESCE((SELECT "
                "string_agg(a.name, E'\\n' ORDER BY x.position) FROM papers_paperauthor x "
                "JOIN papers_author a ON a.id = x.author_id WHERE x.paper_id = p.id), '') "
                "WHERE p.id IN (SELECT id FROM papers_paper WHERE search_vector IS NULL ORDER BY id "
                "LIMIT %s FOR UPDATE SKIP LOCKED)",
                [SEARCH_FILL_CHUNK],
            )
            done = cursor.rowcount
        filled += done
        if progress:
            progress.step(done)
        if done < SEARCH_FILL_CHUNK:
            return filled


def search_vectors_pending() -> bool:
    """Whether some paper has no search vector yet (paper_search_pending_idx answers it); False off Postgres."""
    return connection.vendor == "postgresql" and Paper.objects.filter(search_vector__isnull=True).exists()


def paper_pages_invalidate(*, paper_ids) -> None:
    """Drop the cached pages that show these papers: theirs, their other versions' and the catalogue's."""
    page_cache.invalidate(page_cache.CATALOGUE, *paper_page_scopes(paper_ids=paper_ids))


def paper_page_scopes(*, paper_ids) -> list[str]:
    """The page-cache scopes of these papers' pages and of their other versions' pages (which list them and
    show their summaries). Two queries."""
    paper_ids = list(paper_ids)
    if not paper_ids:
        return []
    # Two look-ups through indexes (primary key, then paper_work_idx): written as one join with OR, Postgres read
    # the whole catalogue (2.5 s at 1M papers, on every vote).
    works = list(Paper.objects.filter(pk__in=paper_ids, work__isnull=False).values_list("work_id", flat=True))
    keys = (
        Paper.objects.filter(Q(pk__in=paper_ids) | Q(work_id__in=works, work__isnull=False))
        .order_by()
        .values_list("bibtex_key", flat=True)
    )
    return [page_cache.scope("paper", key) for key in set(keys)]


DRY_RUN_CHUNK = 1000  # records a dry run looks up in one query


def _dry_run_outcomes(records: Iterable[PaperRecord]) -> Iterator[tuple[PaperRecord, Outcome]]:
    """(record, CREATED or UNCHANGED) for each record, by whether its key is stored: one query a chunk."""
    records = iter(records)
    while chunk := list(itertools.islice(records, DRY_RUN_CHUNK)):
        keys = {record.bibtex_key for record in chunk}
        stored = set(Paper.objects.filter(bibtex_key__in=keys).values_list("bibtex_key", flat=True))
        for record in chunk:
            yield record, Outcome.UNCHANGED if record.bibtex_key in stored else Outcome.CREATED


def papers_import(
    *,
    records: Iterable[PaperRecord],
    problems: Iterable[ImportProblem] = (),
    progress: Progress | None = None,
    dry_run: bool = False,
    on_problem: Callable[[ImportProblem], None] | None = None,
) -> ImportResult:
    """Upsert each record in its own transaction, so one bad record never takes the others with it.

    A dry run writes nothing: a record whose key is not stored yet counts as created, the others as unchanged."""
    result = ImportResult(skipped=list(problems))
    outcomes = _dry_run_outcomes(records) if dry_run else ((record, None) for record in records)
    for record, outcome in outcomes:
        note = shorten_author_names(record)
        if outcome is None:
            try:
                _, outcome = paper_upsert(record=record)
            except Exception as exc:  # a record the database refuses is reported by key, the rest go on
                problem = ImportProblem(record.bibtex_key, f"not stored: {exc}")
                result.skipped.append(problem)
                if on_problem:
                    on_problem(problem)
                continue
        result.count(outcome)
        if note:
            result.notes.append(note)
            if on_problem:
                on_problem(note)
        if progress:
            progress.step()
    if progress:
        progress.write()
    return result
