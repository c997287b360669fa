"""The Kaggle/Cornell arXiv metadata snapshot (arxiv-metadata-oai-snapshot.json, JSON Lines) as PaperRecords.

Pure and streaming: `iter_snapshot` reads one line at a time and yields one PaperRecord or ImportProblem per
line, so memory stays flat on the multi-gigabyte file. `open_snapshot` opens plain or gzip-compressed files
(recognised by their content, not their name) and says how far into the file reading has got.

Fields are read as the OAI importer reads them, so that a paper imported either way is stored identically:
published = date of v1, updated = date of the last version (not `update_date`, which is a metadata timestamp),
authors from `authors_parsed` ("First Last Suffix", TeX accents decoded) or, without it, the author string.
"""

import gzip
import json
import os
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..identifiers import arxiv_bibtex_key, parse_arxiv_id
from .arxiv_metadata import ARXIV_VENUE_NAME, split_arxiv_authors, tidy_author_name
from .records import ImportProblem, PaperRecord, Source
from .text import first_doi, iso_date, one_line, rfc2822_date

GZIP_MAGIC = b"\x1f\x8b"
_NOT_AUTHORS = {"et al", "et al.", "others"}


class SnapshotFile:
    """An open snapshot file. Iterating gives its lines (bytes); `position` / `size` count bytes on disk
    (compressed bytes for a .gz), for progress reports."""

    def __init__(self, path):
        self.path = Path(path)
        self.raw = open(self.path, "rb", buffering=1 << 20)  # noqa: SIM115 -- closed by close() / __exit__
        self.compressed = self.raw.peek(2)[:2] == GZIP_MAGIC
        self.stream = gzip.GzipFile(fileobj=self.raw, mode="rb") if self.compressed else self.raw
        self.size = os.fstat(self.raw.fileno()).st_size

    def __iter__(self):
        return iter(self.stream)

    @property
    def position(self) -> int:
        return self.raw.tell()

    def close(self) -> None:
        if self.stream is not self.raw:
            self.stream.close()
        self.raw.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def open_snapshot(path) -> SnapshotFile:
    """Open a snapshot file, .jsonl or .jsonl.gz. Use as a context manager; pass it to `iter_snapshot`."""
    return SnapshotFile(path)


def iter_snapshot(stream: Iterable[bytes | str]) -> Iterator[PaperRecord | ImportProblem]:
    """One PaperRecord or ImportProblem per non-blank line of `stream`, in order; never raises on bad input.

    A line that is not JSON, or lacks an id or a title, gives ImportProblem(ref="line N", line=N). A file that
    ends inside its gzip stream gives a last ImportProblem "truncated gzip after line N".
    """
    lines = iter(stream)
    number = 0
    while True:
        try:
            line = next(lines)
        except StopIteration:
            return
        except EOFError as exc:
            reason = f"truncated gzip after line {number} ({exc})"
            yield ImportProblem(f"line {number + 1}", reason, line=number + 1)
            return
        except (OSError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
            reason = f"unreadable after line {number} ({exc})"
            yield ImportProblem(f"line {number + 1}", reason, line=number + 1)
            return
        number += 1
        if line.isspace() or not line:
            continue
        yield record_from_line(line, number)


def record_from_line(line: bytes | str, number: int) -> PaperRecord | ImportProblem:
    """The paper on one snapshot line, or the reason it cannot be read."""
    ref = f"line {number}"
    try:
        data = json.loads(line)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        return ImportProblem(ref, f"not JSON ({exc})", line=number)
    if not isinstance(data, dict):
        return ImportProblem(ref, f"not a JSON object but {type(data).__name__}", line=number)
    raw_id = data.get("id")
    if not raw_id or not isinstance(raw_id, str):
        return ImportProblem(ref, "no id", line=number)
    arxiv_id = parse_arxiv_id(raw_id)
    if not arxiv_id:
        return ImportProblem(ref, f"not an arXiv id: {raw_id!r}", line=number)
    title = data.get("title")
    title = one_line(title) if isinstance(title, str) else ""
    if not title:
        return ImportProblem(ref, f"{arxiv_id} has no title", line=number)
    try:
        published, updated = _version_dates(data.get("versions"))
        if updated is None:
            updated = iso_date(data.get("update_date"))
        abstract = data.get("abstract")
        categories = data.get("categories")
        return PaperRecord(
            bibtex_key=arxiv_bibtex_key(arxiv_id),
            title=title,
            source=Source.ARXIV.value,
            authors=_authors(data),
            abstract=one_line(abstract) if isinstance(abstract, str) else "",
            year=published.year if published else None,
            published=published,
            updated=updated,
            published_in=ARXIV_VENUE_NAME,
            arxiv_id=arxiv_id,
            doi=first_doi(data.get("doi")),
            urls=[f"https://arxiv.org/abs/{arxiv_id}"],
            keywords=categories.split() if isinstance(categories, str) else [],
        )
    except (TypeError, ValueError, AttributeError) as exc:  # a field of an unexpected type
        return ImportProblem(ref, f"{arxiv_id}: unreadable field ({type(exc).__name__}: {exc})", line=number)


def _version_dates(versions) -> tuple:
    """(date of v1, date of the last version) from [{"version": "v1", "created": "Mon, 2 Apr 2007 ..."}]."""
    if not versions:
        return None, None
    first, last = versions[0], versions[-1]
    if first.get("version") == "v1" and last.get("version") == f"v{len(versions)}":  # in order, as usual
        return rfc2822_date(first.get("created")), rfc2822_date(last.get("created"))
    dated = []  # out of order or oddly labelled: sort by number
    for position, version in enumerate(versions):
        label = version.get("version") or ""
        number = int(label[1:]) if label[1:].isdigit() else position
        date = rfc2822_date(version.get("created"))
        if date:
            dated.append((number, date))
    if not dated:
        return None, None
    dated.sort()
    return dated[0][1], dated[-1][1]


def _authors(data: dict) -> list[str]:
    parsed = data.get("authors_parsed")
    if not parsed:
        authors = data.get("authors")
        return split_arxiv_authors(authors) if isinstance(authors, str) else []
    names = []
    for parts in parsed:  # [last, first, suffix, affiliation...]
        last, first, suffix = parts[:3] if len(parts) >= 3 else (*parts, "", "", "")[:3]
        if not (last.__class__ is str and first.__class__ is str and suffix.__class__ is str):
            last, first, suffix = (part if isinstance(part, str) else "" for part in (last, first, suffix))
        name = f"{first} {last}" if first and last else first or last
        if suffix:
            name = f"{name} {suffix}"
        name = tidy_author_name(name)
        if name and (len(name) > 7 or name.lower() not in _NOT_AUTHORS):
            names.append(name)
    return names
