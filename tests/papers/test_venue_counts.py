"""The stored paper counts of venues (VenueYear per year, Venue.paper_count in all) stay equal to a count of the
papers after every kind of write that adds, moves or deletes papers: paper_upsert, the bulk import (COPY and
portable writers), an OAI-PMH page, the admin's edit and delete, and deleting venues."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse

from papers.bulk import batches, snapshot_import
from papers.harvest import oai_page_store
from papers.importers.oai import parse_oai_page
from papers.importers.records import PaperRecord, Source
from papers.models import NO_YEAR, Paper, Venue, VenueYear
from papers.services import ImportResult, paper_upsert
from tests.factories import UserFactory, make_paper

pytestmark = pytest.mark.django_db


def truth() -> tuple[dict, dict]:
    """({(venue id, year): papers}, {venue id: papers}) counted from the papers themselves."""
    years, totals = {}, {}
    counted = Paper.objects.filter(venue__isnull=False).values_list("venue_id", "year").annotate(n=Count("pk"))
    for venue_id, year, n in counted.order_by():
        years[venue_id, year or NO_YEAR] = n
        totals[venue_id] = totals.get(venue_id, 0) + n
    return years, totals


def assert_counts_true():
    years, totals = truth()
    stored_years = {(v, y): n for v, y, n in VenueYear.objects.values_list("venue_id", "year", "paper_count") if n}
    assert stored_years == years
    assert {v: n for v, n in Venue.objects.values_list("pk", "paper_count") if n} == totals
    assert not VenueYear.objects.filter(paper_count__lt=0).exists()


def record(key: str, **fields) -> PaperRecord:
    values = {"bibtex_key": key, "title": f"Paper {key}", "source": Source.DBLP, "authors": ["A. Author"]}
    return PaperRecord(**(values | fields))


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(username="moderator", is_staff=True, is_superuser=True))
    return client


def test_counts_after_paper_upserts_add_and_move_papers():
    make_paper(bibtex_key="conf/nips/A15", year=2015)
    make_paper(bibtex_key="conf/nips/B15", year=2015)
    make_paper(bibtex_key="conf/nips/U", year=None)
    make_paper(bibtex_key="conf/icml/C16", year=2016)
    assert_counts_true()
    assert Venue.objects.get(key="conf/nips").paper_count == 3
    paper_upsert(record=record("conf/nips/A15", year=2016))  # moves to another year
    paper_upsert(record=record("conf/nips/U", year=2014))  # gets a year
    paper_upsert(record=record("conf/nips/B15", title="Retitled"))  # stays where it is
    assert_counts_true()
    tabs = {tab["year"]: tab["count"] for tab in Venue.objects.get(key="conf/nips").year_tabs()}
    assert tabs == {2016: 1, 2015: 1, 2014: 1}


def test_counts_after_orm_writes_of_single_papers():
    paper = make_paper(bibtex_key="conf/nips/A15", year=2015)
    other = Venue.objects.create(key="conf/other")
    paper.venue, paper.year = other, None
    paper.save()
    assert_counts_true()
    loaded = Paper.objects.only("pk", "title").get(pk=paper.pk)  # read without its venue and year
    loaded.title = "Renamed"
    loaded.save()
    Paper.objects.get(pk=paper.pk).save(update_fields=["title"])
    assert_counts_true()
    Paper.objects.create(bibtex_key="conf/other/New", title="Made directly", venue=other, year=2001)
    assert_counts_true()
    Paper.objects.get(pk=paper.pk).delete()
    assert_counts_true()
    assert other.years.get(year=2001).paper_count == 1


@pytest.mark.usefixtures("bulk_writer")
def test_counts_after_bulk_imports(snapshot_records):
    snapshot_import(items=snapshot_records())
    assert Paper.objects.count() == 20
    assert_counts_true()
    snapshot_import(items=snapshot_records())  # nothing changes
    assert_counts_true()
    moved = snapshot_records()
    for item in moved[:5]:
        item.year = 1999
    moved[5].year = None  # an empty value never erases the stored year
    snapshot_import(items=moved)
    assert_counts_true()
    assert Venue.objects.get(key="journals/corr").years.get(year=1999).paper_count == 5


def test_bulk_import_counts_a_paper_moved_since_the_batch_read_it(snapshot_records, monkeypatch):
    snapshot_import(items=snapshot_records())
    moved = snapshot_records()
    moved[0].year = 1999
    first = Paper.objects.get(bibtex_key=moved[0].bibtex_key)
    lock_papers = batches.OrmWriter.lock_papers

    def lock_after_an_edit(self, pks):  # another writer moves the paper between the batch's read and its lock
        Paper.objects.filter(pk=first.pk).update(year=1990)
        VenueYear.objects.papers_moved({(first.venue_id, first.year): -1, (first.venue_id, 1990): 1})
        return lock_papers(self, pks)

    monkeypatch.setattr(batches.OrmWriter, "lock_papers", lock_after_an_edit)
    snapshot_import(items=moved)
    assert Paper.objects.get(pk=first.pk).year == 1999
    assert_counts_true()


def test_counts_after_an_oai_page(fixture_bytes):
    for name in ("page1_token.xml", "page2_last.xml", "page_deleted.xml"):
        oai_page_store(page=parse_oai_page(fixture_bytes(f"oai_harvest/{name}")), result=ImportResult())
        assert_counts_true()
    assert Paper.objects.exists()


def test_counts_after_admin_edits_and_deletes(staff_client):
    papers = [make_paper(bibtex_key=f"conf/nips/P{i}", year=2015) for i in range(4)]
    make_paper(bibtex_key="conf/icml/Q", year=2016)
    paper = papers[0]
    data = {
        "bibtex_key": paper.bibtex_key,
        "title": paper.title,
        "year": "2017",
        "venue": Venue.objects.get(key="conf/icml").pk,
        "source": paper.source,
        "urls": "[]",
        "keywords": "[]",
        "paper_authors-TOTAL_FORMS": "0",
        "paper_authors-INITIAL_FORMS": "0",
        "aliases-TOTAL_FORMS": "0",
        "aliases-INITIAL_FORMS": "0",
    }
    response = staff_client.post(reverse("admin:papers_paper_change", args=[paper.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Paper.objects.get(pk=paper.pk).year == 2017
    assert_counts_true()
    staff_client.post(reverse("admin:papers_paper_delete", args=[papers[1].pk]), {"post": "yes"})
    assert not Paper.objects.filter(pk=papers[1].pk).exists()
    assert_counts_true()
    selected = [papers[2].pk, papers[3].pk]
    url = reverse("admin:papers_paper_changelist")
    staff_client.post(url, {"action": "delete_selected", "_selected_action": selected, "post": "yes"})
    assert not Paper.objects.filter(pk__in=selected).exists()
    assert_counts_true()
    Paper.objects.filter(venue__key="conf/icml").delete()
    assert_counts_true()


def test_counts_after_a_venue_is_edited_or_deleted(staff_client):
    make_paper(bibtex_key="conf/nips/A", year=2015)
    make_paper(bibtex_key="conf/icml/B", year=2015)
    stale = Venue.objects.get(key="conf/nips")  # read before a paper was added
    make_paper(bibtex_key="conf/nips/C", year=2015)
    stale.name = "NeurIPS"
    stale.save()
    assert_counts_true()
    assert Venue.objects.get(key="conf/nips").paper_count == 2
    Venue.objects.get(key="conf/icml").delete()  # its papers keep no venue
    assert_counts_true()


def test_refresh_command_repairs_drifted_counts():
    make_paper(bibtex_key="conf/nips/A", year=2015)
    make_paper(bibtex_key="conf/nips/B", year=None)
    VenueYear.objects.update(paper_count=7)
    Venue.objects.update(paper_count=0)
    call_command("refresh_popularity", "--counters", stdout=io.StringIO())
    assert_counts_true()
