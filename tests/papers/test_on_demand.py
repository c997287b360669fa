"""Looking up an unknown arXiv id, arXiv URL or DOI imports it on the spot (F-IMPORT, F-URL). The network is never
used: the on-demand client replays recorded answers from tests/fixtures/."""

import datetime

import pytest
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from papers import fetch, on_demand, views
from papers.models import Author, Paper
from papers.on_demand import ImportFailure
from tests.factories import make_paper
from tests.http_replay import replay_client
from tests.search import finds

pytestmark = pytest.mark.django_db

ARXIV = "https://export.arxiv.org/api/query?id_list={}&max_results=1"
CROSSREF = "https://api.crossref.org/works/{}"
IMPORTED_ARXIV = "/paper?bibtexKey=journals/corr/2104.12255"
IMPORTED_DOI = "/paper?bibtexKey=10.1109/cvpr.2016.90"


@pytest.fixture(autouse=True)
def _forget_failures():
    cache.clear()  # failures are remembered in the cache, which outlives a test
    yield
    cache.clear()


@pytest.fixture
def sources(monkeypatch):
    """Replaces the on-demand clients by one replaying recorded answers. `answers` maps a URL to (status, fixture
    file) or to an exception the transport raises; `requested` lists the URLs asked. Any other URL fails the test."""
    client = replay_client(
        {
            ARXIV.format("2104.12255"): (200, "arxiv_api/id_2104.12255v1.xml"),
            ARXIV.format("2301.00001"): (200, "arxiv_api/empty_id_0000.0000.xml"),
            CROSSREF.format("10.1109/cvpr.2016.90"): (200, "crossref/works_10.1109_cvpr.2016.90.json"),
            CROSSREF.format("10.0000/missing"): (404, "crossref/not_found_404.txt"),
        },
        timeout=10.0,
        retries=1,
    )
    monkeypatch.setattr(fetch, "on_demand_client", lambda source: client)
    return client


@pytest.mark.parametrize(
    "given", ["2104.12255v1", "2104.12255", "https://arxiv.org/pdf/2104.12255v1", "arXiv:2104.12255"]
)
def test_paper_page_imports_unknown_arxiv_id_and_redirects(client, sources, given):
    response = client.get("/paper", {"bibtexKey": given})

    assert response.status_code == 302
    assert response["Location"] == IMPORTED_ARXIV
    assert sources.requested == [ARXIV.format("2104.12255")]
    paper = Paper.objects.get()
    assert (paper.bibtex_key, paper.arxiv_id, paper.source, paper.title) == (
        "journals/corr/2104.12255",
        "2104.12255",
        "arxiv",
        "0",
    )
    assert paper.author_names == ["Quan Thoi Minh Nguyen"]
    assert client.get(response["Location"]).status_code == 200


def test_paper_page_import_keeps_the_focus_parameter(client, sources):
    response = client.get("/paper", {"bibtexKey": "2104.12255", "a": "joe"})
    assert response["Location"] == IMPORTED_ARXIV + "&a=joe"


@pytest.mark.parametrize("q", ["2104.12255v1", "https://arxiv.org/abs/2104.12255v1", "10.48550/arXiv.2104.12255"])
def test_lookup_box_imports_unknown_arxiv_id(client, sources, q):
    response = client.get(reverse("summaries:search"), {"q": q})

    assert response.status_code == 302
    assert response["Location"] == IMPORTED_ARXIV
    assert sources.requested == [ARXIV.format("2104.12255")]  # arXiv DOIs are asked of arXiv, not Crossref
    assert Paper.objects.filter(bibtex_key="journals/corr/2104.12255").exists()


@pytest.mark.parametrize(
    "given", ["10.1109/CVPR.2016.90", "doi:10.1109/cvpr.2016.90", "https://doi.org/10.1109/CVPR.2016.90"]
)
def test_paper_page_imports_unknown_doi_from_crossref(client, sources, given):
    response = client.get("/paper", {"bibtexKey": given})

    assert response.status_code == 302
    assert response["Location"] == IMPORTED_DOI
    assert sources.requested == [CROSSREF.format("10.1109/cvpr.2016.90")]
    paper = Paper.objects.get()
    assert (paper.bibtex_key, paper.doi, paper.source, paper.year) == (
        "10.1109/cvpr.2016.90",
        "10.1109/cvpr.2016.90",
        "crossref",
        2016,
    )
    assert paper.published == datetime.date(2016, 6, 1)
    assert paper.author_names == ["Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun"]
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Deep Residual Learning for Image Recognition" in page.content.decode()


