import datetime

import pytest

from papers.importers.arxiv_api import arxiv_client, fetch_arxiv, id_list_url, parse_arxiv_atom
from shortscience.http import Response
from tests.http_replay import arxiv_ids, arxiv_replay_client


@pytest.fixture
def parse(fixture_bytes):
    return lambda name: parse_arxiv_atom(fixture_bytes(f"arxiv_api/{name}"))


def test_parse_versioned_id(parse):
    records, problems = parse("id_2104.12255v1.xml")

    assert problems == []
    [record] = records
    assert record.bibtex_key == "journals/corr/2104.12255"
    assert record.arxiv_id == "2104.12255"
    assert record.title == "0"
    assert record.abstract.startswith("What is the funniest number in cryptography? 0.")
    assert record.authors == ["Quan Thoi Minh Nguyen"]
    assert (record.published, record.updated, record.year) == (
        datetime.date(2021, 4, 20),
        datetime.date(2021, 4, 20),
        2021,
    )
    assert (record.published_in, record.source, record.doi) == ("arXiv", "arxiv", "")
    assert record.keywords == ["cs.CR"]
    assert record.urls == ["https://arxiv.org/abs/2104.12255", "https://arxiv.org/pdf/2104.12255"]


def test_parse_old_style_id(parse):
    [record], problems = parse("id_astro-ph_0601001.xml")

    assert problems == []
    assert record.bibtex_key == "journals/corr/astro-ph/0601001"
    assert record.arxiv_id == "astro-ph/0601001"
    assert record.authors == ["Andrew Gould", "Susan Dorsher", "B. Scott Gaudi", "Andrzej Udalski"]
    assert record.year == 2006
    assert record.urls[0] == "https://arxiv.org/abs/astro-ph/0601001"
    # Leading spaces dropped, TeX kept as is, entities decoded.
    assert record.abstract.startswith("We derive the frequencies of hot Jupiters")
    assert "(1/310)(1^{+1.39}_{-0.59})" in record.abstract
    assert "Gould & Morgan (2003)" in record.abstract
    assert "V_max<17.5" in record.abstract


def test_parse_legacy_2016_feed(parse):
    [record], problems = parse("legacy2016_id_list_1111.2011v2.xml")

    assert problems == []
    assert record.bibtex_key == "journals/corr/1111.2011"
    assert record.title == "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"
    assert "\n" not in record.abstract
    assert "  " not in record.abstract
    assert record.authors == ["James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic"]
    assert record.published == datetime.date(2011, 11, 8)
    assert record.updated == datetime.date(2012, 4, 2)
    assert record.year == 2011
    assert record.doi == "10.1103/physrevb.85.115117"
    assert record.keywords == ["cond-mat.str-el", "cond-mat.stat-mech"]
    assert record.urls == ["https://arxiv.org/abs/1111.2011", "https://arxiv.org/pdf/1111.2011"]


def test_parse_legacy_search_with_old_style_id(parse):
    [record], problems = parse("legacy2016_search_au_del_maestro_AND_ti_checkerboard.xml")

    assert problems == []
    assert record.bibtex_key == "journals/corr/cond-mat/0603029"
    assert record.doi == "10.1103/physrevb.74.024520"
    assert record.keywords == ["cond-mat.str-el", "cond-mat.supr-con"]


def test_parse_search_feed_keeps_order_and_non_ascii(parse):
    records, problems = parse("search_testing_start0_max10.xml")

    assert problems == []
    assert len(records) == 10
    assert records[0].arxiv_id == "2202.12139"
    assert records[1].authors == ["Aurora Ramírez", "Mario Berrios", "José Raúl Romero", "Robert Feldt"]
    assert records[4].title == "ChatGPT and Software Testing Education: Promises & Perils"
    assert records[0].keywords == ["cs.SE", "cs.LG"]


def test_parse_search_feed_keeps_latex(parse):
    records, _ = parse("search_testing_start20_max10.xml")

    by_id = {record.arxiv_id: record for record in records}
    assert len(by_id) == 10
    assert by_id["2306.03845"].title == "$ω$Test: WebView-Oriented Testing for Android Applications"
    assert r"$\{1, \dots, n\}$" in by_id["2106.13414"].abstract
    assert by_id["2409.05654"].urls == [
        "https://arxiv.org/abs/2409.05654",
        "https://arxiv.org/pdf/2409.05654",
    ]
    # Primary category first, no duplicates.
    assert by_id["2008.01944"].keywords == ["q-bio.QM", "cs.IT", "eess.SP", "stat.AP"]


