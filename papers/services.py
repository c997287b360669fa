"""Writes to the paper catalogue: upsert imported records, keeping authors in order and aliases resolvable."""

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction

from .importers.records import ImportProblem, PaperRecord
from .models import Author, Paper, PaperAlias, PaperAuthor

# Fields copied from a record onto a Paper. Empty values from a source never erase what is stored.
RECORD_FIELDS = (
    "title",
    "abstract",
    "year",
    "published",
    "updated",
    "venue_name",
    "entry_type",
    "source",
    "arxiv_id",
    "doi",
    "urls",
    "keywords",
)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[ImportProblem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def summary(self) -> str:
        return (
            f"{self.created} imported, {self.updated} updated, {self.unchanged} unchanged, {len(self.skipped)} skipped"
        )


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


@transaction.atomic
def paper_upsert(*, record: PaperRecord) -> tuple[Paper, str]:
    """Create or update the paper for `record`. Returns (paper, "created" | "updated" | "unchanged")."""
    paper = Paper.objects.filter(bibtex_key=record.bibtex_key).first()
    outcome = "unchanged"
    if paper is None:
        paper = Paper(bibtex_key=record.bibtex_key)
        outcome = "created"
    for name in RECORD_FIELDS:
        value = getattr(record, name)
        if value in ("", None, []) and outcome != "created":
            continue
        if getattr(paper, name) != value:
            setattr(paper, name, value)
            outcome = "created" if outcome == "created" else "updated"
    if outcome != "unchanged":
        paper.full_clean(exclude=["venue", "title_normalized"], validate_unique=False)
        paper.save()

    names = list(dict.fromkeys(n.strip() for n in record.authors if n.strip()))
    current = list(paper.paper_authors.order_by("position").values_list("author__name", flat=True))
    if names and names != current:
        paper.paper_authors.all().delete()
        PaperAuthor.objects.bulk_create(
            PaperAuthor(paper=paper, author=author, position=i)
            for i, author in enumerate(_authors_get_or_create(names))
        )
        outcome = "created" if outcome == "created" else "updated"

    for alias in record.aliases:
        if alias and alias != paper.bibtex_key:
            PaperAlias.objects.get_or_create(alias=alias, defaults={"paper": paper})
    return paper, outcome


class Progress:
    """Prints `N/total (rate/s, ETA)` to a stream every `every` items and at the end."""

    def __init__(self, stream, total: int | None = None, every: int = 100, label: str = "papers"):
        self.stream, self.total, self.every, self.label = stream, total, every, label
        self.count, self.started, self.written = 0, time.monotonic(), -1

    def step(self, n: int = 1) -> None:
        before = self.count
        self.count += n
        if self.stream and self.count // self.every != before // self.every:
            self.write()

    def write(self) -> None:
        if not self.stream or self.written == self.count:
            return
        self.written = self.count
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = self.count / elapsed
        line = f"{self.count}"
        if self.total:
            eta = (self.total - self.count) / rate if rate else 0
            line += f"/{self.total} ({100 * self.count / self.total:.0f}%)"
            line += f" {rate:,.0f} {self.label}/s, ETA {eta:,.0f}s"
        else:
            line += f" {self.label}, {rate:,.0f}/s"
        self.stream.write(line + "\n")


def papers_import(
    *,
    records: Iterable[PaperRecord],
    problems: Iterable[ImportProblem] = (),
    progress: Progress | None = None,
    dry_run: bool = False,
    on_problem: Callable[[ImportProblem], None] | None = None,
) -> ImportResult:
    """Upsert each record in its own transaction, so one bad record never takes the others with it."""
    result = ImportResult(skipped=list(problems))
    for record in records:
        if dry_run:
            result.add("created" if not Paper.objects.filter(bibtex_key=record.bibtex_key).exists() else "unchanged")
        else:
            try:
                _, outcome = paper_upsert(record=record)
            except Exception as exc:  # a record the database refuses is reported by key, the rest go on
                problem = ImportProblem(record.bibtex_key, f"not stored: {exc}")
                result.skipped.append(problem)
                if on_problem:
                    on_problem(problem)
                continue
            result.add(outcome)
        if progress:
            progress.step()
    if progress:
        progress.write()
    return result
