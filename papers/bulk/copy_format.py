"""Postgres COPY text format for the bulk import: values escaped (copy_text, copy_value, copy_json), the lines and
columns of the three tables it COPYs into (CopyLines), and copy_from, which sends lines as they are made."""

import io
import itertools
import json
from collections.abc import Callable, Iterable

from django.db import connection, models

from ..identifiers import normalize_name
from ..models import Author, Paper, PaperAuthor
from ..services import RECORD_FIELDS

_READ_SIZE = 1 << 16  # characters per read of a COPY's lines


def copy_text(text: str) -> str:
    """`text` escaped for COPY's text format."""
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    if "\n" in text or "\r" in text or "\t" in text:
        text = text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return text


def copy_value(value) -> str:
    """A Python value (str, int, date, datetime, list for JSON, or None) in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return copy_text(value)
    if isinstance(value, list):
        return copy_json(value)
    return str(value)


def copy_json(value: list) -> str:
    """A list as the JSON text json.dumps writes, in COPY's text format."""
    if value.__class__ is list:
        try:
            plain = "".join(value)
        except TypeError:  # not all strings
            pass
        else:  # the usual list of plain strings (URLs, categories): what json.dumps writes, a few times faster
            if plain.isascii() and plain.isprintable() and '"' not in plain and "\\" not in plain:
                return '["' + '", "'.join(value) + '"]' if value else "[]"
    return copy_text(json.dumps(value))


def _copy_scalar(value) -> str:
    return "\\N" if value is None else str(value)


def _record_converter(name: str) -> Callable[[object], str]:
    """The function that writes the record field `name` in COPY's text format (the same as copy_value)."""
    field = Paper._meta.get_field(name)
    if isinstance(field, models.JSONField):
        return copy_json
    if isinstance(field, (models.CharField, models.TextField)):
        return copy_text  # never None in a PaperRecord
    return _copy_scalar


_RECORD_CONVERTERS = tuple(_record_converter(name) for name in RECORD_FIELDS)


def quoted_columns(model, *names: str, alias: str = "") -> str:
    """The columns of the fields `names` of `model`, quoted and comma-separated, for SQL or a COPY."""
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + connection.ops.quote_name(model._meta.get_field(name).column) for name in names)


def unwritten_fields(model, written: set[str]) -> list[tuple[str, object]]:
    """(name, default) of the concrete fields a raw INSERT or COPY must fill besides `written`: bulk SQL gets
    none of Django's Python-side defaults (a BooleanField(default=False) is NOT NULL without a database default).
    Fields with a database default of their own, and generated ones (the search vector), are left to it."""
    fields = []
    for field in model._meta.concrete_fields:
        if field.name in written or field.primary_key or field.generated:
            continue
        if field.has_db_default() and not field.has_default():
            continue
        fields.append((field.name, field.get_default()))
    return fields


def _copy_defaults(model, fields: list[tuple[str, object]]) -> str:
    """The text that ends each line of `model`: the defaults of `fields` (unwritten_fields), each after a tab."""
    return "".join(f"\t{_copy_default(model, name, value)}" for name, value in fields)


def _copy_default(model, field_name: str, value) -> str:
    if value is None:
        return "\\N"
    if isinstance(model._meta.get_field(field_name), models.JSONField):
        return copy_text(json.dumps(value))
    if isinstance(value, bool):
        return "t" if value else "f"
    return copy_value(value)


class CopyLines:
    """The lines the import COPYs, one per new paper, new author or author row, and the columns they fill (the
    ones the import does not write hold their defaults)."""

    def __init__(self):
        written = {"id", "venue", "bibtex_key", *RECORD_FIELDS, "title_normalized", "authors_text"}
        written |= {"created_at", "modified_at"}
        other = unwritten_fields(Paper, written)  # e.g. work (None) and withdrawn (False)
        self.paper_columns = quoted_columns(
            Paper,
            "id",
            "venue",
            "bibtex_key",
            *RECORD_FIELDS,
            "title_normalized",
            "authors_text",
            *(name for name, _ in other),
            "created_at",
            "modified_at",
        )
        self._paper_defaults = _copy_defaults(Paper, other)
        other = unwritten_fields(Author, {"name", "name_normalized"})
        self.author_columns = quoted_columns(Author, "id", "name", "name_normalized", *(name for name, _ in other))
        self._author_defaults = _copy_defaults(Author, other)
        other = unwritten_fields(PaperAuthor, {"paper", "author", "position"})
        self.paper_author_columns = quoted_columns(
            PaperAuthor, "paper", "author", "position", *(name for name, _ in other)
        )
        self._paper_author_defaults = _copy_defaults(PaperAuthor, other)

    def paper_copy_text(self, key: str, record_values: tuple, title_normalized: str, authors_text: str) -> str:
        """The paper's COPY text after its id and venue_id columns (the reader makes it, ahead of the writer):
        its key, the record's RECORD_FIELDS values (in that order), its normalized title and its authors' names
        (Paper.authors_text, from which Postgres generates the search vector as the row is stored)."""
        columns = [copy_text(key)]
        columns += [convert(value) for convert, value in zip(_RECORD_CONVERTERS, record_values, strict=True)]
        columns.append(copy_text(title_normalized))
        columns.append(copy_text(authors_text))
        return "\t".join(columns)

    def paper_line(self, pk: int, venue_id: int | None, paper_copy_text: str, now: str) -> str:
        """One new paper, for `paper_columns`; `now` is the time of its creation, in COPY text (copy_value)."""
        return f"{pk}\t{copy_value(venue_id)}\t{paper_copy_text}{self._paper_defaults}\t{now}\t{now}\n"

    def author_line(self, pk: int, name: str) -> str:
        """One new author, for `author_columns`."""
        return f"{pk}\t{copy_text(name)}\t{copy_text(normalize_name(name))}{self._author_defaults}\n"

    def paper_author_line(self, paper: int, author: int, position: int) -> str:
        """One author row, for `paper_author_columns`."""
        return f"{paper}\t{author}\t{position}{self._paper_author_defaults}\n"


class _LineStream(io.TextIOBase):
    """A read-only text file over an iterator of lines, made as they are read: with it COPY sends what is
    ready while the rest is still being written, and Postgres stores the first lines meanwhile."""

    def __init__(self, lines: Iterable[str]):
        self.lines = iter(lines)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> str:
        if size is None or size < 0:
            return "".join(self.lines)
        return "".join(itertools.islice(self.lines, max(1, size // 128)))  # about `size` characters


def copy_from(cursor, table: str, columns: str, lines: Iterable[str]) -> None:
    """COPY `lines` (text format, each ending in a newline) into `table` (`columns`), on a Django cursor."""
    cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", _LineStream(lines), size=_READ_SIZE)
