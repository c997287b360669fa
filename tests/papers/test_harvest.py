"""The OAI-PMH harvester, against recorded pages replayed by a fake transport (never the network)."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from papers.harvest import oai_page_store
from papers.importers.oai import parse_oai_page
from papers.models import HarvestCheckpoint, Paper
from papers.services import ImportResult
from shortscience.http import HttpClient, Response, with_params
from tests.commands import run_command
from tests.http_replay import replay_client
from tests.search import finds

pytestmark = pytest.mark.django_db


class Replay:
    """A transport answering OAI-PMH requests from a script of (status, fixture file or bytes, headers)."""

    def __init__(self, fixture_bytes, script):
        self.fixture_bytes, self.script, self.requests, self.sleeps = fixture_bytes, list(script), [], []

    def __call__(self, request):
        self.requests.append(parse_qs(urlsplit(request.url).query))
        status, body, headers = self.script.pop(0)
        if isinstance(body, str):
            body = self.fixture_bytes(f"oai_harvest/{body}")
        return Response(status, headers, body, request.url)

    def client(self):
        now = [1000.0]  # time passes only when the client sleeps

        def sleep(seconds):
            self.sleeps.append(seconds)
            now[0] += seconds

        return HttpClient(
            transport=self, min_interval=3.0, clock=lambda: now[0], wall_clock=lambda: now[0], sleep=sleep
        )


@pytest.fixture
def replay(monkeypatch, fixture_bytes):
    def install(*script):
        transport = Replay(fixture_bytes, script)
        monkeypatch.setattr("papers.harvest.oai_client", transport.client)
        return transport

    return install


def test_harvest_follows_resumption_tokens_and_updates_new_versions(replay):
    transport = replay((200, "page1_token.xml", {}), (200, "page2_last.xml", {}))
    out, err, status = run_command("harvest_arxiv", "--from", "2018-01-25", "--until", "2018-01-26")
    assert status == 0, err
    assert transport.requests[0] == {
        "verb": ["ListRecords"],
        "metadataPrefix": ["arXiv"],
        "from": ["2018-01-25"],
        "until": ["2018-01-26"],
    }
    assert transport.requests[1] == {"verb": ["ListRecords"], "resumptionToken": ["2448315|1001"]}
    assert all(gap >= 3 for gap in transport.sleeps)  # spaced ≥ 3 s apart
    assert len(transport.sleeps) == 1
    assert Paper.objects.filter(arxiv_id="1401.2122").count() == 1  # the new version updated, not duplicated
    paper = Paper.objects.get(bibtex_key="journals/corr/1401.2122")
    assert paper.updated == datetime.date(2018, 1, 20)
    assert paper.published == datetime.date(2014, 1, 9)
    assert Paper.objects.filter(bibtex_key="journals/corr/1601.03238").exists()
    assert "page 1: 1/3 records" in out and "page 2: 3/3 records" in out
    assert "2 imported, 1 updated" in out
    checkpoint = HarvestCheckpoint.objects.get()
    assert checkpoint.finished_at is not None and checkpoint.resumption_token == ""
    assert checkpoint.harvested_until == datetime.date(2018, 1, 26)


def test_harvest_stopped_midway_resumes_from_the_checkpoint(replay):
    replay(
        (200, "page1_token.xml", {}),
        (200, "page_truncated.xml", {}),
        (200, "page_truncated.xml", {}),
        (200, "page_truncated.xml", {}),
    )
    out, err, status = run_command("harvest_arxiv", "--from", "2018-01-25")
    assert status == 2
    assert "broken page 3 times" in err and "resume" in err
    checkpoint = HarvestCheckpoint.objects.get()
    assert checkpoint.resumption_token == "2448315|1001" and checkpoint.finished_at is None
    assert Paper.objects.count() == 1  # page 1 is kept

    transport = replay((200, "page2_last.xml", {}))
    out, err, status = run_command("harvest_arxiv")
    assert status == 0, err
    assert transport.requests == [{"verb": ["ListRecords"], "resumptionToken": ["2448315|1001"]}]
    assert "Harvest resumed" in out
    assert Paper.objects.count() == 2


def test_harvest_retries_a_broken_page_then_goes_on(replay):
    replay((200, "page_truncated.xml", {}), (200, "page1_token.xml", {}), (200, "page2_last.xml", {}))
    out, err, status = run_command("harvest_arxiv", "--from", "2018-01-25")
    assert status == 0, err
    assert Paper.objects.count() == 2


def test_harvest_honours_503_retry_after(replay):
    transport = replay((503, b"busy", {"retry-after": "17"}), (200, "page2_last.xml", {}))
    out, err, status = run_command("harvest_arxiv", "--from", "2018-01-25")
    assert status == 0, err
    assert 17 in transport.sleeps
    assert Paper.objects.count() == 2


def test_harvest_next_run_starts_where_the_last_ended(replay):
    replay((200, "page2_last.xml", {}))
    run_command("harvest_arxiv", "--from", "2018-01-20", "--until", "2018-01-26")
    transport = replay((200, "page_deleted.xml", {}))
    out, err, status = run_command("harvest_arxiv")
    assert status == 0, err
    assert transport.requests[0]["from"] == ["2018-01-26"]
    assert Paper.objects.get(arxiv_id="1601.03238").withdrawn  # the deleted record is marked, not duplicated
    assert Paper.objects.count() == 2
    assert "1 withdrawn" in out


def test_harvest_record_listed_again_after_its_deletion_is_no_longer_withdrawn(replay):
    replay((200, "page2_last.xml", {}))
    run_command("harvest_arxiv", "--from", "2018-01-20", "--until", "2018-01-26")
    replay((200, "page_deleted.xml", {}))
    run_command("harvest_arxiv")
    assert Paper.objects.get(arxiv_id="1601.03238").withdrawn
    replay((200, "page2_last.xml", {}))  # listed again, unchanged
    out, err, status = run_command("harvest_arxiv", "--from", "2018-01-27")
    assert status == 0, err
    assert not Paper.objects.get(arxiv_id="1601.03238").withdrawn
    assert Paper.objects.count() == 2


def test_harvest_reports_oai_error_by_code(replay):
    replay((200, "error_badArgument.xml", {}))
    out, err, status = run_command("harvest_arxiv", "--from", "2018-01-25")
    assert status == 2
    assert "badArgument" in err
    assert HarvestCheckpoint.objects.get().last_error.startswith("badArgument")


def test_harvest_no_records_match_is_not_an_error(replay):
    body = (
        b'<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        b"<responseDate>2018-02-01T00:00:00Z</responseDate><request>x</request>"
        b'<error code="noRecordsMatch">No records</error></OAI-PMH>'
    )
    replay((200, body, {}))
    out, err, status = run_command("harvest_arxiv", "--from", "2018-01-31")
    assert status == 0, err
    assert "finished" in out


def test_harvest_from_files_imports_saved_pages(fixture_path):
    out, err, status = run_command(
        "harvest_arxiv",
        "--from-file",
        str(fixture_path("oai_harvest/page1_token.xml")),
        str(fixture_path("oai_harvest/page2_last.xml")),
    )
    assert status == 0, err
    assert Paper.objects.count() == 2
    out, err, status = run_command("harvest_arxiv", "--from-file", str(fixture_path("oai_harvest/page2_last.xml")))
    assert "0 imported, 0 updated, 2 unchanged" in out


def test_harvest_from_files_names_a_broken_file_and_imports_the_rest(fixture_path):
    out, err, status = run_command(
        "harvest_arxiv",
        "--from-file",
        str(fixture_path("oai_harvest/page_truncated.xml")),
        str(fixture_path("oai_harvest/page2_last.xml")),
    )
    assert status == 1
    assert "page_truncated.xml" in err and "malformedXml" in err
    assert Paper.objects.count() == 2


def test_harvest_refuses_a_date_that_is_not_one():
    out, err, status = run_command("harvest_arxiv", "--from", "2018-02-30")
    assert status != 0
    assert "--from" in err and "not a date (YYYY-MM-DD): 2018-02-30" in err
    assert not HarvestCheckpoint.objects.exists()


def test_harvest_dry_run_from_files_counts_without_writing(fixture_path, django_assert_num_queries):
    run_command("harvest_arxiv", "--from-file", str(fixture_path("oai_harvest/page2_last.xml")))
    stored = set(Paper.objects.values_list("bibtex_key", "updated", "withdrawn"))
    pages = [
        fixture_path("oai_pmh/arxivraw_GetRecord_1302.2146.xml"),  # a new paper
        fixture_path("oai_harvest/page1_token.xml"),  # a stored one
        fixture_path("oai_harvest/page_deleted.xml"),  # a stored one deleted
    ]

    with django_assert_num_queries(3):  # one a page: the records' keys, or the deleted ids
        out, err, status = run_command("harvest_arxiv", "--dry-run", "--from-file", *map(str, pages))

    assert status == 0, err
    assert out.splitlines()[-1] == "Dry run, nothing written: 1 imported, 0 updated, 1 unchanged, 0 skipped"
    assert "page_deleted.xml: 0 records, 1 would be withdrawn" in out
    assert set(Paper.objects.values_list("bibtex_key", "updated", "withdrawn")) == stored
    assert not HarvestCheckpoint.objects.exists()


def oai_url(**params) -> str:
    return with_params(settings.ARXIV_OAI_URL, params)


FIRST_PAGE = oai_url(verb="ListRecords", metadataPrefix="arXiv", **{"from": "2018-01-25"})
NEXT_PAGE = oai_url(verb="ListRecords", resumptionToken="2448315|1001")


@pytest.fixture
def oai_replay(monkeypatch):
    """The harvest's client replaying the two pages of a list from tests/fixtures/oai_harvest/."""
    client = replay_client(
        {FIRST_PAGE: (200, "oai_harvest/page1_token.xml"), NEXT_PAGE: (200, "oai_harvest/page2_last.xml")},
        min_interval=3.0,
    )
    monkeypatch.setattr("papers.harvest.oai_client", lambda: client)
    return client