def test_lookup_box_imports_unknown_doi(client, sources):
    response = client.get(reverse("summaries:search"), {"q": "https://doi.org/10.1109/CVPR.2016.90"})
    assert (response.status_code, response["Location"]) == (302, IMPORTED_DOI)


@pytest.mark.parametrize("error", [OSError("Network is unreachable"), ConnectionRefusedError("Connection refused")])
def test_unreachable_source_shows_friendly_503_and_writes_nothing(client, sources, error):
    sources.answers[ARXIV.format("2104.12255")] = error

    response = client.get("/paper", {"bibtexKey": "2104.12255v1"})

    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == str(fetch.FAILURE_TTL)
    assert '<meta name="robots" content="noindex">' in html
    assert "<code>2104.12255v1</code> is not on ShortScience yet" in html
    assert ARXIV.format("2104.12255").replace("&", "&amp;") in html  # what was asked
    assert "arXiv could not be reached" in html
    assert '<a href="/paper?bibtexKey=2104.12255v1">Try again</a>' in html
    assert len(sources.requested) == 2  # one retry, then the reader gets an answer
    assert not Paper.objects.exists()


def test_timeout_shows_friendly_503(client, sources):
    sources.answers[CROSSREF.format("10.1109/cvpr.2016.90")] = TimeoutError("timed out")

    response = client.get("/search?q=10.1109/CVPR.2016.90")

    assert response.status_code == 503
    html = response.content.decode()
    assert "Crossref did not answer within 10 seconds" in html
    assert '<a href="/search?q=10.1109/CVPR.2016.90">Try again</a>' in html
    assert not Paper.objects.exists()


def test_arxiv_not_found_shows_friendly_404(client, sources):
    response = client.get("/paper", {"bibtexKey": "2301.00001"})

    html = response.content.decode()
    assert response.status_code == 404
    assert "Paper not found" in html
    assert "arXiv has no paper with the id 2301.00001" in html
    assert "Try again</a>" in html
    assert not Paper.objects.exists()


def test_crossref_not_found_shows_friendly_404(client, sources):
    response = client.get(reverse("summaries:search"), {"q": "10.0000/MISSING"})

    assert response.status_code == 404
    assert "DOI not found at Crossref" in response.content.decode()
    assert not Paper.objects.exists()


def test_source_error_answer_shows_friendly_502(client, sources):
    sources.answers[ARXIV.format("2301.00001")] = (400, "arxiv_api/error_400_incorrect_id_format_abc.xml")

    response = client.get("/paper", {"bibtexKey": "2301.00001"})

    assert response.status_code == 502
    assert "arXiv answered HTTP 400: incorrect id format for abc" in response.content.decode()
    assert not Paper.objects.exists()


def test_failures_are_remembered_so_the_source_is_not_asked_again(client, sources):
    sources.answers[ARXIV.format("2104.12255")] = OSError("Network is unreachable")
    first = client.get("/paper", {"bibtexKey": "2104.12255"})
    asked = len(sources.requested)

    again = client.get("/paper", {"bibtexKey": "https://arxiv.org/abs/2104.12255v1"})  # same paper, other form
    lookup = client.get(reverse("summaries:search"), {"q": "2104.12255"})

    assert first.status_code == again.status_code == lookup.status_code == 503
    assert len(sources.requested) == asked
    assert "arXiv could not be reached" in again.content.decode()

    cache.clear()  # the remembered failure expires: the source is asked again, and now answers
    sources.answers[ARXIV.format("2104.12255")] = (200, "arxiv_api/id_2104.12255v1.xml")
    assert client.get("/paper", {"bibtexKey": "2104.12255"})["Location"] == IMPORTED_ARXIV
    assert len(sources.requested) == asked + 1


def test_not_found_is_remembered_longer_than_an_outage(client, sources, monkeypatch):
    remembered = {}

    class RecordingCache:
        def get(self, key):
            return None

        def add(self, key, value, timeout):
            return True

        def delete(self, key):
            pass

        def set(self, key, value, timeout):
            if "failure" in value:
                remembered[value["failure"]] = timeout

    monkeypatch.setattr(fetch, "cache", RecordingCache())
    client.get("/paper", {"bibtexKey": "2301.00001"})
    sources.answers[ARXIV.format("2104.12255")] = OSError("down")
    client.get("/paper", {"bibtexKey": "2104.12255"})

    expected = {ImportFailure.NOT_FOUND: fetch.NOT_FOUND_TTL, ImportFailure.UNREACHABLE: fetch.FAILURE_TTL}
    assert remembered == expected
    assert fetch.NOT_FOUND_TTL > fetch.FAILURE_TTL


