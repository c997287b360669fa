"""The writer of a bulk import on Postgres with psycopg2, PostgresWriter: COPY for what is new, set queries for
what is stored, and statistics kept up as the tables grow."""

import json
from collections.abc import Iterable

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from ..identifiers import normalize_name
from ..models import Author, Paper, PaperAuthor
from ..services import RECORD_FIELDS
from .copy_format import CopyLines, copy_from, copy_value, quoted_columns, unwritten_fields
from .orm_writer import OrmWriter, search_vectors_defer
from .rows import WORK_KEYS, Row, StoredPaper, work_key


def postgres_copy_available() -> bool:
    """Whether the database connection can COPY: Postgres with psycopg2."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        return hasattr(cursor.cursor, "copy_expert")  # psycopg2; psycopg 3 gets the portable writer


class PostgresWriter(OrmWriter):
    """Postgres with psycopg2: new papers, authors and PaperAuthor rows by COPY (authors by INSERT ... ON CONFLICT
    when another writer stored one meanwhile), what is stored read back in two set queries per batch, and
    statistics refreshed as the tables grow."""

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
        self.author_insert_columns = quoted_columns(Author, "name", "name_normalized", *(n for n, _ in other))
        self.author_insert_defaults = [value for _, value in other]
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
        columns = [quoted_columns(Paper, name) for name in WORK_KEYS]
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

    def paper_copy_text(self, key: str, record_values: tuple, title_normalized: str, authors_text: str) -> str:
        return self.copy_lines.paper_copy_text(key, record_values, title_normalized, authors_text)

    def sharing_stored_keys(self, rows: list[Row]) -> set[str]:
        # One index probe per value, whatever the table's size: `OFFSET 0` keeps the planner from turning each
        # EXISTS into a hashed subplan that reads the whole table (which it chose, as for `= ANY` of thousands of
        # values); `<> ''` lets the partial indexes serve.
        if not rows:
            return set()
        with connection.cursor() as cursor:
            cursor.execute(
                self.sharing_sql, [[row.key for row in rows], *([work_key(r, f) for r in rows] for f in WORK_KEYS)]
            )
            return {key for (key,) in cursor.fetchall()}

    def stored_papers(self, keys: list[str]) -> dict[str, StoredPaper]:
        stored, by_pk = {}, {}
        with connection.cursor() as cursor:
            cursor.execute(self.stored_papers_sql, [keys])
            for key, pk, venue_id, *record_values in cursor.fetchall():
                for position in self.json_positions:
                    record_values[position] = json.loads(record_values[position])
                stored[key] = by_pk[pk] = StoredPaper(pk, tuple(record_values), venue_id, [])
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
        search_vectors_defer()

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

    def insert_papers(self, inserts: list[tuple[Row, int | None]]) -> dict[str, int]:
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
            ids = self.stored_author_ids(cursor, names)
            missing = [name for name in names if name not in ids]
            if not missing:
                return ids
            try:
                with transaction.atomic():
                    ids.update(self._copy_authors(cursor, missing))
            except IntegrityError:
                ids.update(self._insert_authors(cursor, missing))
        return ids

    def stored_author_ids(self, cursor, names: list[str]) -> dict[str, int]:
        """name -> Author id of the stored authors among `names`."""
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
        defaults = ", %s" * len(self.author_insert_defaults)
        cursor.execute(
            f"INSERT INTO {table} ({self.author_insert_columns}) "
            f"SELECT n, nn{defaults} FROM unnest(%s::text[], %s::text[]) AS t(n, nn) "
            f"ON CONFLICT ({name}) DO NOTHING RETURNING {name}, {pk}",
            [*self.author_insert_defaults, names, [normalize_name(name) for name in names]],
        )
        ids = dict(cursor.fetchall())
        raced = [name for name in names if name not in ids]  # stored by another writer meanwhile
        if raced:
            ids.update(self.stored_author_ids(cursor, raced))
        return ids

    def replace_paper_authors(self, *, clear: list[int], rows: Iterable[tuple[int, int, int]]) -> None:
        table = self.paper_author_table
        with connection.cursor() as cursor:
            if clear:
                cursor.execute(f"DELETE FROM {table} WHERE {quoted_columns(PaperAuthor, 'paper')} = ANY(%s)", [clear])
            lines = (self.copy_lines.paper_author_line(paper, author, position) for paper, author, position in rows)
            copy_from(cursor, table, self.copy_lines.paper_author_columns, lines)

    def set_authors_text(self, texts: dict[int, str]) -> None:
        if not texts:
            return
        table, pk, text = (
            self.paper_table,
            quoted_columns(Paper, "id", alias="p"),
            quoted_columns(Paper, "authors_text"),
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} p SET {text} = v.t "
                f"FROM unnest(%s::bigint[], %s::text[]) AS v(pk, t) WHERE {pk} = v.pk",
                [list(texts), list(texts.values())],
            )
