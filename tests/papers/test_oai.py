"""papers.importers.oai: arXiv OAI-PMH pages (arXiv and arXivRaw formats) parsed into records, on real responses."""

import datetime

import pytest

from papers.importers.oai import OaiErrorCode, parse_oai_page

LIST_PAGE = "oai_pmh/arxivraw_ListRecords_from2014-10-01_resumptionToken.xml"


def test_parse_oai_page_arxiv_format_record(fixture_bytes):
    page = parse_oai_page(fixture_bytes("oai_pmh/arxiv_GetRecord_1401.2122.xml"))

    assert page.error is None and page.problems == [] and page.deleted == []
    assert page.resumption_token is None
    assert page.response_date == "2018-01-26T09:05:29Z"
    [record] = page.records
    assert record.bibtex_key == "journals/corr/1401.2122"
    assert record.arxiv_id == "1401.2122"
    assert record.title == "New integrable (3+1)-dimensional systems and contact geometry"
    assert record.authors == ["A. Sergyeyev"]
    assert record.published == datetime.date(2014, 1, 9)
    assert record.updated == datetime.date(2017, 10, 23)
    assert record.year == 2014
    assert record.doi == "10.1007/s11005-017-1013-4"
    assert record.keywords == ["math.AP", "hep-th", "math-ph", "math.DG", "math.MP", "nlin.SI"]
    assert record.urls == ["https://arxiv.org/abs/1401.2122"]
    assert (record.published_in, record.source) == ("arXiv", "arxiv")
    assert record.abstract.startswith("We introduce a novel systematic construction for integrable (3+1)-dimensional")
    assert "\n" not in record.abstract and "  " not in record.abstract
    assert record.abstract.endswith("rational in the spectral parameter.")


def test_parse_oai_page_without_namespace_declaration_and_collaboration_author(fixture_bytes):
    page = parse_oai_page(fixture_bytes("oai_pmh/arxiv_GetRecord_1601.03238_edited.xml"))

    [record] = page.records
    assert record.authors == ["Planck Collaboration", "Jieci Wang", "Zehua Tian", "Jiliang Jing", "Heng Fan"]
    assert record.title == "Irreversible degradation of quantum coherence under relativistic motion"
    assert record.doi == "10.1103/physrevd.93.016005"  # the first of three, lower-cased
    assert record.published == record.updated == datetime.date(2016, 1, 13)  # no <updated>: one version
    assert record.keywords[0] == "quant-ph"


def test_parse_oai_page_arxivraw_dates_come_from_versions(fixture_bytes):
    page = parse_oai_page(fixture_bytes("oai_pmh/arxivraw_GetRecord_1302.2146.xml"))

    [record] = page.records
    assert record.published == datetime.date(2013, 2, 8)  # v1
    assert record.updated == datetime.date(2013, 4, 2)  # v2
    assert record.year == 2013
    assert record.authors == ["Joshua Berger", "Maxim Perelstein", "Michael Saelim", "Philip Tanedo"]
    assert record.doi == ""
    assert record.keywords == ["hep-ph", "hep-ex"]


def test_parse_oai_page_list_records_with_resumption_token(fixture_bytes):
    page = parse_oai_page(fixture_bytes(LIST_PAGE))

    assert page.error is None and page.problems == []
    assert page.resumption_token == "726959|1001"
    assert page.complete_list_size == 58011
    assert page.cursor == 0
    assert [r.arxiv_id for r in page.records] == [
        "0704.0471",
        "0704.0716",
        "0704.0874",
        "0704.1109",
        "0704.1114",
        "0704.1586",
    ]
    first, second = page.records[:2]
    assert first.authors == ["D.V. Shetty", "S.J. Yennello", "G.A. Souliotis"]  # "X, Y, and Z"
    assert first.doi == "10.1103/physrevc.76.024606"  # two DOIs separated by a space: the first
    assert first.title == (
        "Density dependence of the symmetry energy and the nuclear equation of state: "
        "A Dynamical and Statistical model perspective"
    )
    assert 'extremely " stiff " and " soft "' in first.abstract  # &quot; decoded
    assert second.published == datetime.date(2007, 4, 5)  # v1 of four
    assert second.updated == datetime.date(2008, 11, 14)  # v4


def test_parse_oai_page_thousand_record_page(fixture_bytes):
    page = parse_oai_page(fixture_bytes("oai_pmh/arxivraw_ListRecords_resumption_496549-47001_1000records.xml"))

    assert page.error is None and page.problems == []
    assert len(page.records) == 1000
    assert len({r.bibtex_key for r in page.records}) == 1000
    assert page.resumption_token == "496549|47001"
    assert page.complete_list_size == 907096
    assert page.cursor == 46000
    assert all(r.title and r.published and r.authors for r in page.records)
    by_id = {r.arxiv_id: r for r in page.records}
    assert by_id["0801.3674"].authors == ["Robert H. Brandenberger", "Keshav Dasgupta", "Anne-Christine Davis"]


