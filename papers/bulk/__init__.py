"""The bulk writer for arXiv snapshot imports: thousands of papers per transaction, authors in order.

`services.paper_upsert` stores one paper per transaction through the ORM, a few milliseconds each: right for
a BibTeX file or an OAI page, hours for the 2.5M-paper snapshot. `snapshot_import` applies the same rules a
batch at a time:
- one read of what is stored for the batch's keys (the papers and their ordered author names);
- empty values from a source never erase stored ones; a paper whose merged values and authors equal what is
  stored counts as unchanged and is not written at all, so re-importing a file writes nothing;
- new papers are inserted and changed ones updated, the changed ones locked first (a paper deleted meanwhile
  is reported and left deleted); authors are got-or-created by name, and the PaperAuthor rows of every new or
  changed author list are replaced;
- title_normalized and venue (journals/corr, got-or-created once) are set here, as bulk writes bypass
  Paper.save(); new and changed papers that may share a work with another are linked (works.works_link),
  as paper_upsert does.
On Postgres (psycopg2) new papers, new authors and author rows go in with COPY, ids drawn from the sequences
first; on other databases the same steps use bulk_create. Each batch is one transaction: a batch the database
refuses is rolled back whole, each of its records is reported as skipped, and the import goes on with the next.

Speed: the records are parsed, checked and prepared (author lists, normalized title, COPY text) by a reader
that runs ahead, a forked process for the import command (a thread otherwise), so that this work overlaps the
database's; the calling thread only talks to the database. bench/import_bench.py measures it.
"""

import json
import operator
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from django.db import DataError, IntegrityError, connection, transaction
from django.utils import timezone

from shortscience.progress import Progress

from ..importers.records import ImportProblem, PaperRecord
from ..models import Author, Paper, PaperAuthor, Venue, normalize_name, normalize_title, venue_key_for
from ..services import RECORD_FIELDS, ImportResult
from ..works import works_link
from .copy_format import CopyLines, copy_from, copy_value, quoted_columns, unwritten_fields
from .read_ahead import read_ahead

_EMPTY = ("", None, [])
_STRING_FIELDS = ("bibtex_key", "title", "abstract", "published_in", "entry_type", "source", "arxiv_id", "doi")
_MAX_LENGTHS = {
    name: Paper._meta.get_field(name).max_length for name in _STRING_FIELDS if Paper._meta.get_field(name).max_length
}
_string_fields = operator.attrgetter(*_STRING_FIELDS)  # record -> tuple of those values, in one call
_LIMITED_FIELDS = tuple(
    (position, name, _MAX_LENGTHS[name]) for position, name in enumerate(_STRING_FIELDS) if name in _MAX_LENGTHS
)
_MAX_AUTHOR_NAME = Author._meta.get_field("name").max_length
_MAX_AUTHORS = 32767  # PaperAuthor.position is a PositiveSmallIntegerField
_IN_CHUNK = 2000  # parameters per `IN (...)` lookup: well under SQLite's limit
_WORK_KEYS = ("arxiv_id", "doi", "title_normalized")  # what works.works_link matches papers on
_RECORD_POSITION = {name: position for position, name in enumerate(RECORD_FIELDS)}


def snapshot_import(
    *,
    items: Iterable[PaperRecord | ImportProblem],
    batch_size: int = 5000,
    progress: Progress | None = None,
    dry_run: bool = False,
    on_problem: Callable[[ImportProblem], None] | None = None,
    read_in_process: bool = False,
    position: Callable[[], int] | None = None,
) -> ImportResult:
    """Store the records of `items` a batch at a time; problems among the items are passed on as skipped.

    `progress` is stepped once per item. `dry_run` reads what is stored and counts what would be created,
    updated or left unchanged, without writing anything. `read_in_process` reads `items` in a forked process
    (see read_ahead.read_ahead): for a large file that nothing else reads meanwhile. `position`, called by the
    reader after each batch (the file's position, say), is handed to `progress` with the batch once it is written.
    """
    result = ImportResult()
    writer = _new_writer()
    venues = _Venues(dry_run=dry_run)

    def report(problem: ImportProblem) -> None:
        result.skipped.append(problem)
        if on_problem:
            on_problem(problem)

    def prepare(record: PaperRecord) -> _Row | ImportProblem:  # in the reader: pure Python, no database
        return _check(record) or writer.prepare(record)

    batches = read_ahead(items, batch_size, prepare, in_process=read_in_process, position=position)
    for rows, problems, read in batches:
        for problem in problems:
            report(problem)
        if rows:
            _run_batch(rows, writer=writer, venues=venues, dry_run=dry_run, result=result, report=report)
        if progress:
            progress.step(len(rows) + len(problems), position=read)
    if not dry_run and result.created:
        writer.after_batch(0, last=True)
    if progress:
        progress.write()
    return result


