"""manage.py import_arxiv_snapshot and papers.bulk.snapshot_import, on the real snapshot excerpt."""

import dataclasses
import gzip
import io
import json
import os
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connections, transaction

from papers.bulk import batches, snapshot_import
from papers.bulk.copy_format import copy_json, copy_text
from papers.bulk.orm_writer import OrmWriter
from papers.bulk.postgres_writer import PostgresWriter
from papers.importers.records import PaperRecord
from papers.importers.snapshot import iter_snapshot, open_snapshot
from papers.models import Author, Paper, PaperAuthor, Venue, normalize_name, normalize_title
from papers.services import paper_upsert
from shortscience.progress import Progress

pytestmark = pytest.mark.django_db

SNAPSHOT = "arxiv_snapshot/arxiv-metadata-oai-snapshot_lines001-020.jsonl"


def run(*args, **options) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_arxiv_snapshot", *map(str, args), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def records(fixture_path) -> list[PaperRecord]:
    with open_snapshot(fixture_path(SNAPSHOT)) as snapshot:
        return list(iter_snapshot(snapshot))


def counts() -> tuple[int, int, int]:
    return Paper.objects.count(), Author.objects.count(), PaperAuthor.objects.count()


@pytest.fixture(params=["copy", "orm"])
def writer(request, monkeypatch):
    """Each test runs with the Postgres COPY writer and with the portable bulk_create one (SQLite's)."""
    if request.param == "orm":
        monkeypatch.setattr(batches, "writer_for_connection", OrmWriter)
    return request.param


def test_command_imports_the_fixture_with_ordered_authors(fixture_path, writer):
    out, err = run(fixture_path(SNAPSHOT))

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


def test_command_twice_adds_nothing(fixture_path, writer):
    run(fixture_path(SNAPSHOT))
    before = counts()

    out, _ = run(fixture_path(SNAPSHOT))

    assert "0 imported, 0 updated, 20 unchanged, 0 skipped" in out
    assert counts() == before


def test_bulk_import_stores_what_paper_upsert_would(fixture_path, writer):
    """The bulk path and the one-by-one service agree: after a bulk import, paper_upsert finds nothing to do."""
    run(fixture_path(SNAPSHOT))

    outcomes = {paper_upsert(record=record)[1] for record in records(fixture_path)}

    assert outcomes == {"unchanged"}


def test_command_broken_file_exits_non_zero_and_imports_the_good_lines(fixture_path, writer):
    with pytest.raises(CommandError, match="2 skipped"):
        run(fixture_path("arxiv_snapshot/handmade_two_bad_lines.jsonl"))

    assert Paper.objects.count() == 20


def test_command_prints_each_problem_with_its_line(fixture_path):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_arxiv_snapshot",
            str(fixture_path("arxiv_snapshot/handmade_two_bad_lines.jsonl")),
            stdout=out,
            stderr=err,
        )

    assert "line 6: not JSON" in err.getvalue()
    assert "line 7: 0704.9999 has no title" in err.getvalue()
    assert "20 imported, 0 updated, 0 unchanged, 2 skipped" in out.getvalue()


