"""snapshot_import: the records of an arXiv snapshot stored a batch at a time, thousands of papers per transaction.

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
Each batch is one transaction: a batch the database refuses is rolled back whole, each of its records is reported
as skipped, and the import goes on with the next. The writer stores what the batch decided: on Postgres with
psycopg2 new papers, new authors and author rows go in with COPY, ids drawn from the sequences first
(postgres_writer.py); on other databases the same steps use bulk_create (orm_writer.py).

Speed: the records are parsed, checked and prepared (author lists, normalized title, COPY text) by a reader
that runs ahead (read_ahead.py), a forked process for the import command (a thread otherwise), so that this work
overlaps the database's; the calling thread only talks to the database. bench/import_bench.py measures it.
"""

import operator
import time
from collections import Counter
from collections.abc import Callable, Iterable

from django.db import DataError, IntegrityError, connection, transaction

from shortscience import page_cache
from shortscience.progress import Progress

from .. import tasks
from ..importers.records import ImportProblem, PaperRecord, shorten_author_names
from ..models import Paper, Venue, VenueYear, authors_text_of
from ..services import ImportResult, Outcome
from ..works import works_link
from .orm_writer import IN_CHUNK, OrmWriter, chunks
from .postgres_writer import PostgresWriter, postgres_copy_available
from .read_ahead import read_ahead
from .rows import WORK_KEYS, YEAR, Row, work_key

_EMPTY = ("", None, [])
_STRING_FIELDS = ("bibtex_key", "title", "abstract", "published_in", "entry_type", "source", "arxiv_id", "doi")
_MAX_LENGTHS = {
    name: Paper._meta.get_field(name).max_length for name in _STRING_FIELDS if Paper._meta.get_field(name).max_length
}
_string_fields = operator.attrgetter(*_STRING_FIELDS)  # record -> tuple of those values, in one call
_LIMITED_FIELDS = tuple(
    (position, name, _MAX_LENGTHS[name]) for position, name in enumerate(_STRING_FIELDS) if name in _MAX_LENGTHS
)
_MAX_AUTHORS = 32767  # PaperAuthor.position is a PositiveSmallIntegerField
# A long import enqueues the search vector fill this often (seconds) as it goes, so that a worker makes the
# vectors of the batches written so far while the rest is imported: the papers are searchable minutes after their
# batch rather than after the whole file. One more is enqueued at the end.
SEARCH_FILL_EVERY = 30


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
    writer = writer_for_connection()
    venues = _Venues(dry_run=dry_run)

    def report(problem: ImportProblem) -> None:
        result.report(problem)
        if on_problem:
            on_problem(problem)

    def prepare(record: PaperRecord) -> Row | ImportProblem | list:  # in the reader: pure Python, no database
        note = shorten_author_names(record)
        prepared = _record_problem(record) or writer.prepare(record)
        return [prepared, note] if note and not isinstance(prepared, ImportProblem) else prepared

    batches = read_ahead(items, batch_size, prepare, in_process=read_in_process, position=position)
    fill_enqueued_at, written_then = time.monotonic(), 0
    for rows, problems, read in batches:
        for problem in problems:
            report(problem)
        if rows:
            _run_batch(rows, writer=writer, venues=venues, dry_run=dry_run, result=result, report=report)
        written = result.created + result.updated
        if not dry_run and written > written_then and time.monotonic() - fill_enqueued_at >= SEARCH_FILL_EVERY:
            tasks.paper_search_vectors_fill.enqueue()
            fill_enqueued_at, written_then = time.monotonic(), written
        if progress:
            progress.step(len(rows) + sum(not problem.kept for problem in problems), position=read)
    if not dry_run and result.created:
        writer.after_batch(0, last=True)
    if progress:
        progress.write()
    if not dry_run and (result.created or result.updated):
        page_cache.invalidate(page_cache.SITE)  # once: the pages of many papers and venues may show them
        tasks.paper_search_vectors_fill.enqueue()  # the vectors the batches left NULL (search_vectors_defer)
    return result


def writer_for_connection() -> OrmWriter:
    """The COPY writer on Postgres with psycopg2, the portable one elsewhere."""
    return PostgresWriter() if postgres_copy_available() else OrmWriter()


def _record_problem(record: PaperRecord) -> ImportProblem | None:
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
    return None


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


def _run_batch(
    batch: list[Row],
    *,
    writer: OrmWriter,
    venues: _Venues,
    dry_run: bool,
    result: ImportResult,
    report: Callable[[ImportProblem], None],
) -> None:
    rows: dict[str, Row] = {}
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
    result.count(Outcome.CREATED, created)
    result.count(Outcome.UPDATED, updated)
    result.count(Outcome.UNCHANGED, unchanged)
    if not dry_run:
        writer.after_batch(created)


def _write_batch(
    rows: dict[str, Row], venue_ids: dict, *, writer: OrmWriter, dry_run: bool
) -> tuple[int, int, int, list]:
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
        writer.end_batch()
        return created, updated, unchanged, []

    vanished = []
    present = {}
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
        # New papers were written with theirs; the stored ones' changed lists regenerate their search vectors.
        writer.set_authors_text(
            {ids[key]: authors_text_of(names) for key, names in author_lists.items() if key in stored}
        )
    # As paper_upsert does for each paper it writes, less the papers that cannot share a work with another.
    works_link(paper_ids=[ids[key] for key in sharing] + _may_share_a_work([ids[key] for key in changed]))
    VenueYear.objects.papers_moved(_count_changes(inserts, updates, present))
    writer.end_batch()
    return created, updated, unchanged, vanished


def _count_changes(inserts: list, updates: list, locked: dict) -> Counter:
    """What a batch changes in the stored paper counts (VenueYear): +1 at each new paper's (venue, year), and for
    each updated paper whose venue or year moved, -1 where it was (as locked) and +1 where it is now. Bulk writes
    bypass Paper.save, which does this for one paper."""
    changes = Counter((venue_id, row.record_values[YEAR]) for row, venue_id in inserts)
    for _key, merged, venue_id, pk in updates:
        was, now = locked[pk], (venue_id, merged[YEAR])
        if was != now:
            changes[was] -= 1
            changes[now] += 1
    return changes


def _new_papers_that_may_share_a_work(rows: list[Row], writer: OrmWriter) -> list[str]:
    """The keys of the new papers among `rows` that share an arXiv id, a DOI or a normalized title with a stored
    paper or with one another (see _may_share_a_work), asked before they are written: an index probe that finds
    nothing, as it does for almost every new paper, costs a fraction of one that finds the paper itself."""
    flagged = writer.sharing_stored_keys(rows)
    for field in WORK_KEYS:
        seen: dict[str, str] = {}
        for row in rows:
            value = work_key(row, field)
            if value:
                if value in seen:
                    flagged.update((row.key, seen[value]))
                seen.setdefault(value, row.key)
    return [row.key for row in rows if row.key in flagged]


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
        for column in (connection.ops.quote_name(Paper._meta.get_field(name).column) for name in WORK_KEYS)
    )
    found, postgres = [], connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for chunk in chunks(paper_ids, 10_000 if postgres else IN_CHUNK):
            if postgres:
                cursor.execute(f"SELECT p.id FROM {paper} p WHERE p.id = ANY(%s) AND ({conditions})", [chunk])
            else:
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"SELECT p.id FROM {paper} p WHERE p.id IN ({marks}) AND ({conditions})", chunk)
            found += [pk for (pk,) in cursor.fetchall()]
    return found
