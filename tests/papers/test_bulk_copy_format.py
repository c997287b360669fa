"""papers.bulk.copy_format: Postgres's COPY text format."""

import datetime
import json

import pytest

from papers.bulk.copy_format import CopyLines, copy_json, copy_text, copy_value
from papers.bulk.rows import record_values_of
from papers.importers.records import PaperRecord


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("plain text", "plain text"),
        ("back\\slash", "back\\\\slash"),
        ("line\nbreak\r", "line\\nbreak\\r"),
        ("tab\there", "tab\\there"),
        ("\\N", "\\\\N"),
    ],
)
def test_copy_text_escapes_what_copy_reads_as_a_separator(text, escaped):
    assert copy_text(text) == escaped


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "\\N"),
        (2007, "2007"),
        (datetime.date(2007, 4, 2), "2007-04-02"),
        (["cs.LG"], '["cs.LG"]'),
        ("a\tb", "a\\tb"),
    ],
)
def test_copy_value_writes_each_kind_of_value(value, text):
    assert copy_value(value) == text


def values(line: str) -> int:
    """The number of values in one COPY line."""
    assert line.endswith("\n") and "\n" not in line[:-1]
    return len(line[:-1].split("\t"))


def test_copy_lines_give_each_column_a_value():
    """The columns the import does not write (a paper's withdrawn flag, say) get their default in each line."""
    lines = CopyLines()
    record = PaperRecord(bibtex_key="journals/corr/0704.0001", title="A title", source="arxiv", urls=["u"])
    paper_copy_text = lines.paper_copy_text(record.bibtex_key, record_values_of(record), "a title", "C. Balázs")
    now = copy_value(datetime.datetime(2024, 1, 2, tzinfo=datetime.UTC))

    assert values(lines.paper_line(1, None, paper_copy_text, now)) == len(lines.paper_columns.split(", "))
    assert values(lines.author_line(2, "C. Balázs")) == len(lines.author_columns.split(", "))
    assert values(lines.paper_author_line(1, 2, 0)) == len(lines.paper_author_columns.split(", "))


@pytest.mark.parametrize(
    "value",
    [
        [],
        ["cs.LG"],
        ["https://arxiv.org/abs/0704.0001", "hep-ph"],
        ['a "quoted" word'],
        ["back\\slash"],
        ["Müller"],
        ["line\nbreak"],
        ["tab\there"],
        [1, 2],
        ["a", None],
    ],
)
def test_copy_json_writes_what_json_dumps_writes(value):
    assert copy_json(value) == copy_text(json.dumps(value))