def _new_writer() -> "_OrmWriter":
    """The COPY writer on Postgres with psycopg2, the portable one elsewhere."""
    return _PostgresWriter() if _postgres_copy_available() else _OrmWriter()


class _Row(NamedTuple):
    """A checked record with what storing it needs, computed ahead by the reader (a tuple: quick to pickle)."""

    key: str
    record_values: tuple  # the record's RECORD_FIELDS, in that order
    authors: list[str]  # stripped, the first occurrence of each name, in order
    venue_key: str | None  # journals/corr
    published_in: str
    title_normalized: str
    paper_copy_text: str  # Postgres: the paper's COPY text after its id and venue_id columns ("" elsewhere)


@dataclass(slots=True)
class _StoredPaper:
    """A paper as a batch read it before writing: its RECORD_FIELDS values (in the order of a _Row's) and its
    ordered author names."""

    pk: int
    record_values: tuple
    venue_id: int | None
    authors: list[str]


_COPY_READ = 1 << 16  # characters per read of a COPY's lines


def _check(record: PaperRecord) -> ImportProblem | None:
    """Refuse what the database would refuse, so that one odd record cannot cost its whole batch."""
    values = _string_fields(record)
    if "\x00" in "".join(values):  # Postgres text cannot hold NUL
        for name, value in zip(_STRING_FIELDS, values, strict=True):
            setattr(record, name, value.replace("\x00", ""))
        values = _string_fields(record)
    for position, name, limit in _LIMITED_FIELDS:
        if len(values[position]) > limit:
            return ImportProblem(record.bibtex_key[:80] or "record", f"{name} longer than {limit} characters")
    if not record.bibtex_key:
        return ImportProblem("record", f"no bibtex key for {record.title[:60]!r}")
    if not record.title:
        return ImportProblem(record.bibtex_key, "no title")
    if len(record.authors) > _MAX_AUTHORS:
        return ImportProblem(record.bibtex_key, f"more than {_MAX_AUTHORS} authors")
    if record.authors and max(map(len, record.authors)) > _MAX_AUTHOR_NAME:
        return ImportProblem(record.bibtex_key, f"author name longer than {_MAX_AUTHOR_NAME} characters")
    return None


def _author_names(record: PaperRecord) -> list[str]:
    """The record's authors as paper_upsert stores them: stripped, first occurrence of each name kept."""
    names = record.authors
    if "\x00" in "".join(names):
        names = [name.replace("\x00", "") for name in names]
    return list(dict.fromkeys(filter(None, [name.strip() for name in names])))


class _Venues:
    """Venue ids by key prefix, got-or-created once per import (outside the batch transactions)."""

    def __init__(self, *, dry_run: bool):
        self.dry_run, self.ids = dry_run, {}

    def id_for(self, key: str | None, name: str) -> int | None:
        if key is None:
            return None
        if key not in self.ids:
            if self.dry_run:
                self.ids[key] = Venue.objects.filter(key=key).values_list("id", flat=True).first()
            else:
                self.ids[key] = Venue.objects.get_or_create(key=key, defaults={"name": name})[0].id
        return self.ids[key]


def _batch_errors() -> tuple[type[Exception], ...]:
    """Errors that mean "the database refused this data" (COPY raises the driver's own classes)."""
    driver = connection.Database
    return (IntegrityError, DataError, driver.IntegrityError, driver.DataError)


