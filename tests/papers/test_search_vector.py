"""The stored search vectors (papers: title A, authors B, keywords C, abstract D; summaries: body) are current after
every write path: here paper_upsert, the bulk import (both writers; its vectors are made by the job it enqueues),
the admin's edits and the summary services; the
OAI harvest, the on-demand import and Crossref beside their other tests (test_harvest.py, test_on_demand.py,
test_crossref.py)."""

import dataclasses
from types import SimpleNamespace

import pytest
from django.contrib.admin.sites import site
from django.db import connection
from django.test import RequestFactory

from papers import services as papers_services
from papers import tasks as papers_tasks
from papers.bulk import batches, snapshot_import
from papers.importers.records import PaperRecord, Source
from papers.models import Author, Paper, PaperAuthor
from papers.services import paper_search_vectors_fill, paper_upsert
from summaries.models import Summary
from summaries.services import summary_delete, summary_save
from tests.commands import run_command
from tests.factories import make_paper, make_summary
from tests.locks import held_elsewhere
from tests.search import finds, weights

pytestmark = pytest.mark.django_db


def test_paper_upsert_stores_each_field_at_its_weight():
    paper = make_paper(
        title="Residual networks", authors=["Kaiming He"], keywords=["vision"], abstract="About gradients."
    )
    assert (weights(paper, "residual"), weights(paper, "Kaiming"), weights(paper, "vision")) == ("A", "B", "C")
    assert weights(paper, "gradient") == "D"  # stemmed: "gradients"
    assert paper.authors_text == "Kaiming He"


def test_paper_upsert_update_regenerates_the_vector_with_new_authors():
    paper = make_paper(bibtex_key="conf/x/A", title="Old words", authors=["Ada Lovelace"])
    record = PaperRecord(
        bibtex_key="conf/x/A", title="Fresh words", source=Source.DBLP, authors=["Grace Hopper", "Ada Lovelace"]
    )
    paper_upsert(record=record)
    papers = Paper.objects.filter(pk=paper.pk)
    assert finds(papers, "fresh hopper lovelace") and not finds(papers, "old")
    assert papers.get().authors_text == "Grace Hopper\nAda Lovelace"


def test_paper_save_as_the_admin_edits_it_regenerates_the_vector():
    paper = make_paper(title="Before")
    paper.abstract = "Transformers everywhere"
    paper.save()
    assert finds(Paper.objects.filter(pk=paper.pk), "transformer")


def test_admin_inline_author_rows_and_author_rename_reach_the_vector(admin_user):
    paper = make_paper(authors=["Ada Lovelace"])
    request = RequestFactory().post("/")
    request.user = admin_user
    PaperAuthor.objects.filter(paper=paper).update(author=Author.objects.create(name="Grace Hopper"))  # the inline
    site._registry[Paper].save_related(
        request, type("Form", (), {"instance": paper, "save_m2m": lambda: None}), [], True
    )
    assert finds(Paper.objects.filter(pk=paper.pk), "hopper")

    author = Author.objects.get(name="Grace Hopper")
    author.name = "Grace Brewster Hopper"
    site._registry[Author].save_model(request, author, None, True)
    assert finds(Paper.objects.filter(pk=paper.pk), "brewster")

    site._registry[Author].delete_model(request, author)
    assert Paper.objects.get(pk=paper.pk).authors_text == ""
    assert not finds(Paper.objects.filter(pk=paper.pk), "hopper")


def test_summary_save_edit_and_delete_keep_the_vector():
    summary = make_summary(body="Batch normalization explained")
    summaries = Summary.objects.filter(pk=summary.pk)
    assert finds(summaries, "normalize")  # stemmed
    summary_save(paper=summary.paper, author=summary.author, body="Dropout explained", base_version=summary.version)
    assert finds(summaries, "dropout") and not finds(summaries, "normalization")
    summary_delete(summary=summaries.get(), user=summary.author)
    assert not finds(Summary.objects.all(), "dropout")


def test_bulk_import_of_changed_authors_regenerates_their_papers_vectors(snapshot_records, bulk_writer):
    originals = snapshot_records()
    snapshot_import(items=originals)
    stored = Paper.objects.filter(bibtex_key=originals[0].bibtex_key)
    assert finds(stored, originals[0].authors[0].split()[-1])
    changed = dataclasses.replace(originals[0], title="Quasicrystal tilings", authors=["Zebedee Quorn"])
    snapshot_import(items=[changed])
    assert finds(stored, "quasicrystal quorn")
    assert stored.get().authors_text == "Zebedee Quorn"
    assert weights(stored.get(), "Quorn") == "B"