def test_known_paper_never_calls_the_source(client, sources):
    make_paper(bibtex_key="journals/corr/2104.12255", arxiv_id="2104.12255", source="arxiv")
    make_paper(bibtex_key="10.1109/cvpr.2016.90", doi="10.1109/cvpr.2016.90", source="crossref")

    assert client.get("/paper", {"bibtexKey": "2104.12255v1"})["Location"] == IMPORTED_ARXIV
    assert client.get("/paper", {"bibtexKey": "https://doi.org/10.1109/CVPR.2016.90"})["Location"] == IMPORTED_DOI
    # An arXiv DOI is not stored on the paper, but names its arXiv id.
    assert client.get("/paper", {"bibtexKey": "10.48550/arXiv.2104.12255"})["Location"] == IMPORTED_ARXIV
    assert client.get(reverse("summaries:search"), {"q": "2104.12255"})["Location"] == IMPORTED_ARXIV
    assert sources.requested == []
    assert Paper.objects.count() == 2


@pytest.mark.parametrize("key", ["conf/nope/Missing99", "Nope2019", "journals/corr/abs-1234"])
def test_other_unknown_keys_stay_a_plain_404_without_asking(client, sources, key):
    response = client.get("/paper", {"bibtexKey": key})

    assert response.status_code == 404
    assert f"Unknown paper: {key}" in response.content.decode()
    assert sources.requested == []


@pytest.mark.parametrize(
    "key, reason",
    [
        ("1999.99999", "not a valid arXiv id: 1999 is not a month from 0704 to"),
        ("0000.0000", "not a valid arXiv id: 0000 is not a month"),
        ("2301.0001", "not a valid arXiv id: ids of 2301 have 5-digit numbers"),
        ("hep-th/0801001", "not a valid arXiv id: old-style ids (archive/YYMMNNN) run from 9108 to 0703"),
        ("foo-bar/0601001", "not a valid arXiv id: arXiv never had an archive named foo-bar"),
        ("2301.00000", "not a valid arXiv id: no arXiv paper has the number 0"),
        ("10.1234/../../../x", "not a valid DOI: a DOI has no . or .. path segments"),
        ("doi:10.1234/a/./b", "not a valid DOI: a DOI has no . or .. path segments"),
        ("10.1234/" + "x" * 200, "not a valid DOI: a DOI is at most 200 characters long"),
        ("10.1234/a\u200bb", "not a valid DOI: a DOI has no spaces or control characters"),
        ("10.48550/arXiv.1913.00001", "not a valid arXiv id: 1913 is not a month"),
    ],
)
def test_invalid_identifiers_are_refused_with_404_and_never_sent(client, sources, key, reason):
    for response in (client.get("/paper", {"bibtexKey": key}), client.get(reverse("summaries:search"), {"q": key})):
        html = response.content.decode()
        assert response.status_code == 404
        assert '<meta name="robots" content="noindex">' in html
        assert reason in html
        assert "so we did not look it up anywhere" in html
    assert sources.requested == []
    assert on_demand.paper_find_or_import(key).failure == ImportFailure.REFUSED


@pytest.mark.parametrize("key", ["10.1234/a\x00b", "10.1234/a\x01b"])
def test_an_identifier_with_a_control_character_is_refused_before_any_lookup(client, sources, key):
    """The pages refuse it as they read their parameters (a NUL already at the door: BadInputMiddleware)."""
    assert client.get("/paper", {"bibtexKey": key}).status_code in (400, 404)
    assert client.get(reverse("summaries:search"), {"q": key}).status_code == 400
    assert sources.requested == []
    found = on_demand.paper_find_or_import(key)
    assert found.failure == ImportFailure.REFUSED
    assert "not an identifier: it has control characters" in found.reason


def test_lookup_box_text_that_is_no_identifier_searches_titles(client, sources):
    response = client.get(reverse("summaries:search"), {"q": "deep residual"})
    assert response.status_code == 200
    assert sources.requested == []


def test_only_get_imports(client, sources):
    response = client.post("/paper?bibtexKey=2104.12255")
    assert response.status_code == 405  # the paper page is read-only: its forms post to their own addresses
    assert sources.requested == []
    assert not Paper.objects.exists()