def _run_batch(batch: list[_Row], *, writer, venues, dry_run, result, report) -> None:
    rows: dict[str, _Row] = {}
    for row in batch:
        if row.key in rows:
            report(ImportProblem(row.key, "appears twice in one batch; the later record was kept"))
        rows[row.key] = row
    venue_ids = {row.venue_key: venues.id_for(row.venue_key, row.published_in) for row in rows.values()}
    try:
        with transaction.atomic():
            created, updated, unchanged, vanished = _write_batch(rows, venue_ids, writer=writer, dry_run=dry_run)
    except _batch_errors() as exc:
        reason = f"not stored: its batch of {len(rows)} was rolled back ({' '.join(str(exc).split())})"
        for key in rows:
            report(ImportProblem(key, reason))
        return
    for key in vanished:
        report(ImportProblem(key, "deleted on the site while this batch was written; left deleted"))
    result.created += created
    result.updated += updated
    result.unchanged += unchanged
    if not dry_run:
        writer.after_batch(created)


def _write_batch(rows: dict[str, _Row], venue_ids: dict, *, writer, dry_run: bool) -> tuple[int, int, int, list]:
    """Write one batch (inside the caller's transaction).

    Returns (created, updated, unchanged, the keys of stored papers that were deleted before they could be
    updated).
    """
    writer.begin_batch()
    stored = writer.stored_papers(list(rows))
    inserts, updates = [], []  # (row, venue id) / (key, merged values, venue id, pk)
    author_lists: dict[str, list[str]] = {}
    changed: list[str] = []  # keys of the stored papers this batch updates
    created = updated = unchanged = 0
    for key, row in rows.items():
        old = stored.get(key)
        if old is None:
            inserts.append((row, venue_ids[row.venue_key]))
            if row.authors:
                author_lists[key] = row.authors
            created += 1
            continue
        merged = tuple(o if new in _EMPTY else new for new, o in zip(row.record_values, old.record_values, strict=True))
        paper_changed = merged != old.record_values
        authors_changed = bool(row.authors) and row.authors != old.authors
        if paper_changed:
            updates.append((key, merged, old.venue_id or venue_ids[row.venue_key], old.pk))
        if authors_changed:
            author_lists[key] = row.authors
        if paper_changed or authors_changed:
            updated += 1
            changed.append(key)
        else:
            unchanged += 1
    if dry_run:
        return created, updated, unchanged, []

    vanished = []
    if changed:
        # Lock the stored papers this batch changes until it commits: their author rows are replaced without a
        # database foreign key (see PaperAuthor.paper), so none of them may be deleted meanwhile. One deleted
        # since it was read is left deleted, not written again.
        present = writer.lock_papers([stored[key].pk for key in changed])
        vanished = [key for key in changed if stored[key].pk not in present]
        if vanished:
            gone = set(vanished)
            updates = [update for update in updates if update[0] not in gone]
            author_lists = {key: names for key, names in author_lists.items() if key not in gone}
            changed = [key for key in changed if key not in gone]
            updated -= len(gone)

    sharing = _new_papers_that_may_share_a_work([row for row, _ in inserts], writer)
    ids = {key: old.pk for key, old in stored.items()}
    ids.update(writer.insert_papers(inserts))
    writer.update_papers(updates)
    if author_lists:
        names = list(dict.fromkeys(name for names in author_lists.values() for name in names))
        author_ids = writer.author_ids(names)
        writer.replace_paper_authors(
            clear=[ids[key] for key in author_lists if key in stored],
            rows=(  # made as they are written
                (ids[key], author_ids[name], position)
                for key, names in author_lists.items()
                for position, name in enumerate(names)
            ),
        )
    # As paper_upsert does for each paper it writes, less the papers that cannot share a work with another.
    works_link(paper_ids=[ids[key] for key in sharing] + _may_share_a_work([ids[key] for key in changed]))
    return created, updated, unchanged, vanished


def _new_papers_that_may_share_a_work(rows: list[_Row], writer) -> list[str]:
    """The keys of the new papers among `rows` that share an arXiv id, a DOI or a normalized title with a stored
    paper or with one another (see _may_share_a_work), asked before they are written: an index probe that finds
    nothing, as it does for almost every new paper, costs a fraction of one that finds the paper itself."""
    flagged = writer.sharing_stored_keys(rows)
    for field in _WORK_KEYS:
        seen: dict[str, str] = {}
        for row in rows:
            value = _work_key(row, field)
            if value:
                if value in seen:
                    flagged.update((row.key, seen[value]))
                seen.setdefault(value, row.key)
    return [row.key for row in rows if row.key in flagged]


