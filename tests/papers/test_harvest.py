"""The OAI-PMH harvester, against recorded pages replayed by a fake transport (never the network)."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from papers.models import HarvestCheckpoint, Paper
from shortscience.http import HttpClient, Response
from tests.commands import run_command

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
