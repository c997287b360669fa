"""papers.bulk.batches: snapshot_import's batches (merging, checks, rolled-back batches, works, progress), with
both writers."""

import dataclasses

import pytest

from papers.bulk import batches, snapshot_import
from papers.importers.snapshot import iter_snapshot, open_snapshot
from papers.models import Author, Paper, PaperAuthor
from papers.services import paper_upsert
from shortscience.progress import Progress

pytestmark = pytest.mark.django_db


def test_snapshot_import_updates_changed_papers_and_replaces_their_authors(snapshot_records, bulk_writer):
    originals = snapshot_records()
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


def test_snapshot_import_batch_refused_by_the_database_rolls_back_whole(snapshot_records, bulk_writer):
    good = snapshot_records()
    bad = dataclasses.replace(good[2], year=-1)  # violates the CHECK (year >= 0) constraint in the database
    seen = []

    result = snapshot_import(items=[good[0], good[1], bad, good[3]], batch_size=3, on_problem=seen.append)

    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)
    assert list(Paper.objects.values_list("bibtex_key", flat=True)) == [good[3].bibtex_key]
    assert not Author.objects.filter(name__in=good[0].authors + good[1].authors).exists()
    assert [p.ref for p in result.skipped] == [good[0].bibtex_key, good[1].bibtex_key, bad.bibtex_key]
    assert all("batch of 3 was rolled back" in p.reason for p in result.skipped)
    assert seen == result.skipped


def test_snapshot_import_refuses_what_the_database_would_before_writing(snapshot_records):
    good = snapshot_records()
    too_long = dataclasses.replace(good[0], doi="10.1/" + "x" * 300)
    long_name = dataclasses.replace(good[1], authors=["N" * 301])
    nul = dataclasses.replace(good[2], title="Nul\x00 in title")

    result = snapshot_import(items=[too_long, long_name, nul, good[3], good[3]])

    assert [(p.ref, p.reason) for p in result.skipped] == [
        (too_long.bibtex_key, "doi longer than 255 characters"),
        (good[3].bibtex_key, "appears twice in one batch; the later record was kept"),
    ]
    assert result.created == 3
    assert Paper.objects.get(bibtex_key=nul.bibtex_key).title == "Nul in title"


def test_snapshot_import_shortens_an_author_name_too_long_and_reports_it(snapshot_records, bulk_writer):
    good = snapshot_records()
    long_name = dataclasses.replace(good[1], authors=["Ada Lovelace", "N" * 301])
    seen = []

    result = snapshot_import(items=[good[0], long_name, good[2]], on_problem=seen.append)

    assert (result.created, result.skipped) == (3, [])
    assert [(p.ref, p.reason, p.kept) for p in result.notes] == [
        (long_name.bibtex_key, "an author name longer than 300 characters shortened: " + "N" * 60 + "…", True)
    ]
    assert seen == result.notes
    assert Paper.objects.get(bibtex_key=long_name.bibtex_key).author_names == ["Ada Lovelace", "N" * 299 + "…"]


def test_snapshot_import_links_works_like_paper_upsert(snapshot_records, bulk_writer):
    record = snapshot_records()[0]
    conference = dataclasses.replace(record, bibtex_key="conf/x/Balazs07", source="dblp", arxiv_id=record.arxiv_id)

    snapshot_import(items=[record, conference])  # two new papers of one batch

    works = set(Paper.objects.values_list("work_id", flat=True))
    assert len(works) == 1 and None not in works


def test_snapshot_import_links_new_papers_to_stored_ones(snapshot_records, bulk_writer):
    first, second, third = snapshot_records()[:3]
    journal, _ = paper_upsert(record=dataclasses.replace(first, bibtex_key="journals/x/Balazs07", arxiv_id=""))

    snapshot_import(items=[first, second])  # `first` has journal's DOI (and title); `second` shares nothing

    journal.refresh_from_db()
    assert journal.work_id is not None
    assert Paper.objects.get(bibtex_key=first.bibtex_key).work_id == journal.work_id
    assert Paper.objects.get(bibtex_key=second.bibtex_key).work_id is None

    snapshot_import(items=[dataclasses.replace(third, doi=first.doi)])  # a stored paper changed to share a DOI

    assert Paper.objects.get(bibtex_key=third.bibtex_key).work_id == journal.work_id
    assert Paper.objects.get(bibtex_key=second.bibtex_key).work_id is None


@pytest.mark.usefixtures("bulk_writer")
def test_snapshot_import_paper_deleted_during_its_batch_is_left_deleted(snapshot_records, monkeypatch):
    originals = snapshot_records()[:3]
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
def test_snapshot_import_progress_gets_the_file_position_of_each_written_batch(snapshot_path, in_process):
    """The reader runs ahead of the writer: progress must show what was written, not what was read."""
    lines = snapshot_path.read_bytes().splitlines(keepends=True)
    seen = []

    class Recorder(Progress):
        def step(self, n=1, *, position=None):
            seen.append(position)
            super().step(n, position=position)

    with open_snapshot(snapshot_path) as snapshot:
        snapshot_import(
            items=iter_snapshot(snapshot),
            batch_size=7,
            progress=Recorder(None),
            position=lambda: snapshot.position,
            read_in_process=in_process,
        )

    assert seen == [len(b"".join(lines[:7])), len(b"".join(lines[:14])), snapshot_path.stat().st_size]
