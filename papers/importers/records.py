"""The plain records every importer produces (no Django in here: the bulk import's reader process uses them)."""

import datetime
import enum
from dataclasses import dataclass, field


class Source(enum.StrEnum):
    """Where a paper's record came from (Paper.source)."""

    ARXIV = "arxiv"
    BIBSONOMY = "bibsonomy"
    DBLP = "dblp"
    CROSSREF = "crossref"
    MANUAL = "manual"

    @property
    def label(self) -> str:
        return SOURCE_LABELS[self]


SOURCE_LABELS = {
    Source.ARXIV: "arXiv",
    Source.BIBSONOMY: "Bibsonomy",
    Source.DBLP: "dblp",
    Source.CROSSREF: "Crossref",
    Source.MANUAL: "Manual",
}


@dataclass
class PaperRecord:
    """One paper as a source describes it, ready to be upserted by `papers.services.paper_upsert`."""

    bibtex_key: str
    title: str
    source: str
    authors: list[str] = field(default_factory=list)
    abstract: str = ""
    year: int | None = None
    published: datetime.date | None = None
    updated: datetime.date | None = None
    published_in: str = ""
    entry_type: str = ""
    arxiv_id: str = ""
    doi: str = ""
    urls: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)


@dataclass
class ImportProblem:
    """An input entry that was skipped: `ref` names it (key, id, line), `reason` says why; `missing` when the
    source said it has no such entry (rather than failing to describe it); `kept` when it was stored after all,
    changed to fit (what ImportResult.notes lists)."""

    ref: str
    reason: str
    line: int | None = None
    missing: bool = False
    kept: bool = False  # not a skip: the entry was stored, changed as `reason` says (a name shortened, say)

    def __str__(self):
        where = f" (line {self.line})" if self.line and self.ref != f"line {self.line}" else ""
        return f"{self.ref}{where}: {self.reason}"


AUTHOR_NAME_MAX = 300  # the characters papers.models.Author.name holds
ELLIPSIS = "…"


def shorten_author_names(record: PaperRecord) -> ImportProblem | None:
    """Author names longer than AUTHOR_NAME_MAX, shortened in `record` to fit with an ellipsis (a garbled name is
    no reason to lose the paper); the note says which, for the import's report. None when all fit."""
    long = [i for i, name in enumerate(record.authors) if len(name.strip()) > AUTHOR_NAME_MAX]
    if not long:
        return None
    for i in long:
        record.authors[i] = record.authors[i].strip()[: AUTHOR_NAME_MAX - 1].rstrip() + ELLIPSIS
    shown = record.authors[long[0]][:60]
    count = "an author name" if len(long) == 1 else f"{len(long)} author names"
    return ImportProblem(
        record.bibtex_key or "record",
        f"{count} longer than {AUTHOR_NAME_MAX} characters shortened: {shown}…",
        kept=True,
    )