def _work_key(row: _Row, field: str) -> str:
    return row.title_normalized if field == "title_normalized" else row.record_values[_RECORD_POSITION[field]]


def _may_share_a_work(paper_ids: list[int]) -> list[int]:
    """The stored papers among `paper_ids` that share an arXiv id, a DOI or a normalized title with another paper.

    works.works_link only ever joins papers through those three (a title also needs a shared author), so
    a paper with none of them in common is left as it is. Used for the papers a batch changed, after writing
    them; new papers are asked about before they are written (_new_papers_that_may_share_a_work).
    """
    if not paper_ids:
        return []
    paper = Paper._meta.db_table
    conditions = " OR ".join(
        f"(p.{column} <> '' AND EXISTS (SELECT 1 FROM {paper} q "
        f"WHERE q.{column} = p.{column} AND q.{column} <> '' AND q.id <> p.id))"  # <> '': the partial indexes
        for column in (connection.ops.quote_name(Paper._meta.get_field(name).column) for name in _WORK_KEYS)
    )
    found, postgres = [], connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for chunk in _chunks(paper_ids, 10_000 if postgres else _IN_CHUNK):
            if postgres:
                cursor.execute(f"SELECT p.id FROM {paper} p WHERE p.id = ANY(%s) AND ({conditions})", [chunk])
            else:
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"SELECT p.id FROM {paper} p WHERE p.id IN ({marks}) AND ({conditions})", chunk)
            found += [pk for (pk,) in cursor.fetchall()]
    return found


