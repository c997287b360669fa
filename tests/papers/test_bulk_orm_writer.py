"""papers.bulk.orm_writer: the portable writer, whose methods every writer has."""

import threading

import pytest
from django.db import connections, transaction

from papers.bulk import batches, snapshot_import
from papers.models import Author, Paper, PaperAuthor


@pytest.mark.django_db(transaction=True)
def test_lock_papers_makes_deleting_a_paper_wait_for_the_writer(snapshot_records):
    """Without a foreign key in the database, the lock is what keeps a delete from leaving the author rows a
    concurrent writer is adding: the delete waits, then its cascade sees and removes them."""
    snapshot_import(items=snapshot_records()[:1])
    paper = Paper.objects.get()
    author = Author.objects.create(name="Added Meanwhile")
    locked, release = threading.Event(), threading.Event()

    def writer_replacing_the_authors():
        try:
            with transaction.atomic():
                assert batches.writer_for_connection().lock_papers([paper.pk]).keys() == {paper.pk}
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
