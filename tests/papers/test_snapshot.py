"""papers.importers.snapshot: the Kaggle/Cornell arXiv metadata snapshot (JSON Lines), read line by line."""

import datetime
import gzip
import io
import json

import pytest

from papers.importers.records import ImportProblem, PaperRecord
from papers.importers.snapshot import iter_snapshot, open_snapshot, record_from_line

SNAPSHOT = "arxiv_snapshot/arxiv-metadata-oai-snapshot_lines001-020.jsonl"


def read_all(path) -> list:
    with open_snapshot(path) as snapshot:
        return list(iter_snapshot(snapshot))


def test_iter_snapshot_reads_the_real_excerpt(fixture_path):
    items = read_all(fixture_path(SNAPSHOT))

    assert all(isinstance(item, PaperRecord) for item in items)
    assert [item.bibtex_key for item in items] == [f"journals/corr/0704.{n:04d}" for n in range(1, 21)]
    first = items[0]
    assert first.title == "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    assert first.authors == ["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan"]
    assert first.published == datetime.date(2007, 4, 2)  # v1
    assert first.updated == datetime.date(2007, 7, 24)  # v2, not update_date (2008-11-26)
    assert first.year == 2007
    assert first.doi == "10.1103/physrevd.76.013009"
    assert first.keywords == ["hep-ph"]
    assert first.urls == ["https://arxiv.org/abs/0704.0001"]
    assert (first.published_in, first.source, first.arxiv_id) == ("arXiv", "arxiv", "0704.0001")
    assert first.abstract.startswith("A fully differential calculation in perturbative quantum chromodynamics is")
    assert "\n" not in first.abstract and "  " not in first.abstract


def test_iter_snapshot_null_doi_suffix_and_collaboration(fixture_path):
    by_id = {item.arxiv_id: item for item in read_all(fixture_path(SNAPSHOT))}

    assert by_id["0704.0002"].doi == ""
    assert by_id["0704.0002"].keywords == ["math.CO", "cs.CG"]
    assert "Neal J. Evans II" in by_id["0704.0009"].authors
    assert by_id["0704.0020"].authors == ["BABAR Collaboration", "B. Aubert"]


def test_record_from_line_decodes_tex_accents_in_names():
    line = json.dumps(
        {
            "id": "0704.0001",
            "title": "T",
            "authors_parsed": [["Bal\\'azs", "C.", ""], ['Gr\\"unberg', "H. H. von", ""], ["{\\AA}berg", "S.", ""]],
            "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}],
        }
    )

    record = record_from_line(line, 1)

    assert record.authors == ["C. Balázs", "H. H. von Grünberg", "S. Åberg"]


def test_record_from_line_without_authors_parsed_splits_the_author_string():
    line = json.dumps({"id": "hep-th/9901001", "title": "T", "authors": "A. One (MIT), B. Two and C. Three"})

    record = record_from_line(line, 1)

    assert record.authors == ["A. One", "B. Two", "C. Three"]
    assert record.bibtex_key == "journals/corr/hep-th/9901001"
    assert record.published is None and record.year is None


def test_record_from_line_versions_out_of_order_and_fallback_date():
    line = json.dumps(
        {
            "id": "0704.0001",
            "title": "T",
            "versions": [
                {"version": "v2", "created": "Tue, 24 Jul 2007 20:10:27 GMT"},
                {"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"},
            ],
        }
    )
    record = record_from_line(line, 1)
    assert (record.published, record.updated) == (datetime.date(2007, 4, 2), datetime.date(2007, 7, 24))

    no_versions = record_from_line(json.dumps({"id": "0704.0001", "title": "T", "update_date": "2008-11-26"}), 1)
    assert (no_versions.published, no_versions.updated) == (None, datetime.date(2008, 11, 26))


def test_iter_snapshot_bad_lines_are_problems_with_their_numbers(fixture_path):
    items = read_all(fixture_path("arxiv_snapshot/handmade_two_bad_lines.jsonl"))

    problems = [item for item in items if isinstance(item, ImportProblem)]
    records = [item for item in items if isinstance(item, PaperRecord)]
    assert [(p.ref, p.line) for p in problems] == [("line 6", 6), ("line 7", 7)]
    assert problems[0].reason.startswith("not JSON")
    assert problems[1].reason == "0704.9999 has no title"
    assert len(records) == 20
    assert records[5].arxiv_id == "0704.0006"  # the line after the bad ones


@pytest.mark.parametrize(
    "line, reason",
    [
        (b'{"title": "No id"}', "no id"),
        (b'{"id": "0704.0001"}', "0704.0001 has no title"),
        (b'{"id": "not an id", "title": "T"}', "not an arXiv id: 'not an id'"),
        (b'["a", "list"]', "not a JSON object but list"),
        (b'{"id": 704.0001, "title": "T"}', "no id"),  # a number, as a careless re-export writes it
        (b'{"id": "0704.0001", "title": "T", "versions": "v1"}', "0704.0001: unreadable field"),
        (b'{"id": "0704.0001", "title": "T", "authors_parsed": 5}', "0704.0001: unreadable field"),
        (b"\xff\xfe", "not JSON"),
    ],
)
def test_record_from_line_bad_input(line, reason):
    problem = record_from_line(line, 7)

    assert isinstance(problem, ImportProblem)
    assert problem.reason.startswith(reason)
    assert (problem.ref, problem.line) == ("line 7", 7)


def test_iter_snapshot_skips_blank_lines():
    lines = [b'{"id": "0704.0001", "title": "One"}\n', b"\n", b"   \n", b'{"id": "0704.0002", "title": "Two"}\n']

    assert [r.title for r in iter_snapshot(lines)] == ["One", "Two"]


def test_open_snapshot_reads_gzip_like_plain(fixture_path, tmp_path):
    plain = fixture_path(SNAPSHOT)
    compressed = tmp_path / "snapshot.jsonl.gz"
    compressed.write_bytes(gzip.compress(plain.read_bytes()))

    with open_snapshot(compressed) as snapshot:
        assert snapshot.compressed
        from_gzip = list(iter_snapshot(snapshot))
        assert snapshot.position == snapshot.size  # all compressed bytes read

    assert from_gzip == read_all(plain)


def test_open_snapshot_truncated_gzip_is_a_problem_not_a_traceback(fixture_path, tmp_path):
    data = gzip.compress(fixture_path(SNAPSHOT).read_bytes())
    truncated = tmp_path / "snapshot.jsonl.gz"
    truncated.write_bytes(data[: len(data) * 2 // 3])

    items = read_all(truncated)

    *records, problem = items
    assert 0 < len(records) < 20
    assert all(isinstance(r, PaperRecord) for r in records)
    assert isinstance(problem, ImportProblem)
    assert problem.reason.startswith(f"truncated gzip after line {len(records)}")
    assert problem.line == len(records) + 1


def test_iter_snapshot_reads_a_text_stream_too(fixture_path):
    text = io.StringIO(fixture_path(SNAPSHOT).read_text(encoding="utf-8"))

    assert len(list(iter_snapshot(text))) == 20