def test_parse_empty_feed(parse):
    assert parse("empty_id_0000.0000.xml") == ([], [])


def test_parse_error_feed_reports_arxivs_message(parse):
    records, [problem] = parse("error_400_incorrect_id_format_abc.xml")

    assert records == []
    assert problem.ref == "https://arxiv.org/api/errors#incorrect_id_format_for_abc"
    assert problem.reason == "incorrect id format for abc"


def test_parse_reports_what_is_not_a_feed():
    records, [problem] = parse_arxiv_atom(b"<html><body>Rate exceeded</body></html>", ref="page.html")
    assert records == []
    assert problem.ref == "page.html"
    assert "not an Atom feed" in problem.reason

    records, [problem] = parse_arxiv_atom(b"<feed", ref="broken.xml")
    assert "not valid XML" in problem.reason


def test_arxiv_client_follows_arxivs_rules(settings):
    client = arxiv_client()

    assert client.min_interval >= 3.0
    assert client.user_agent == settings.HTTP_USER_AGENT


def test_id_list_url():
    assert id_list_url(["2104.12255", "astro-ph/0601001"]) == (
        "https://export.arxiv.org/api/query?id_list=2104.12255,astro-ph/0601001&max_results=2"
    )


# --- fetch_arxiv, with a client that replays the recorded responses ----------------------------------------


def asked_ids(client):
    """The id lists of the queries `client` sent."""
    return [arxiv_ids(url) for url in client.requested]


def test_fetch_arxiv_resolves_ids_and_reports_the_rest():
    client = arxiv_replay_client()

    records, problems = fetch_arxiv(
        ["2104.12255v1", "https://arxiv.org/abs/astro-ph/0601001v1", "2104.12255", "0000.0000", "abc"], client
    )

    assert asked_ids(client) == [["2104.12255", "astro-ph/0601001", "0000.0000"]]
    assert [r.bibtex_key for r in records] == ["journals/corr/2104.12255", "journals/corr/astro-ph/0601001"]
    assert [(p.ref, p.reason) for p in problems] == [
        ("abc", "not an arXiv id or arXiv URL"),
        ("0000.0000", "not found on arXiv"),
    ]


def test_fetch_arxiv_batches_requests():
    client = arxiv_replay_client()

    records, problems = fetch_arxiv(["2104.12255", "astro-ph/0601001", "1111.2011"], client, batch_size=2)

    assert asked_ids(client) == [["2104.12255", "astro-ph/0601001"], ["1111.2011"]]
    assert len(records) == 3
    assert problems == []


def test_fetch_arxiv_reports_an_error_feed_per_id(fixture_bytes):
    error = Response(400, {}, fixture_bytes("arxiv_api/error_400_incorrect_id_format_abc.xml"))
    client = arxiv_replay_client(error)

    records, problems = fetch_arxiv(["2104.12255", "1111.2011"], client)

    assert records == []
    assert [(p.ref, p.reason) for p in problems] == [
        ("2104.12255", "arXiv answered HTTP 400: incorrect id format for abc"),
        ("1111.2011", "arXiv answered HTTP 400: incorrect id format for abc"),
    ]


def test_fetch_arxiv_reports_an_answer_that_is_not_a_feed():
    page = Response(200, {"Content-Type": "text/html"}, b"<html><body>Down for maintenance</body></html>")
    client = arxiv_replay_client(page)

    records, [problem] = fetch_arxiv(["2104.12255"], client)

    assert records == []
    assert problem.ref == "2104.12255"
    assert problem.reason.startswith("arXiv answered HTTP 200: not an Atom feed")


def test_fetch_arxiv_reports_a_failed_request_per_id():
    client = arxiv_replay_client(Response(503, {"retry-after": "1"}))

    records, problems = fetch_arxiv(["2104.12255v2", "1111.2011"], client)

    assert records == []
    assert [p.ref for p in problems] == ["2104.12255v2", "1111.2011"]
    assert problems[0].reason == "arXiv request failed: HTTP 503, gave up after 4 attempts"


def test_parse_keeps_the_first_valid_doi_of_several(fixture_bytes):
    feed = fixture_bytes("arxiv_api/legacy2016_id_list_1111.2011v2.xml").replace(
        b">10.1103/PhysRevB.85.115117<", b">n/a 10.1103/PhysRevB.85.115117 10.1000/other<"
    )

    [record], _ = parse_arxiv_atom(feed)

    assert record.doi == "10.1103/physrevb.85.115117"  # as the OAI and snapshot importers read it