def test_command_truncated_gzip(fixture_path, tmp_path):
    data = gzip.compress(fixture_path(SNAPSHOT).read_bytes())
    truncated = tmp_path / "snapshot.jsonl.gz"
    truncated.write_bytes(data[: len(data) * 2 // 3])
    err = io.StringIO()

    with pytest.raises(CommandError, match="1 skipped"):
        call_command("import_arxiv_snapshot", str(truncated), stdout=io.StringIO(), stderr=err)

    assert "truncated gzip after line" in err.getvalue()
    assert 0 < Paper.objects.count() < 20


def test_command_reads_gzip_with_byte_progress(fixture_path, tmp_path, monkeypatch):
    from papers.management.commands import import_arxiv_snapshot as command

    monkeypatch.setattr(command, "COUNT_LINES_UP_TO", {"plain": 0, "gzip": 0})  # as for a file too big to count
    compressed = tmp_path / "snapshot.jsonl.gz"
    compressed.write_bytes(gzip.compress(fixture_path(SNAPSHOT).read_bytes()))

    out, _ = run(compressed, batch_size=7)

    assert "% of the file" in out and "ETA" in out
    assert "20 imported" in out


def test_command_dry_run_writes_nothing(fixture_path):
    out, _ = run(fixture_path(SNAPSHOT), dry_run=True)

    assert "Dry run, nothing written: 20 imported" in out
    assert counts() == (0, 0, 0)
    assert not Venue.objects.exists()


def test_command_limit(fixture_path):
    out, _ = run(fixture_path(SNAPSHOT), limit=5)

    assert "5 imported" in out and "5/5 (100%)" in out
    assert Paper.objects.count() == 5


def test_command_missing_file(tmp_path):
    with pytest.raises(CommandError, match="cannot open"):
        run(tmp_path / "nope.jsonl")


def test_snapshot_import_updates_changed_papers_and_replaces_their_authors(fixture_path, writer):
    originals = records(fixture_path)
    snapshot_import(items=originals)
    changed = dataclasses.replace(originals[0], title="A new title", abstract="", authors=["E. L. Berger", "New One"])
    reordered = dataclasses.replace(originals[1], authors=list(reversed(originals[1].authors)))

    result = snapshot_import(items=[changed, reordered, *originals[2:]])

    assert (result.created, result.updated, result.unchanged) == (0, 2, 18)
    first = Paper.objects.get(bibtex_key=changed.bibtex_key)
    assert first.title == "A new title" and first.title_normalized == "a new title"
    assert first.abstract == originals[0].abstract  # an empty value never erases a stored one
    assert first.author_names == ["E. L. Berger", "New One"]
    assert Paper.objects.get(bibtex_key=reordered.bibtex_key).author_names == ["Louis Theran", "Ileana Streinu"]
    assert PaperAuthor.objects.count() == sum(len(r.authors) for r in originals) - 4 + 2


def test_snapshot_import_batch_refused_by_the_database_rolls_back_whole(fixture_path, writer):
    good = records(fixture_path)
    bad = dataclasses.replace(good[2], year=-1)  # violates the CHECK (year >= 0) constraint in the database
    seen = []

    result = snapshot_import(items=[good[0], good[1], bad, good[3]], batch_size=3, on_problem=seen.append)

    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)
    assert list(Paper.objects.values_list("bibtex_key", flat=True)) == [good[3].bibtex_key]
    assert not Author.objects.filter(name__in=good[0].authors + good[1].authors).exists()
    assert [p.ref for p in result.skipped] == [good[0].bibtex_key, good[1].bibtex_key, bad.bibtex_key]
    assert all("batch of 3 was rolled back" in p.reason for p in result.skipped)
    assert seen == result.skipped


def test_snapshot_import_refuses_what_the_database_would_before_writing(fixture_path):
    good = records(fixture_path)
    too_long = dataclasses.replace(good[0], doi="10.1/" + "x" * 300)
    long_name = dataclasses.replace(good[1], authors=["N" * 301])
    nul = dataclasses.replace(good[2], title="Nul\x00 in title")

    result = snapshot_import(items=[too_long, long_name, nul, good[3], good[3]])

    assert [(p.ref, p.reason) for p in result.skipped] == [
        (too_long.bibtex_key, "doi longer than 255 characters"),
        (long_name.bibtex_key, "author name longer than 300 characters"),
        (good[3].bibtex_key, "appears twice in one batch; the later record was kept"),
    ]
    assert result.created == 2
    assert Paper.objects.get(bibtex_key=nul.bibtex_key).title == "Nul in title"


def test_snapshot_import_links_works_like_paper_upsert(fixture_path, writer):
    record = records(fixture_path)[0]
    conference = dataclasses.replace(record, bibtex_key="conf/x/Balazs07", source="dblp", arxiv_id=record.arxiv_id)

    snapshot_import(items=[record, conference])  # two new papers of one batch

    works = set(Paper.objects.values_list("work_id", flat=True))
    assert len(works) == 1 and None not in works


def test_snapshot_import_links_new_papers_to_stored_ones(fixture_path, writer):
    first, second, third = records(fixture_path)[:3]
    journal, _ = paper_upsert(record=dataclasses.replace(first, bibtex_key="journals/x/Balazs07", arxiv_id=""))

    snapshot_import(items=[first, second])  # `first` has journal's DOI (and title); `second` shares nothing

    journal.refresh_from_db()
    assert journal.work_id is not None
    assert Paper.objects.get(bibtex_key=first.bibtex_key).work_id == journal.work_id
    assert Paper.objects.get(bibtex_key=second.bibtex_key).work_id is None

    snapshot_import(items=[dataclasses.replace(third, doi=first.doi)])  # a stored paper changed to share a DOI

    assert Paper.objects.get(bibtex_key=third.bibtex_key).work_id == journal.work_id
    assert Paper.objects.get(bibtex_key=second.bibtex_key).work_id is None


@pytest.mark.parametrize(
    ("text", "title", "name"),
    [
        ("Calculation of prompt diphoton production: LHC", "calculation of prompt diphoton production lhc", None),
        ("Dollár's théorème", "dollar s theoreme", None),
        ("ÅNGSTRÖM", "angstrom", None),
        ("$\\Lambda_{\\alpha}$ x", "lambda_ alpha x", None),
        ("C.-P. Yuan", "c p yuan", "c -p yuan"),
        ("", "", None),
    ],
)
def test_normalizers_fold_accents_case_and_punctuation(text, title, name):
    """The lookup keys every importer (bulk included) stores: ASCII and accented input take different paths."""
    assert normalize_title(text) == title
    assert normalize_name(text) == (name if name is not None else title)


def test_copy_writer_takes_the_author_another_writer_stored_meanwhile():
    """The COPY of new authors is refused when one of them was stored after the writer looked; the writer then
    stores the others with INSERT ... ON CONFLICT and uses the stored one, in the same transaction."""
    existing = Author.objects.create(name="Ada Lovelace")
    writer = PostgresWriter()
    looked_up, real_lookup = [], writer.stored_author_ids

    def stale_first_lookup(cursor, names):
        looked_up.append(list(names))
        return {} if len(looked_up) == 1 else real_lookup(cursor, names)  # the first look misses Ada

    writer.stored_author_ids = stale_first_lookup
    with transaction.atomic():
        ids = writer.author_ids(["Ada Lovelace", "Grace Hopper"])

        assert ids["Ada Lovelace"] == existing.pk
        assert Author.objects.get(pk=ids["Grace Hopper"]).name_normalized == normalize_name("Grace Hopper")
    assert looked_up == [["Ada Lovelace", "Grace Hopper"], ["Ada Lovelace"]]
    assert Author.objects.count() == 2


@pytest.mark.parametrize("in_process", [True, False], ids=["reader process", "reader thread"])
def test_an_error_while_reading_reaches_the_importer(fixture_path, in_process):
    good = records(fixture_path)

    def items():
        yield from good[:3]
        raise ValueError("disk on fire")

    with pytest.raises(ValueError, match="disk on fire"):
        snapshot_import(items=items(), batch_size=2, read_in_process=in_process)


def test_a_reader_process_that_dies_is_reported(fixture_path):
    good = records(fixture_path)

    def items():
        yield from good[:3]
        os._exit(3)  # as if killed (out of memory, say)

    with pytest.raises(RuntimeError, match=r"reader process ended early \(exit code 3\)"):
        snapshot_import(items=items(), batch_size=2, read_in_process=True)


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


def test_deleting_papers_deletes_their_author_rows(fixture_path):
    """PaperAuthor.paper has no constraint in the database: Django's cascade (after a lock) removes the rows."""
    snapshot_import(items=records(fixture_path)[:3])
    first, second, third = Paper.objects.order_by("bibtex_key")

    first.delete()
    Paper.objects.filter(pk=second.pk).delete()

    assert set(PaperAuthor.objects.values_list("paper_id", flat=True)) == {third.pk}


@pytest.mark.usefixtures("writer")
def test_a_paper_deleted_during_its_batch_is_left_deleted(fixture_path, monkeypatch):
    originals = records(fixture_path)[:3]
    snapshot_import(items=originals)
    doomed = Paper.objects.get(bibtex_key=originals[0].bibtex_key)
    writer_class = type(batches.writer_for_connection())
    read = writer_class.stored_papers

    def read_then_deleted_by_a_moderator(self, keys):
        stored = read(self, keys)
        Paper.objects.filter(pk=doomed.pk).delete()  # after the batch read it, before it writes
        return stored

    monkeypatch.setattr(writer_class, "stored_papers", read_then_deleted_by_a_moderator)
    changed = [dataclasses.replace(r, title=r.title + " (v2)", authors=[*r.authors, "New Author"]) for r in originals]

    result = snapshot_import(items=changed)

    assert (result.created, result.updated) == (0, 2)
    assert [(p.ref, p.reason) for p in result.skipped] == [
        (doomed.bibtex_key, "deleted on the site while this batch was written; left deleted")
    ]
    assert not Paper.objects.filter(bibtex_key=doomed.bibtex_key).exists()
    assert not PaperAuthor.objects.filter(paper_id=doomed.pk).exists()  # no author rows without their paper
    assert Paper.objects.get(bibtex_key=originals[1].bibtex_key).author_names[-1] == "New Author"


@pytest.mark.parametrize("in_process", [True, False], ids=["reader process", "reader thread"])
def test_progress_gets_the_file_position_of_each_written_batch(fixture_path, in_process):
    """The reader runs ahead of the writer: progress must show what was written, not what was read."""
    path = fixture_path(SNAPSHOT)
    lines = path.read_bytes().splitlines(keepends=True)
    seen = []

    class Recorder(Progress):
        def step(self, n=1, *, position=None):
            seen.append(position)
            super().step(n, position=position)

    with open_snapshot(path) as snapshot:
        snapshot_import(
            items=iter_snapshot(snapshot),
            batch_size=7,
            progress=Recorder(None),
            position=lambda: snapshot.position,
            read_in_process=in_process,
        )

    assert seen == [len(b"".join(lines[:7])), len(b"".join(lines[:14])), path.stat().st_size]


@pytest.mark.django_db(transaction=True)
def test_deleting_a_paper_waits_for_a_writer_that_locked_it(fixture_path):
    """Without a foreign key in the database, the lock is what keeps a delete from leaving the author rows a
    concurrent writer is adding: the delete waits, then its cascade sees and removes them."""
    snapshot_import(items=records(fixture_path)[:1])
    paper = Paper.objects.get()
    author = Author.objects.create(name="Added Meanwhile")
    locked, release = threading.Event(), threading.Event()

    def writer_replacing_the_authors():
        try:
            with transaction.atomic():
                assert batches.writer_for_connection().lock_papers([paper.pk]) == {paper.pk}
                PaperAuthor.objects.filter(paper_id=paper.pk).delete()
                PaperAuthor.objects.create(paper_id=paper.pk, author=author, position=0)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    def moderator_deleting_the_paper():
        try:
            Paper.objects.get(pk=paper.pk).delete()
        finally:
            connections.close_all()

    writer = threading.Thread(target=writer_replacing_the_authors)
    writer.start()
    assert locked.wait(10)
    moderator = threading.Thread(target=moderator_deleting_the_paper)
    moderator.start()
    moderator.join(0.5)
    assert moderator.is_alive()  # waiting for the writer's transaction
    release.set()
    writer.join(10)
    moderator.join(10)

    assert not Paper.objects.filter(pk=paper.pk).exists()
    assert not PaperAuthor.objects.filter(paper_id=paper.pk).exists()