def test_failure_while_storing_leaves_no_paper(client, sources, monkeypatch):
    """The paper is written, then something fails before the import finishes: nothing of it stays."""
    real_upsert = fetch.paper_upsert

    def upsert_then_fail(*, record):
        real_upsert(record=record)
        assert Paper.objects.filter(bibtex_key=record.bibtex_key).exists()  # the paper was written ...
        raise DatabaseError("disk full")  # ... and the import failed after

    monkeypatch.setattr(fetch, "paper_upsert", upsert_then_fail)

    response = client.get("/paper", {"bibtexKey": "2104.12255"})

    assert response.status_code == 503
    assert "the paper could not be saved" in response.content.decode()
    assert not Paper.objects.exists()
    assert not Author.objects.exists()


def test_service_returns_known_imported_and_failed_results(sources):
    imported = on_demand.paper_find_or_import("https://arxiv.org/abs/2104.12255v1")
    assert imported.ok and imported.created
    assert (imported.source, imported.url) == ("arXiv", ARXIV.format("2104.12255"))

    known = on_demand.paper_find_or_import("2104.12255")
    assert known.paper == imported.paper and not known.created

    missing = on_demand.paper_find_or_import("doi:10.0000/missing")
    assert not missing.ok
    assert (missing.failure, missing.reason, missing.source) == (
        ImportFailure.NOT_FOUND,
        "DOI not found at Crossref",
        "Crossref",
    )
    assert missing.url == CROSSREF.format("10.0000/missing")
    assert not missing.cached and on_demand.paper_find_or_import("10.0000/MISSING").cached

    assert on_demand.paper_find_or_import("not an id").failure == ImportFailure.NOT_IMPORTABLE
    assert len(sources.requested) == 2


@pytest.mark.parametrize(
    "identifier, target",
    [
        ("0704.0001", ("arxiv", "0704.0001")),
        ("1412.9999v3", ("arxiv", "1412.9999")),
        ("1501.00001", ("arxiv", "1501.00001")),
        ("hep-th/9901001", ("arxiv", "hep-th/9901001")),
        ("math.GT/0309136v2", ("arxiv", "math.GT/0309136")),
        ("https://doi.org/10.1109/CVPR.2016.90", ("crossref", "10.1109/cvpr.2016.90")),
        ("10.48550/arXiv.1512.03385", ("arxiv", "1512.03385")),
        ("0703.0001", None),  # new-style ids start in April 2007
        ("1501.0001", None),  # five digits from 2015
        ("1412.00001", None),
        ("1913.00001", None),  # no month 13
        ("9901.00001", None),  # 2099
        ("hep-th/0704001", None),  # old-style ids end in March 2007
        ("hep-th/9013001", None),
        ("conf/nips/RenHGS15", None),
        ("deep residual", None),
    ],
)
def test_on_demand_target(identifier, target):
    assert fetch.on_demand_target(identifier) == target


def test_on_demand_client_is_shared_polite_and_quick(settings):
    client = fetch.on_demand_client("arxiv")
    assert fetch.on_demand_client("arxiv") is client  # one per process: look-ups by many readers are spaced
    assert client.min_interval >= 3.0
    assert (client.timeout, client.retries) == (fetch.ON_DEMAND_TIMEOUT, 1)
    assert fetch.on_demand_client("crossref").user_agent == settings.HTTP_USER_AGENT


def test_every_failure_but_not_importable_has_an_answer():
    # The view answers every failure from this table; NOT_IMPORTABLE never reaches it (the view returns before).
    kinds = set(ImportFailure) - {ImportFailure.NOT_IMPORTABLE}
    assert set(views.IMPORT_FAILURE_STATUS) == kinds


def test_a_remembered_failure_is_answered_with_one_look_up_of_the_identifier(client, sources):
    """The views look the identifier up once (paper_find_or_import: by key, by alias, by arXiv key or id)."""
    sources.answers[ARXIV.format("2104.12255")] = OSError("Network is unreachable")
    client.get("/paper", {"bibtexKey": "2104.12255"})  # the failure is remembered

    with CaptureQueriesContext(connection) as paper_page:
        assert client.get("/paper", {"bibtexKey": "2104.12255"}).status_code == 503
    with CaptureQueriesContext(connection) as lookup_box:
        assert client.get(reverse("summaries:search"), {"q": "2104.12255"}).status_code == 503

    assert len(paper_page) == 3  # key, alias, arXiv key or id (it was 9, then 5)
    assert len(lookup_box) == 3  # the same three (it was 8, then 4)


def test_on_demand_import_stores_a_searchable_paper(client, sources):
    client.get("/paper", {"bibtexKey": "10.1109/CVPR.2016.90"})
    papers = Paper.objects.filter(doi="10.1109/cvpr.2016.90")
    assert finds(papers, '"deep residual learning" Zhang')
