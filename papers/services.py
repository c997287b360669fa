"""Writes to the paper catalogue: upsert imported records, keeping authors in order and aliases resolvable."""

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count

from .importers.records import ImportProblem, PaperRecord
from .models import Author, Paper, PaperAlias, PaperAuthor, Work

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
    if outcome != "unchanged":
        works_link(paper_ids=[paper.pk])
    return paper, outcome


MIN_TITLE_LENGTH_FOR_MATCH = 20  # "Introduction" or "Editorial" must not join unrelated papers


def _surname(normalized_name: str) -> str:
    return normalized_name.rsplit(" ", 1)[-1]


def _duplicate_edges(paper_ids) -> list[tuple[int, int]]:
    """Pairs of papers that are one work: same arXiv id, same DOI, or same normalised title with a shared
    author surname. With `paper_ids`, only groups touching those papers are looked at."""
    edges = []
    for column in ("arxiv_id", "doi", "title_normalized"):
        present = Paper.objects.exclude(**{column: ""})
        if paper_ids is None:
            values = present.values(column).annotate(n=Count("pk")).filter(n__gt=1).values(column)
        else:
            values = present.filter(pk__in=paper_ids).values(column)
        groups = defaultdict(list)
        for pk, value in present.filter(**{f"{column}__in": values}).values_list("pk", column):
            if column != "title_normalized" or len(value) >= MIN_TITLE_LENGTH_FOR_MATCH:
                groups[value].append(pk)
        groups = [ids for ids in groups.values() if len(ids) > 1]
        if column == "title_normalized" and groups:
            surnames = defaultdict(set)
            rows = PaperAuthor.objects.filter(paper_id__in=[pk for ids in groups for pk in ids])
            for pk, name in rows.values_list("paper_id", "author__name_normalized"):
                surnames[pk].add(_surname(name))
            groups = [
                [pk for pk in ids if any(surnames[pk] & surnames[other] for other in ids if other != pk)]
                for ids in groups
            ]
        for ids in groups:
            edges.extend((ids[0], other) for other in ids[1:])
    return edges


@transaction.atomic
def works_link(*, paper_ids: Iterable[int] | None = None) -> int:
    """Give papers that are one work the same Work, merging works that turn out to be one.

    Called by paper_upsert for each imported paper and by `manage.py link_works` for the whole catalogue.
    Returns the number of papers whose work changed.
    """
    if paper_ids is not None:
        paper_ids = list(paper_ids)
        if not paper_ids:
            return 0
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in _duplicate_edges(paper_ids):
        parent[find(a)] = find(b)
    components = defaultdict(set)
    for pk in list(parent):
        components[find(pk)].add(pk)
    changed = 0
    for members in components.values():
        current = dict(Paper.objects.filter(pk__in=members).values_list("pk", "work_id"))
        works = sorted({w for w in current.values() if w is not None})
        work_id = works[0] if works else Work.objects.create().pk
        if len(works) > 1:  # two works met through this group: fold the others into the first
            changed += Paper.objects.filter(work_id__in=works[1:]).update(work_id=work_id)
            Work.objects.filter(pk__in=works[1:]).delete()
        changed += Paper.objects.filter(pk__in=members).exclude(work_id=work_id).update(work_id=work_id)
    return changed


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