def test_bulk_import_leaves_vectors_to_the_fill_job_it_enqueues(snapshot_records, bulk_writer, monkeypatch):
    enqueued = []
    job = SimpleNamespace(enqueue=lambda: enqueued.append(1))  # a job no worker runs yet
    monkeypatch.setattr(batches, "tasks", SimpleNamespace(paper_search_vectors_fill=job))
    originals = snapshot_records()
    snapshot_import(items=originals)
    assert enqueued == [1]
    assert Paper.objects.filter(search_vector__isnull=True).count() == len(originals)
    make_paper(title="Written after the batch")  # the deferral ends with each batch, even inside a transaction
    assert finds(Paper.objects.all(), "written")

    assert paper_search_vectors_fill() == len(originals)
    assert not Paper.objects.filter(search_vector__isnull=True).exists()
    assert finds(Paper.objects.filter(bibtex_key=originals[0].bibtex_key), originals[0].authors[0].split()[-1])


def test_a_long_bulk_import_enqueues_the_fill_as_it_goes(snapshot_records, monkeypatch):
    enqueued = []
    job = SimpleNamespace(enqueue=lambda: enqueued.append(Paper.objects.filter(search_vector__isnull=True).count()))
    monkeypatch.setattr(batches, "tasks", SimpleNamespace(paper_search_vectors_fill=job))
    monkeypatch.setattr(batches, "SEARCH_FILL_EVERY", 0)  # after every batch that wrote something
    snapshot_import(items=snapshot_records(), batch_size=5)
    assert enqueued == [5, 10, 15, 20, 20]  # the papers waiting for it at each enqueue; the last one at the end
    enqueued.clear()
    snapshot_import(items=snapshot_records(), batch_size=5)  # nothing to write: nothing to fill
    assert enqueued == []


def test_the_fill_job_looks_again_after_the_lock_for_a_batch_written_meanwhile(snapshot_records, monkeypatch):
    monkeypatch.setattr(batches, "tasks", SimpleNamespace(paper_search_vectors_fill=SimpleNamespace(enqueue=list)))
    records = snapshot_records()
    snapshot_import(items=records[:10])
    passes = []

    def fill_while_a_batch_arrives():
        passes.append(paper_search_vectors_fill())
        if len(passes) == 1:  # written while this job holds the lock: the fill it enqueues would find it taken
            snapshot_import(items=records[10:])
        return passes[-1]

    monkeypatch.setattr(papers_services, "paper_search_vectors_fill", fill_while_a_batch_arrives)
    assert papers_tasks.paper_search_vectors_fill.call() == {"filled": 20}
    assert passes == [10, 10] and not Paper.objects.filter(search_vector__isnull=True).exists()


def test_the_fill_job_leaves_the_work_to_a_running_one():
    with held_elsewhere(papers_tasks.SEARCH_FILL_LOCK):  # another worker's fill
        assert papers_tasks.paper_search_vectors_fill.call() == {"filled": 0, "skipped": "another fill is running"}


def test_fill_search_vectors_command(snapshot_records, monkeypatch):
    job = SimpleNamespace(enqueue=lambda: None)
    monkeypatch.setattr(batches, "tasks", SimpleNamespace(paper_search_vectors_fill=job))
    snapshot_import(items=snapshot_records())
    out, err, status = run_command("fill_search_vectors", "--dry-run")
    assert (status, out.strip()) == (0, "Dry run, nothing written: 20 papers have no search vector.")
    out, err, status = run_command("fill_search_vectors")
    assert status == 0 and "20 search vectors made" in out
    assert not Paper.objects.filter(search_vector__isnull=True).exists()


def test_fill_makes_vectors_and_authors_text_of_papers_stored_before_the_migration():
    paper = make_paper(title="Stored before", authors=["Ada Lovelace"])
    with connection.cursor() as cursor:  # a paper as migration 0010 leaves it: no vector, no authors_text
        cursor.execute("SELECT set_config('shortscience.search_deferred', 'on', true)")
        cursor.execute("UPDATE papers_paper SET authors_text = '' WHERE id = %s", [paper.pk])
        cursor.execute("SELECT set_config('shortscience.search_deferred', 'off', true)")
    assert not finds(Paper.objects.all(), "stored")
    assert paper_search_vectors_fill() == 1
    assert finds(Paper.objects.all(), "stored lovelace") and Paper.objects.get().authors_text == "Ada Lovelace"
