"""The portable writer of a bulk import, OrmWriter: bulk_create on SQLite, and on Postgres with psycopg 3.

Its methods are the steps every writer takes (batches._write_batch calls them, in a batch's transaction); the
Postgres writer (postgres_writer.py) does the same steps its own way.
"""

from collections.abc import Iterable, Iterator

from django.db import connection

from ..identifiers import normalize_name, normalize_title, venue_key_for
from ..importers.records import PaperRecord
from ..models import Author, Paper, PaperAuthor, authors_text_of
from ..services import RECORD_FIELDS
from .rows import WORK_KEYS, Row, StoredPaper, record_values_of, work_key

IN_CHUNK = 2000  # parameters per `IN (...)` lookup: well under SQLite's limit


def chunks(items: list, size: int = IN_CHUNK) -> Iterator[list]:
    """`items` in lists of at most `size`, for `IN (...)` lookups."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def search_vectors_defer(defer: bool = True) -> None:
    """Have Postgres leave the search vectors of the papers this transaction writes NULL (the trigger of
    papers/migrations/0010_search_vector.py), until called with False: making them would cost more than the rest
    of the import, so paper_search_vectors_fill, a job the import enqueues as it goes
    and at its end (batches.snapshot_import), makes them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('shortscience.search_deferred', %s, true)", ["on" if defer else "off"])


def _author_names(record: PaperRecord) -> list[str]:
    """The record's authors as paper_upsert stores them: stripped, first occurrence of each name kept."""
    names = record.authors
    if "\x00" in "".join(names):
        names = [name.replace("\x00", "") for name in names]
    return list(dict.fromkeys(filter(None, [name.strip() for name in names])))


def _paper(key: str, record_values: tuple, venue_id, pk=None, authors: list[str] = ()) -> Paper:
    paper = Paper(pk=pk, bibtex_key=key, venue_id=venue_id, **dict(zip(RECORD_FIELDS, record_values, strict=True)))
    paper.authors_text = authors_text_of(authors)
    paper.title_normalized = normalize_title(paper.title)
    return paper


class OrmWriter:
    """The portable writer: bulk_create with update_conflicts / ignore_conflicts (SQLite and Postgres)."""

    def prepare(self, record: PaperRecord) -> Row:
        """Runs in the reader: pure Python, no database."""
        record_values, title_normalized = record_values_of(record), normalize_title(record.title)
        authors = _author_names(record)
        return Row(
            key=record.bibtex_key,
            record_values=record_values,
            authors=authors,
            venue_key=venue_key_for(record.bibtex_key),
            published_in=record.published_in,
            title_normalized=title_normalized,
            paper_copy_text=self.paper_copy_text(
                record.bibtex_key, record_values, title_normalized, authors_text_of(authors)
            ),
        )

    def paper_copy_text(self, key: str, record_values: tuple, title_normalized: str, authors_text: str) -> str:
        """What a row holds for the COPY of its paper: nothing here (see PostgresWriter)."""
        return ""

    def begin_batch(self) -> None:
        """Called first in each batch's transaction."""
        search_vectors_defer()

    def end_batch(self) -> None:
        """Called last in each batch's transaction (which may be part of a caller's)."""
        search_vectors_defer(False)

    def after_batch(self, created: int, *, last: bool = False) -> None:
        """Called after each committed batch (and once at the end, with last=True)."""

    def stored_papers(self, keys: list[str]) -> dict[str, StoredPaper]:
        """The papers already stored under `keys`, with their ordered author names."""
        stored: dict[str, StoredPaper] = {}
        for chunk in chunks(keys):
            rows = Paper.objects.filter(bibtex_key__in=chunk).values_list(
                "bibtex_key", "id", "venue_id", *RECORD_FIELDS
            )
            for key, pk, venue_id, *record_values in rows:
                stored[key] = StoredPaper(pk, tuple(record_values), venue_id, [])
        by_pk = {paper.pk: paper for paper in stored.values()}
        for chunk in chunks(list(by_pk)):
            rows = (
                PaperAuthor.objects.filter(paper_id__in=chunk)
                .order_by("paper_id", "position")
                .values_list("paper_id", "author__name")
            )
            for paper_id, name in rows:
                by_pk[paper_id].authors.append(name)
        return stored

    def sharing_stored_keys(self, rows: list[Row]) -> set[str]:
        """The keys of `rows` with an arXiv id, a DOI or a normalized title that a stored paper has too."""
        keys = set()
        for field in WORK_KEYS:
            by_value: dict[str, list[str]] = {}
            for row in rows:
                if value := work_key(row, field):
                    by_value.setdefault(value, []).append(row.key)
            for chunk in chunks(list(by_value)):
                for value in Paper.objects.filter(**{f"{field}__in": chunk}).values_list(field, flat=True):
                    keys.update(by_value.get(value, ()))
        return keys

    def lock_papers(self, pks: list[int]) -> dict[int, tuple[int | None, int | None]]:
        """Lock the papers `pks` until the end of the transaction; returns those that still exist, each with its
        (venue id, year) as it is now (where VenueYear counts it)."""
        present = {}
        for chunk in chunks(pks):
            locked = Paper.objects.select_for_update(no_key=True).filter(pk__in=chunk)
            present.update(
                (pk, (venue_id, year)) for pk, venue_id, year in locked.values_list("pk", "venue_id", "year")
            )
        return present

    def insert_papers(self, inserts: list[tuple[Row, int | None]]) -> dict[str, int]:
        if not inserts:
            return {}
        self._upsert([_paper(row.key, row.record_values, venue_id, authors=row.authors) for row, venue_id in inserts])
        ids = {}
        for chunk in chunks([row.key for row, _ in inserts]):
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
        for chunk in chunks(names):
            ids.update(Author.objects.filter(name__in=chunk).values_list("name", "id"))
        return ids

    def replace_paper_authors(self, *, clear: list[int], rows: Iterable[tuple[int, int, int]]) -> None:
        for chunk in chunks(clear):
            PaperAuthor.objects.filter(paper_id__in=chunk).delete()
        PaperAuthor.objects.bulk_create(
            (
                PaperAuthor(paper_id=paper_id, author_id=author_id, position=position)
                for paper_id, author_id, position in rows
            ),
            batch_size=1000,
        )

    def set_authors_text(self, texts: dict[int, str]) -> None:
        """Set Paper.authors_text (which the search vector is generated from) of stored papers: {pk: text}."""
        Paper.objects.bulk_update(
            [Paper(pk=pk, authors_text=text) for pk, text in texts.items()], ["authors_text"], batch_size=500
        )
