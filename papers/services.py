"""Writes to the paper catalogue: upsert imported records, keeping authors in order and aliases resolvable."""

import datetime
import hashlib
import itertools
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Count

from shortscience.http import HttpClient, HttpError

from .importers import arxiv_api, crossref
from .importers.records import ImportProblem, PaperRecord
from .models import Author, Paper, PaperAlias, PaperAuthor, Work, parse_arxiv_id, parse_doi

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
    # Locked: its author rows are replaced below (see PaperAuthor.paper), and two upserts of one paper take turns.
    paper = Paper.objects.select_for_update(no_key=True).filter(bibtex_key=record.bibtex_key).first()
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


WORKS_BATCH = 1000  # new works inserted, and papers given their work, this many per query


@transaction.atomic
def works_link(*, paper_ids: Iterable[int] | None = None) -> int:
    """Give papers that are one work the same Work, merging works that turn out to be one.

    Called by paper_upsert for each imported paper and by `manage.py link_works` for the whole catalogue.
    Returns the number of papers whose work changed (a paper moved twice counts twice).

    Groups are handled one after another, but their papers' works are read in one query, new works are
    inserted together and papers are given their work WORKS_BATCH at a time: queries do not grow with the
    number of groups, except two for each group in which two works meet (rare) and which are merged then.
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
    if not parent:
        return 0
    work_of = dict(Paper.objects.filter(pk__in=list(parent)).values_list("pk", "work_id"))
    components = defaultdict(list)
    for pk in parent:
        if pk in work_of:  # a paper deleted meanwhile is left out, as the queries by pk below would
            components[find(pk)].append(pk)
    papers_of = defaultdict(set)  # work -> the papers above in it, to follow works merged below
    for pk, work_id in work_of.items():
        if work_id is not None:
            papers_of[work_id].add(pk)

    # Papers only ever move from no work to one, or from one work to another: a group without a work now has none
    # when its turn comes, and gets one of these, in turn.
    without_work = sum(all(work_of[pk] is None for pk in members) for members in components.values())
    new_works = iter(Work.objects.bulk_create([Work() for _ in range(without_work)], batch_size=WORKS_BATCH))
    pending = {}  # pk -> work, not written yet

    def write_pending():
        papers = [Paper(pk=pk, work_id=work_id) for pk, work_id in pending.items()]
        Paper.objects.bulk_update(papers, ["work"], batch_size=WORKS_BATCH)
        pending.clear()

    def move(pk, work_id):
        if work_of[pk] is not None:
            papers_of[work_of[pk]].discard(pk)
        papers_of[work_id].add(pk)
        work_of[pk] = work_id

    changed = 0
    for members in components.values():
        works = sorted({work_of[pk] for pk in members} - {None})
        work_id = works[0] if works else next(new_works).pk
        if len(works) > 1:  # two works met through this group: fold the others into the first
            write_pending()  # so that the fold below finds every paper of those works where it now belongs
            changed += Paper.objects.filter(work_id__in=works[1:]).update(work_id=work_id)
            Work.objects.filter(pk__in=works[1:]).delete()
            for folded in works[1:]:
                for pk in list(papers_of.pop(folded, ())):
                    move(pk, work_id)
        for pk in members:
            if work_of[pk] != work_id:
                move(pk, work_id)
                pending[pk] = work_id
                changed += 1
    write_pending()
    return changed


class Progress:
    """Prints `N/total (rate/s, ETA)` to a stream every `every` items and at the end."""

    def __init__(self, stream, total: int | None = None, every: int = 100, label: str = "papers"):
        self.stream, self.total, self.every, self.label = stream, total, every, label
        self.count, self.started, self.written = 0, time.monotonic(), -1
        self.position = None  # how far into its input the import has got, when the caller says (bytes, say)

    def step(self, n: int = 1, *, position: int | None = None) -> None:
        before = self.count
        self.count += n
        if position is not None:
            self.position = position
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


DRY_RUN_CHUNK = 1000  # records a dry run looks up in one query


def _dry_run_outcomes(records: Iterable[PaperRecord]) -> Iterator[tuple[PaperRecord, str]]:
    """(record, "created" | "unchanged") for each record, by whether its key is stored: one query a chunk."""
    records = iter(records)
    while chunk := list(itertools.islice(records, DRY_RUN_CHUNK)):
        keys = {record.bibtex_key for record in chunk}
        stored = set(Paper.objects.filter(bibtex_key__in=keys).values_list("bibtex_key", flat=True))
        for record in chunk:
            yield record, "unchanged" if record.bibtex_key in stored else "created"


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
        if outcome is None:
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


# --- On-demand import: an unknown arXiv id, arXiv URL or DOI looked up on /paper or /search -------------------


logger = logging.getLogger(__name__)

ON_DEMAND_TIMEOUT = 10.0  # seconds per request: a reader is waiting for the page
NOT_FOUND_TTL = 10 * 60  # a "no such paper" answer is remembered this long, so repeated look-ups do not ask again
FAILURE_TTL = 2 * 60  # an unreachable source or an unusable answer is remembered for less: it may soon work

# Why an on-demand import failed (OnDemandResult.failure).
NOT_IMPORTABLE = "not_importable"  # not an arXiv id / arXiv URL / DOI, or an arXiv id that cannot exist
NOT_FOUND = "not_found"  # the source has no such paper
UNREACHABLE = "unreachable"  # no connection, or the source kept saying "try later"
TIMEOUT = "timeout"  # the source did not answer in time
SOURCE_ERROR = "source_error"  # the source answered with an error or something that is not a paper
NOT_STORED = "not_stored"  # the paper was fetched but the database refused it; nothing was written


@dataclass
class OnDemandResult:
    """What `paper_import_on_demand` did. `paper` when it worked (`created` if it was imported now, not found
    already known); otherwise `failure` (one of the kinds above) and `reason` in words. `source` ("arXiv",
    "Crossref") and `url` say what was asked; `cached` that the failure was remembered from an earlier look-up
    and `retry_after` for how many seconds it is remembered."""

    paper: Paper | None = None
    created: bool = False
    failure: str = ""
    reason: str = ""
    source: str = ""
    url: str = ""
    cached: bool = False
    retry_after: int = 0

    @property
    def ok(self) -> bool:
        return self.paper is not None


def on_demand_target(identifier: str) -> tuple[str, str] | None:
    """("arxiv", unversioned id) or ("crossref", lower-cased DOI): what an on-demand import of `identifier` would
    fetch. arXiv DOIs (10.48550/arXiv.<id>) go to arXiv, which holds them. None when `identifier` is neither, or
    is an arXiv id that cannot exist (1999.99999: no month 99), so that no request is made for it. No queries."""
    arxiv_id = parse_arxiv_id(identifier)
    if arxiv_id is None:
        doi = parse_doi(identifier)
        if doi is None:
            return None
        arxiv_id = crossref.arxiv_id_from_doi(doi)
        if arxiv_id is None:
            return ("crossref", doi)
    return ("arxiv", arxiv_id) if _arxiv_id_can_exist(arxiv_id) else None


def _arxiv_id_can_exist(arxiv_id: str) -> bool:
    """Old-style ids (hep-th/9901001) run from 1991-08 to 2007-03; new-style YYMM.NNNN from 2007-04, with five
    digits from 2015-01; none is from a month still to come."""
    if "/" in arxiv_id:
        digits = arxiv_id.rsplit("/", 1)[1]
        year = int(digits[:2]) + (1900 if digits[:2] >= "91" else 2000)
        month, number = int(digits[2:4]), int(digits[4:])
        return 1 <= month <= 12 and (1991, 8) <= (year, month) <= (2007, 3) and number > 0
    yymm, number = arxiv_id.split(".")
    year, month = 2000 + int(yymm[:2]), int(yymm[2:])
    today = datetime.date.today()
    digits = 4 if (year, month) < (2015, 1) else 5
    return 1 <= month <= 12 and (2007, 4) <= (year, month) <= (today.year, today.month) and len(number) == digits


_on_demand_clients: dict[str, HttpClient] = {}


def on_demand_client(source: str) -> HttpClient:
    """The client on-demand imports from `source` ("arxiv" | "crossref") go through: the importer's client
    (User-Agent, spacing: one request per 3 s to arXiv), shared by the process so that look-ups by many readers
    are spaced too, with a short timeout and one quick retry because a reader is waiting. Tests replace it."""
    client = _on_demand_clients.get(source)
    if client is None:
        client = arxiv_api.arxiv_client() if source == "arxiv" else crossref.crossref_client()
        client.timeout, client.retries, client.backoff, client.max_retry_after = ON_DEMAND_TIMEOUT, 1, 2.0, 5.0
        client = _on_demand_clients.setdefault(source, client)
    return client


def paper_import_on_demand(identifier: str) -> OnDemandResult:
    """The paper for `identifier` (an arXiv id, versioned or not, an arXiv abs/pdf URL, or a DOI), imported from
    arXiv or Crossref if it is not known yet. The paper and its authors are written in one transaction: all or
    nothing. Never raises for network or source trouble: a failure is returned with what was tried and why, and
    remembered for a while (NOT_FOUND_TTL, FAILURE_TTL) so that repeated look-ups do not ask the source again."""
    known = Paper.objects.resolve(identifier)
    if known is not None:
        return OnDemandResult(paper=known)
    return paper_import_unknown(identifier)


def paper_import_unknown(identifier: str) -> OnDemandResult:
    """paper_import_on_demand for an identifier the caller has just failed to resolve (Paper.objects.resolve),
    without looking it up again. NOT_IMPORTABLE, without any query or request, for anything but an arXiv id,
    arXiv URL or DOI."""
    target = on_demand_target(identifier)
    if target is None:
        return OnDemandResult(failure=NOT_IMPORTABLE, reason="not an arXiv id, arXiv URL or DOI")
    source, source_id = target
    if source == "arxiv" and parse_arxiv_id(identifier) is None:  # an arXiv DOI: the paper may be known by its id
        known = Paper.objects.resolve(source_id)
        if known is not None:
            return OnDemandResult(paper=known)

    cache_key = "papers:on-demand-failure:" + hashlib.sha256(f"{source}:{source_id}".encode()).hexdigest()
    remembered = cache.get(cache_key)
    if remembered:
        return OnDemandResult(**remembered, cached=True)

    record, result = _on_demand_fetch(source, source_id)
    if record is not None:
        result = _on_demand_store(record, source=result.source, url=result.url)
    if not result.ok:
        result.retry_after = NOT_FOUND_TTL if result.failure == NOT_FOUND else FAILURE_TTL
        remembered = {name: getattr(result, name) for name in ("failure", "reason", "source", "url", "retry_after")}
        cache.set(cache_key, remembered, result.retry_after)
    return result


def _on_demand_fetch(source: str, source_id: str) -> tuple[PaperRecord | None, OnDemandResult]:
    """(record, result naming source and URL) or (None, the failure)."""
    client = on_demand_client(source)
    label = "arXiv" if source == "arxiv" else "Crossref"
    url = arxiv_api.id_list_url([source_id]) if source == "arxiv" else crossref.work_url(source_id)
    tried = OnDemandResult(source=label, url=url)

    def failed(kind: str, reason: str) -> tuple[None, OnDemandResult]:
        tried.failure, tried.reason = kind, reason
        return None, tried

    try:
        if source == "crossref":
            record, problem = crossref.fetch_crossref_work(source_id, client)
            if record is not None:
                return record, tried
            return failed(NOT_FOUND if problem.reason == crossref.NOT_FOUND else SOURCE_ERROR, problem.reason)
        response = client.get(url)
    except HttpError as exc:
        cause = exc.__cause__
        if isinstance(cause, TimeoutError) or isinstance(getattr(cause, "reason", None), TimeoutError):
            return failed(TIMEOUT, f"{label} did not answer within {client.timeout:.0f} seconds")
        if exc.status is None:
            return failed(UNREACHABLE, f"{label} could not be reached: {exc.message}")
        return failed(UNREACHABLE, f"{label} is busy and asked us to try later ({exc.message})")

    records, problems = arxiv_api.parse_arxiv_atom(response.body, ref=url)
    record = next((r for r in records if r.arxiv_id == source_id), None)
    feed_problems = [p.reason for p in problems if p.ref == url or p.ref.startswith(arxiv_api.ERROR_ID_PREFIXES)]
    if response.ok and record is not None:
        return record, tried
    if response.ok and not feed_problems:
        return failed(NOT_FOUND, f"arXiv has no paper with the id {source_id}")
    detail = f": {feed_problems[0]}" if feed_problems else ""
    return failed(SOURCE_ERROR, f"arXiv answered HTTP {response.status}{detail}")


def _on_demand_store(record: PaperRecord, *, source: str, url: str) -> OnDemandResult:
    try:
        with transaction.atomic():
            paper, outcome = paper_upsert(record=record)
    except IntegrityError:
        # Most likely another request imported the same paper a moment ago: use it.
        paper, outcome = Paper.objects.filter(bibtex_key=record.bibtex_key).first(), "unchanged"
        if paper is None:
            logger.exception("On-demand import of %s from %s was refused by the database", record.bibtex_key, url)
            return OnDemandResult(failure=NOT_STORED, reason="the paper could not be saved", source=source, url=url)
    except DatabaseError:
        logger.exception("On-demand import of %s from %s was refused by the database", record.bibtex_key, url)
        return OnDemandResult(failure=NOT_STORED, reason="the paper could not be saved", source=source, url=url)
    return OnDemandResult(paper=paper, created=outcome == "created", source=source, url=url)