def _chunks(items: list, size: int = _IN_CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _paper(key: str, record_values: tuple, venue_id, pk=None) -> Paper:
    paper = Paper(pk=pk, bibtex_key=key, venue_id=venue_id, **dict(zip(RECORD_FIELDS, record_values, strict=True)))
    paper.title_normalized = normalize_title(paper.title)
    return paper


class _OrmWriter:
    """The portable writer: bulk_create with update_conflicts / ignore_conflicts (SQLite and Postgres)."""

    def prepare(self, record: PaperRecord) -> _Row:
        """Runs in the reader: pure Python, no database."""
        record_values, title_normalized = _record_fields(record), normalize_title(record.title)
        return _Row(
            key=record.bibtex_key,
            record_values=record_values,
            authors=_author_names(record),
            venue_key=venue_key_for(record.bibtex_key),
            published_in=record.published_in,
            title_normalized=title_normalized,
            paper_copy_text=self.paper_copy_text(record.bibtex_key, record_values, title_normalized),
        )

    def paper_copy_text(self, key: str, record_values: tuple, title_normalized: str) -> str:
        """What a row holds for the COPY of its paper: nothing here (see _PostgresWriter)."""
        return ""

    def begin_batch(self) -> None:
        """Called first in each batch's transaction."""

    def after_batch(self, created: int, *, last: bool = False) -> None:
        """Called after each committed batch (and once at the end, with last=True)."""

    def stored_papers(self, keys: list[str]) -> dict[str, _StoredPaper]:
        """The papers already stored under `keys`, with their ordered author names."""
        stored: dict[str, _StoredPaper] = {}
        for chunk in _chunks(keys):
            rows = Paper.objects.filter(bibtex_key__in=chunk).values_list(
                "bibtex_key", "id", "venue_id", *RECORD_FIELDS
            )
            for key, pk, venue_id, *record_values in rows:
                stored[key] = _StoredPaper(pk, tuple(record_values), venue_id, [])
        by_pk = {paper.pk: paper for paper in stored.values()}
        for chunk in _chunks(list(by_pk)):
            rows = (
                PaperAuthor.objects.filter(paper_id__in=chunk)
                .order_by("paper_id", "position")
                .values_list("paper_id", "author__name")
            )
            for paper_id, name in rows:
                by_pk[paper_id].authors.append(name)
        return stored

    def sharing_stored_keys(self, rows: list[_Row]) -> set[str]:
        """The keys of `rows` with an arXiv id, a DOI or a normalized title that a stored paper has too."""
        keys = set()
        for field in _WORK_KEYS:
            by_value: dict[str, list[str]] = {}
            for row in rows:
                if value := _work_key(row, field):
                    by_value.setdefault(value, []).append(row.key)
            for chunk in _chunks(list(by_value)):
                for value in Paper.objects.filter(**{f"{field}__in": chunk}).values_list(field, flat=True):
                    keys.update(by_value.get(value, ()))
        return keys

    def lock_papers(self, pks: list[int]) -> set[int]:
        """Lock the papers `pks` until the end of the transaction; returns those that still exist."""
        present = set()
        for chunk in _chunks(pks):
            locked = Paper.objects.select_for_update(no_key=True).filter(pk__in=chunk).values_list("pk", flat=True)
            present.update(locked)
        return present

    def insert_papers(self, inserts: list[tuple[_Row, int | None]]) -> dict[str, int]:
        if not inserts:
            return {}
        self._upsert([_paper(row.key, row.record_values, venue_id) for row, venue_id in inserts])
        ids = {}
        for chunk in _chunks([row.key for row, _ in inserts]):
            ids.update(Paper.objects.filter(bibtex_key__in=chunk).values_list("bibtex_key", "id"))
        return ids

    def update_papers(self, updates: list[tuple]) -> None:
        if updates:
            self._upsert([_paper(key, merged, venue_id, pk) for key, merged, venue_id, pk in updates])

    def _upsert(self, papers: list[Paper]) -> None:
        Paper.objects.bulk_create(
            papers,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["bibtex_key"],
            update_fields=[*RECORD_FIELDS, "title_normalized", "venue", "modified_at"],
        )

    def author_ids(self, names: list[str]) -> dict[str, int]:
        """name -> Author id, creating the missing authors (and tolerating any created meanwhile)."""
        ids = self._select_authors(names)
        missing = [name for name in names if name not in ids]
        if missing:
            Author.objects.bulk_create(
                (Author(name=name, name_normalized=normalize_name(name)) for name in missing),
                batch_size=1000,
                ignore_conflicts=True,
            )
            ids.update(self._select_authors(missing))
        return ids

    def _select_authors(self, names: list[str]) -> dict[str, int]:
        ids = {}
        for chunk in _chunks(names):
            ids.update(Author.objects.filter(name__in=chunk).values_list("name", "id"))
        return ids

    def replace_paper_authors(self, *, clear: list[int], rows: Iterable[tuple[int, int, int]]) -> None:
        for chunk in _chunks(clear):
            PaperAuthor.objects.filter(paper_id__in=chunk).delete()
        PaperAuthor.objects.bulk_create(
            (
                PaperAuthor(paper_id=paper_id, author_id=author_id, position=position)
                for paper_id, author_id, position in rows
            ),
            batch_size=1000,
        )


_record_fields = operator.attrgetter(*RECORD_FIELDS)


def _postgres_copy_available() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        return hasattr(cursor.cursor, "copy_expert")  # psycopg2; psycopg 3 gets the portable writer


class _PostgresWriter(_OrmWriter):
    """Postgres with psycopg2: new papers and PaperAuthor rows by COPY, authors by INSERT ... ON CONFLICT, what is
    stored read back in two set queries per batch, and statistics refreshed as the tables grow."""

    # ANALYZE once this many papers were created since the last one (and at least as many as were there then):
    # a table that grew from nothing keeps its empty-table statistics, and the planner then scans it per query.
    ANALYZE_AFTER = 20_000

    def __init__(self):
        paper, author, paper_author = (
            connection.ops.quote_name(m._meta.db_table) for m in (Paper, Author, PaperAuthor)
        )
        self.paper_table, self.author_table, self.paper_author_table = paper, author, paper_author
        self.copy_lines = CopyLines()
        other = unwritten_fields(Author, {"name", "name_normalized"})  # for INSERT ... ON CONFLICT
        self.author_columns = quoted_columns(Author, "name", "name_normalized", *(n for n, _ in other))
        self.author_defaults = [value for _, value in other]
        json_fields = {"urls", "keywords"}
        fields = ", ".join(
            quoted_columns(Paper, name) + ("::text" if name in json_fields else "") for name in RECORD_FIELDS
        )
        self.json_positions = [RECORD_FIELDS.index(name) for name in json_fields]
        key, pk, venue = (quoted_columns(Paper, name) for name in ("bibtex_key", "id", "venue"))
        self.stored_papers_sql = f"SELECT {key}, {pk}, {venue}, {fields} FROM {paper} WHERE {key} = ANY(%s)"
        x_paper, x_author, x_position = (
            quoted_columns(PaperAuthor, n, alias="x") for n in ("paper", "author", "position")
        )
        a_id, a_name = quoted_columns(Author, "id", alias="a"), quoted_columns(Author, "name", alias="a")
        self.stored_authors_sql = (
            f"SELECT {x_paper}, {a_name} FROM {paper_author} x JOIN {author} a ON {a_id} = {x_author} "
            f"WHERE {x_paper} = ANY(%s) ORDER BY {x_paper}, {x_position}"
        )
        columns = [quoted_columns(Paper, name) for name in _WORK_KEYS]
        self.sharing_sql = (
            f"SELECT v.key FROM unnest(%s::text[], {', '.join(['%s::text[]'] * len(columns))}) "
            f"AS v(key, {', '.join(f'v{i}' for i in range(len(columns)))}) WHERE "
            + " OR ".join(
                f"(v.v{i} <> '' AND EXISTS "
                f"(SELECT 1 FROM {paper} q WHERE q.{column} = v.v{i} AND q.{column} <> '' OFFSET 0))"
                for i, column in enumerate(columns)
            )
        )
        self.created_since_analyze, self.rows_at_analyze = 0, None

    def paper_copy_text(self, key: str, record_values: tuple, title_normalized: str) -> str:
        return self.copy_lines.paper_copy_text(key, record_values, title_normalized)

    def sharing_stored_keys(self, rows: list[_Row]) -> set[str]:
        # One index probe per value, whatever the table's size: `OFFSET 0` keeps the planner from turning each
        # EXISTS into a hashed subplan that reads the whole table (which it chose, as for `= ANY` of thousands of
        # values); `<> ''` lets the partial indexes serve.
        if not rows:
            return set()
        with connection.cursor() as cursor:
            cursor.execute(
                self.sharing_sql, [[row.key for row in rows], *([_work_key(r, f) for r in rows] for f in _WORK_KEYS)]
            )
            return {key for (key,) in cursor.fetchall()}

    def stored_papers(self, keys: list[str]) -> dict[str, _StoredPaper]:
        stored, by_pk = {}, {}
        with connection.cursor() as cursor:
            cursor.execute(self.stored_papers_sql, [keys])
            for key, pk, venue_id, *record_values in cursor.fetchall():
                for position in self.json_positions:
                    record_values[position] = json.loads(record_values[position])
                stored[key] = by_pk[pk] = _StoredPaper(pk, tuple(record_values), venue_id, [])
            if by_pk:
                cursor.execute(self.stored_authors_sql, [list(by_pk)])
                for paper_id, name in cursor.fetchall():
                    by_pk[paper_id].authors.append(name)
        return stored

    def begin_batch(self) -> None:
        # No JIT compiling for this transaction: the batch's set queries of thousands of values cost enough to
        # trigger it, and compiling took longer (25 ms a query) than the probes it was meant to speed up.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")

    def after_batch(self, created: int, *, last: bool = False) -> None:
        """ANALYZE the tables when they have grown enough (outside any batch transaction)."""
        self.created_since_analyze += created
        if self.rows_at_analyze is None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = %s::regclass",
                    [Paper._meta.db_table],
                )
                self.rows_at_analyze = cursor.fetchone()[0]
        # At the end too, unless the import was small for the table: the site's queries get sound plans at once.
        small = max(1000, self.rows_at_analyze // 10)
        threshold = small if last else max(self.ANALYZE_AFTER, self.rows_at_analyze)
        if self.created_since_analyze >= threshold:
            with transaction.atomic(), connection.cursor() as cursor:
                # A small sample: ten times cheaper than the default one (0.06 s instead of 0.7 s for 100,000
                # papers) and enough for these plans; autovacuum's own ANALYZE refines it within minutes.
                cursor.execute("SET LOCAL default_statistics_target = 10")
                cursor.execute(f"ANALYZE {self.paper_table}, {self.author_table}, {self.paper_author_table}")
            self.rows_at_analyze += self.created_since_analyze
            self.created_since_analyze = 0

    def insert_papers(self, inserts: list[tuple[_Row, int | None]]) -> dict[str, int]:
        if not inserts:
            return {}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [Paper._meta.db_table, Paper._meta.pk.column, len(inserts)],
            )
            pks = [pk for (pk,) in cursor.fetchall()]
            now = copy_value(timezone.now())
            lines = (
                self.copy_lines.paper_line(pk, venue_id, row.paper_copy_text, now)
                for pk, (row, venue_id) in zip(pks, inserts, strict=True)
            )
            copy_from(cursor, self.paper_table, self.copy_lines.paper_columns, lines)
        return {row.key: pk for pk, (row, _) in zip(pks, inserts, strict=True)}

    def author_ids(self, names: list[str]) -> dict[str, int]:
        """name -> Author id: the stored authors read in one query, the missing ones COPYed with ids drawn from
        the sequence first. Should another writer store one of these names meanwhile, the unique constraint
        refuses the COPY, which is undone (savepoint) and redone as INSERT ... ON CONFLICT DO NOTHING."""
        with connection.cursor() as cursor:
            ids = self._stored_authors(cursor, names)
            missing = [name for name in names if name not in ids]
            if not missing:
                return ids
            try:
                with transaction.atomic():
                    ids.update(self._copy_authors(cursor, missing))
            except IntegrityError:
                ids.update(self._insert_authors(cursor, missing))
        return ids

    def _stored_authors(self, cursor, names: list[str]) -> dict[str, int]:
        table, name, pk = self.author_table, quoted_columns(Author, "name"), quoted_columns(Author, "id")
        cursor.execute(f"SELECT {name}, {pk} FROM {table} WHERE {name} = ANY(%s)", [names])
        return dict(cursor.fetchall())

    def _copy_authors(self, cursor, names: list[str]) -> dict[str, int]:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [Author._meta.db_table, Author._meta.pk.column, len(names)],
        )
        pks = [pk for (pk,) in cursor.fetchall()]
        lines = (self.copy_lines.author_line(pk, name) for pk, name in zip(pks, names, strict=True))
        try:
            copy_from(cursor, self.author_table, self.copy_lines.author_columns, lines)
        except connection.Database.IntegrityError as exc:
            raise IntegrityError(*exc.args) from exc
        return dict(zip(names, pks, strict=True))

    def _insert_authors(self, cursor, names: list[str]) -> dict[str, int]:
        """The missing authors stored with INSERT ... ON CONFLICT DO NOTHING, tolerating those stored meanwhile."""
        table, name, pk = self.author_table, quoted_columns(Author, "name"), quoted_columns(Author, "id")
        defaults = ", %s" * len(self.author_defaults)
        cursor.execute(
            f"INSERT INTO {table} ({self.author_columns}) "
            f"SELECT n, nn{defaults} FROM unnest(%s::text[], %s::text[]) AS t(n, nn) "
            f"ON CONFLICT ({name}) DO NOTHING RETURNING {name}, {pk}",
            [*self.author_defaults, names, [normalize_name(name) for name in names]],
        )
        ids = dict(cursor.fetchall())
        raced = [name for name in names if name not in ids]  # stored by another writer meanwhile
        if raced:
            ids.update(self._stored_authors(cursor, raced))
        return ids

    def replace_paper_authors(self, *, clear: list[int], rows: Iterable[tuple[int, int, int]]) -> None:
        table = self.paper_author_table
        with connection.cursor() as cursor:
            if clear:
                cursor.execute(f"DELETE FROM {table} WHERE {quoted_columns(PaperAuthor, 'paper')} = ANY(%s)", [clear])
            lines = (self.copy_lines.paper_author_line(paper, author, position) for paper, author, position in rows)
            copy_from(cursor, table, self.copy_lines.paper_author_columns, lines)
