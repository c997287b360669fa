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
    source said it has no such entry (rather than failing to describe it)."""

    ref: str
    reason: str
    line: int | None = None
    missing: bool = False

    def __str__(self):
        where = f" (line {self.line})" if self.line and self.ref != f"line {self.line}" else ""
        return f"{self.ref}{where}: {self.reason}"