def paper_writes(queries) -> list[str]:
    """The statements of `queries` that are neither reads nor the savepoints of a transaction."""
    return [q["sql"] for q in queries if not q["sql"].startswith(("SELECT", "SAVEPOINT", "RELEASE SAVEPOINT"))]


def test_harvest_dry_run_reads_every_page_and_writes_nothing(oai_replay):
    with CaptureQueriesContext(connection) as queries:
        out, err, status = run_command("harvest_arxiv", "--dry-run", "--from", "2018-01-25")

    assert status == 0, err
    assert oai_replay.requested == [FIRST_PAGE, NEXT_PAGE]
    assert "page 2: 3/3 records" in out
    assert "Harvest started as a dry run, 2 pages, 0 would be withdrawn, read to the end of the list" in out
    # Counted as papers_import(dry_run=True) counts: 1401.2122, on both pages and not stored, twice created.
    assert out.splitlines()[-1] == "Dry run, nothing written: 3 imported, 0 updated, 0 unchanged, 0 skipped"
    assert paper_writes(queries) == []
    assert not Paper.objects.exists()
    assert not HarvestCheckpoint.objects.exists()


def test_harvest_dry_run_resumes_from_the_checkpoint_and_leaves_it_as_it_was(oai_replay):
    run_command("harvest_arxiv", "--from", "2018-01-25", "--max-pages", "1")
    checkpoint = HarvestCheckpoint.objects.values().get()
    oai_replay.requested.clear()

    out, err, status = run_command("harvest_arxiv", "--dry-run")

    assert status == 0, err
    assert oai_replay.requested == [NEXT_PAGE]
    assert "Harvest resumed as a dry run, 1 pages" in out
    assert out.splitlines()[-1] == "Dry run, nothing written: 1 imported, 0 updated, 1 unchanged, 0 skipped"
    assert Paper.objects.count() == 1
    assert HarvestCheckpoint.objects.values().get() == checkpoint  # its token, counts and updated_at included

    out, err, status = run_command("harvest_arxiv")  # the real run resumes where the dry run did
    assert status == 0, err
    assert oai_replay.requested == [NEXT_PAGE, NEXT_PAGE]
    assert Paper.objects.count() == 2


def test_harvest_page_with_an_author_name_too_long_stores_the_paper_with_the_name_shortened(fixture_bytes):
    page = parse_oai_page(fixture_bytes("oai_harvest/page1_token.xml"))  # recorded arXiv OAI-PMH page
    record = page.records[0]
    record.authors[0] = "A" * 350
    result = ImportResult()

    oai_page_store(page=page, result=result)

    assert result.created == len(page.records) and not result.skipped
    assert [(note.ref, note.kept) for note in result.notes] == [(record.bibtex_key, True)]
    assert Paper.objects.get(bibtex_key=record.bibtex_key).author_names[0] == "A" * 299 + "…"


def test_harvest_stores_searchable_papers(replay):
    replay((200, "page1_token.xml", {}), (200, "page2_last.xml", {}))
    run_command("harvest_arxiv", "--from", "2018-01-25", "--until", "2018-01-26")
    paper = Paper.objects.get(bibtex_key="journals/corr/1601.03238")
    assert finds(Paper.objects.filter(pk=paper.pk), paper.title)
    assert finds(Paper.objects.filter(pk=paper.pk), paper.author_names[0])