@pytest.mark.parametrize(
    "name, code, words",
    [
        ("oai_pmh/error_badArgument.xml", OaiErrorCode.BAD_ARGUMENT, "illegal argument 'identifier'"),
        ("oai_pmh/error_idDoesNotExist.xml", OaiErrorCode.ID_DOES_NOT_EXIST, "oai:arXiv.org:0813.2274"),
    ],
)
def test_parse_oai_page_error_response(fixture_bytes, name, code, words):
    page = parse_oai_page(fixture_bytes(name))

    assert page.error.code is code
    assert words in page.error.message
    assert page.records == [] and page.resumption_token is None


@pytest.mark.parametrize(
    "element, message",
    [
        (b'<error code="tooBusy">Come back later</error>', "tooBusy: Come back later"),
        (b"<error>Come back later</error>", "Come back later"),
    ],
)
def test_parse_oai_page_error_code_outside_the_protocol_is_unknown(element, message):
    page = parse_oai_page(
        b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2018-02-01T00:00:00Z</responseDate>'
        + element
        + b"</OAI-PMH>"
    )

    assert page.error.code is OaiErrorCode.UNKNOWN
    assert page.error.message == message
    assert str(page.error) == f"unknown: {message}"


def test_parse_oai_page_one_broken_record_costs_only_itself(fixture_bytes):
    page = parse_oai_page(fixture_bytes("oai_pmh/handmade_ListRecords_one_broken_record.xml"))

    assert page.error is None  # the envelope is fine: the harvest can go on
    [problem] = page.problems
    assert problem.ref == "0704.0716"
    assert problem.line == 41
    assert "mismatched tag" in problem.reason and "line 41, column" in problem.reason
    assert [r.arxiv_id for r in page.records] == ["0704.0471", "0704.0874", "0704.1109", "0704.1114", "0704.1586"]
    assert page.resumption_token == "726959|1001"
    assert page.complete_list_size == 58011


def test_parse_oai_page_truncated_page_keeps_whole_records_and_reports_where(fixture_bytes):
    data = fixture_bytes(LIST_PAGE)
    cut = data[: data.index(b"<identifier>oai:arXiv.org:0704.1114")]  # a download cut inside record five

    page = parse_oai_page(cut)

    assert page.error.code == OaiErrorCode.MALFORMED_XML
    assert "line" in page.error.message and "column" in page.error.message
    assert [r.arxiv_id for r in page.records] == ["0704.0471", "0704.0716", "0704.0874", "0704.1109"]
    assert page.resumption_token is None


@pytest.mark.parametrize(
    "data, code",
    [
        (b"", OaiErrorCode.MALFORMED_XML),
        (b"<html><body><h1>503 Service Unavailable", OaiErrorCode.MALFORMED_XML),
        (b"<html><body>Retry after 20 seconds</body></html>", OaiErrorCode.NOT_OAI_PMH),
        (b"\xff\xfe not even text", OaiErrorCode.MALFORMED_XML),
    ],
)
def test_parse_oai_page_unreadable_page_is_an_error_not_an_exception(data, code):
    page = parse_oai_page(data)

    assert page.error.code is code
    assert page.records == [] and page.resumption_token is None


def test_parse_oai_page_refuses_entity_definitions():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>&lol2;</responseDate></OAI-PMH>'
    )
    page = parse_oai_page(laughs)

    assert page.error.code == OaiErrorCode.MALFORMED_XML
    assert "document type" in page.error.message


def test_parse_oai_page_deleted_record_gives_its_arxiv_id(fixture_bytes):
    data = fixture_bytes(LIST_PAGE).replace(
        b"<header>\n <identifier>oai:arXiv.org:0704.0874</identifier>",
        b'<header status="deleted">\n <identifier>oai:arXiv.org:0704.0874</identifier>',
    )
    page = parse_oai_page(data)

    assert page.deleted == ["0704.0874"]
    assert "0704.0874" not in [r.arxiv_id for r in page.records]
    assert len(page.records) == 5


def test_parse_oai_page_record_without_title_or_id_is_a_problem(fixture_bytes):
    data = fixture_bytes(LIST_PAGE)
    data = data.replace(b"<title>Limit distributions and scaling functions</title>", b"")
    data = data.replace(b"<id>0704.1109</id>", b"<id>not-an-id</id>")

    page = parse_oai_page(data)

    assert page.error is None
    assert {(p.ref, p.reason) for p in page.problems} == {
        ("0704.0716", "no title"),
        ("0704.1109", "not an arXiv id: 'not-an-id'"),
    }
    assert len(page.records) == 4
