"""manage.py import_arxiv_snapshot end to end, on the real snapshot excerpt. The parts of papers.bulk have their
own test files (test_bulk_batches.py, test_bulk_read_ahead.py, ...)."""

import gzip

import pytest

from papers.identifiers import normalize_name, normalize_title
from papers.management.commands import import_arxiv_snapshot as command
from papers.models import Author, Paper, PaperAuthor, Venue
from papers.services import Outcome, paper_upsert
from tests.commands import run_command

pytestmark = pytest.mark.django_db


def run(*args, expect_status: int = 0, **options) -> tuple[str, str]:
    """import_arxiv_snapshot's (stdout, stderr), after checking its exit status."""
    out, err, status = run_command("import_arxiv_snapshot", *map(str, args), **options)
    assert status == expect_status, err
    return out, err


def counts() -> tuple[int, int, int]:
    return Paper.objects.count(), Author.objects.count(), PaperAuthor.objects.count()


def test_command_imports_the_fixture_with_ordered_authors(snapshot_path, bulk_writer):
    out, err = run(snapshot_path)

    assert "20 imported, 0 updated, 0 unchanged, 0 skipped" in out
    assert "20/20 (100%)" in out and "papers/s" in out
    assert err == ""
    assert Paper.objects.count() == 20
    paper = Paper.objects.for_detail().get(bibtex_key="journals/corr/0704.0001")
    assert paper.author_names == ["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan"]
    assert paper.title_normalized == normalize_title(paper.title)
    assert paper.venue == Venue.objects.get(key="journals/corr")
    assert (paper.arxiv_id, paper.doi, paper.year, paper.source) == (
        "0704.0001",
        "10.1103/physrevd.76.013009",
        2007,
        "arxiv",
    )
    assert paper.keywords == ["hep-ph"] and paper.urls == ["https://arxiv.org/abs/0704.0001"]
    assert paper.created_at and paper.modified_at
    assert not paper.withdrawn
    author = Author.objects.get(name="C. Balázs")
    assert author.name_normalized == normalize_name(author.name)
    assert PaperAuthor.objects.filter(paper__bibtex_key="journals/corr/0704.0009").count() == 7


def test_command_twice_adds_nothing(snapshot_path, bulk_writer):
    run(snapshot_path)
    before = counts()

    out, _ = run(snapshot_path)

    assert "0 imported, 0 updated, 20 unchanged, 0 skipped" in out
    assert counts() == before


def test_bulk_import_stores_what_paper_upsert_would(snapshot_records, snapshot_path, bulk_writer):
    """The bulk path and the one-by-one service agree: after a bulk import, paper_upsert finds nothing to do."""
    run(snapshot_path)

    outcomes = {paper_upsert(record=record)[1] for record in snapshot_records()}

    assert outcomes == {Outcome.UNCHANGED}


def test_command_broken_file_exits_non_zero_and_imports_the_good_lines(fixture_path, bulk_writer):
    _, err = run(fixture_path("arxiv_snapshot/handmade_two_bad_lines.jsonl"), expect_status=1)
    assert "2 skipped" in err

    assert Paper.objects.count() == 20


def test_command_prints_each_problem_with_its_line(fixture_path):
    out, err = run(fixture_path("arxiv_snapshot/handmade_two_bad_lines.jsonl"), expect_status=1)

    assert "line 6: not JSON" in err
    assert "line 7: 0704.9999 has no title" in err
    assert "20 imported, 0 updated, 0 unchanged, 2 skipped" in out


def test_command_truncated_gzip(snapshot_path, tmp_path):
    data = gzip.compress(snapshot_path.read_bytes())
    truncated = tmp_path / "snapshot.jsonl.gz"
    truncated.write_bytes(data[: len(data) * 2 // 3])
    _, err = run(truncated, expect_status=1)

    assert "1 skipped" in err
    assert "truncated gzip after line" in err
    assert 0 < Paper.objects.count() < 20


def test_command_reads_gzip_with_byte_progress(snapshot_path, tmp_path, monkeypatch):
    monkeypatch.setattr(command, "COUNT_LINES_UP_TO", {"plain": 0, "gzip": 0})  # as for a file too big to count
    compressed = tmp_path / "snapshot.jsonl.gz"
    compressed.write_bytes(gzip.compress(snapshot_path.read_bytes()))

    out, _ = run(compressed, batch_size=7)

    assert "% of the file" in out and "ETA" in out
    assert "20 imported" in out


def test_command_dry_run_writes_nothing(snapshot_path):
    out, _ = run(snapshot_path, dry_run=True)

    assert "Dry run, nothing written: 20 imported" in out
    assert counts() == (0, 0, 0)
    assert not Venue.objects.exists()


def test_command_limit(snapshot_path):
    out, _ = run(snapshot_path, limit=5)

    assert "5 imported" in out and "5/5 (100%)" in out
    assert Paper.objects.count() == 5


def test_command_missing_file(tmp_path):
    _, err = run(tmp_path / "nope.jsonl", expect_status=1)
    assert "cannot open" in err
