"""What passes between the parts of a bulk import: each record as the reader prepared it (Row), each stored paper
as a batch read it (StoredPaper), and the values on which papers are linked into works."""

import operator
from dataclasses import dataclass
from typing import NamedTuple

from ..services import RECORD_FIELDS

record_values_of = operator.attrgetter(*RECORD_FIELDS)  # record -> its RECORD_FIELDS values, in that order
WORK_KEYS = ("arxiv_id", "doi", "title_normalized")  # what works.works_link matches papers on
_RECORD_POSITION = {name: position for position, name in enumerate(RECORD_FIELDS)}


class Row(NamedTuple):
    """A checked record with what storing it needs, computed ahead by the reader (a tuple: quick to pickle)."""

    key: str
    record_values: tuple  # the record's RECORD_FIELDS, in that order
    authors: list[str]  # stripped, the first occurrence of each name, in order
    venue_key: str | None  # journals/corr
    published_in: str
    title_normalized: str
    paper_copy_text: str  # Postgres: the paper's COPY text after its id and venue_id columns ("" elsewhere)


@dataclass(slots=True)
class StoredPaper:
    """A paper as a batch read it before writing: its RECORD_FIELDS values (in the order of a Row's), its venue and
    its ordered author names."""

    pk: int
    record_values: tuple
    venue_id: int | None
    authors: list[str]


YEAR = _RECORD_POSITION["year"]  # where a Row's or StoredPaper's record_values hold the year


def work_key(row: Row, field: str) -> str:
    """The row's value of `field`, one of WORK_KEYS."""
    return row.title_normalized if field == "title_normalized" else row.record_values[_RECORD_POSITION[field]]
