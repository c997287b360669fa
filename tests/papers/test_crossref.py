import datetime
import json

import pytest

from papers.importers.crossref import (
    crossref_client,
    fetch_crossref,
    jats_to_text,
    parse_crossref_work,
    work_url,
)
from papers.models import Paper
from shortscience.http import HttpClient, Response
from tests.commands import run_command
from tests.http_replay import replay_client
from tests.search import finds

CVPR = "crossref/works_10.1109_cvpr.2016.90.json"
CARBERRY = "crossref/works_10.5555_12345678.json"
NOT_FOUND = "crossref/not_found_404.txt"

RECORDED = {  # Crossref API URL -> (status, recorded answer)
    "https://api.crossref.org/works/10.1109/cvpr.2016.90": (200, CVPR),
    "https://api.crossref.org/works/10.5555/12345678": (200, CARBERRY),
    "https://api.crossref.org/works/10.9999/old-alias": (200, CVPR),
}


@pytest.fixture
def parse(fixture_bytes):
    return lambda name: parse_crossref_work(fixture_bytes(name), ref=name)


def _not_recorded(url):
    assert url.startswith("https://api.crossref.org/works/")
    return 404, NOT_FOUND


@pytest.fixture
def crossref():
    """A client replaying recorded Crossref answers (404 for any other DOI); `requested` lists the URLs asked."""
    return replay_client(
        RECORDED, default=_not_recorded, headers={"content-type": "application/json"}, min_interval=1.0
    )


def work(**message):
    return json.dumps({"status": "ok", "message-type": "work", "message": message}).encode()


def test_parse_proceedings_article(parse):
    [record], problems = parse(CVPR)

    assert problems == []
    assert record.bibtex_key == record.doi == "10.1109/cvpr.2016.90"
    assert record.title == "Deep Residual Learning for Image Recognition"
    assert record.authors == ["Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun"]
    assert record.published_in == "2016 IEEE Conference on Computer Vision and Pattern Recognition (CVPR)"
    assert (record.year, record.published) == (2016, datetime.date(2016, 6, 1))  # [[2016, 6]]: the first of June
    assert (record.entry_type, record.source) == ("inproceedings", "crossref")
    assert record.urls == ["https://doi.org/10.1109/cvpr.2016.90"]
    assert (record.abstract, record.keywords, record.arxiv_id) == ("", [], "")


def test_parse_journal_article_with_jats_abstract_and_organisation_author(parse):
    [record], problems = parse(CARBERRY)

    assert problems == []
    assert record.bibtex_key == "10.5555/12345678"
    assert record.title == "Toward a Unified Theory of High-Energy Metaphysics: Silly String Theory"
    assert record.authors == ["Josiah Carberry", "The Psychoceramics Study Group", "Pólya"]
    assert record.published_in == "Journal of Psychoceramics"
    assert record.published == datetime.date(2008, 8, 13)  # online (13th) came before print (14th)
    assert record.entry_type == "article"
    assert record.keywords == ["General Medicine", "Psychoceramics"]
    assert record.abstract == (
        "The characteristic theme of the works of Stone is the bridge between culture and society. Several "
        "narratives concerning the fatal flaw, and subsequent dialectic, of semioticist class may be found.\n\n"
        "Thus, Debord uses the term ‘the subtextual paradigm of consensus’ to denote a cultural paradox & its "
        "discourse, where x<y."
    )


@pytest.mark.parametrize(
    "dates, expected",
    [
        ({"issued": {"date-parts": [[2015]]}}, datetime.date(2015, 1, 1)),
        (
            {"published": {"date-parts": [[2019, 12, 24]]}, "issued": {"date-parts": [[2019]]}},
            datetime.date(2019, 12, 24),
        ),
        (
            {"published-print": {"date-parts": [[2020, 3]]}, "published-online": {"date-parts": [[2020, 3, 1]]}},
            datetime.date(2020, 3, 1),
        ),
        (
            {"published-print": {"date-parts": [[2021, 1, 5]]}, "published-online": {"date-parts": [[2020, 11, 30]]}},
            datetime.date(2020, 11, 30),
        ),
        ({"issued": {"date-parts": [[None]]}}, None),
        ({"issued": {"date-parts": [[2020, 13, 1]]}}, None),
        ({}, None),
    ],
)
def test_parse_publication_date(dates, expected):
    [record], _ = parse_crossref_work(work(DOI="10.1234/x", title=["T"], **dates), ref="x")
    assert record.published == expected
    assert record.year == (expected.year if expected else None)


def test_parse_title_markup_type_and_name_only_fields():
    data = work(
        DOI="10.1234/ABC",
        title=["Spin <i>and</i> H<sub>2</sub>O &amp; more"],
        author=[{"family": "Solo"}, {"given": "Only Given"}, {"affiliation": []}],
        type="posted-content",
    )
    [record], _ = parse_crossref_work(data, ref="x")
    assert record.bibtex_key == "10.1234/abc"
    assert record.title == "Spin and H2O & more"
    assert record.authors == ["Solo", "Only Given"]
    assert record.entry_type == "misc"


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"Resource not found.", "not a Crossref answer (not valid JSON"),
        (b"[]", "not a Crossref answer (not a JSON object)"),
        (
            json.dumps({"status": "failed", "message-type": "validation-failure", "message": [{"message": "bad DOI"}]}),
            "Crossref answered: bad DOI",
        ),
        (json.dumps({"status": "ok", "message-type": "work-list", "message": {"items": []}}), "not a Crossref work"),
        (work(title=["No DOI"]), "the Crossref work has no DOI"),
        (work(DOI="10.1234/x", title=[]), "the Crossref work has no title"),
    ],
)
def test_parse_reports_unusable_answers(data, reason):
    data = data.encode() if isinstance(data, str) else data
    records, [problem] = parse_crossref_work(data, ref="10.1234/x")
    assert records == []
    assert problem.ref == "10.1234/x"
    assert problem.reason.startswith(reason)


def test_jats_to_text_drops_section_titles_and_keeps_paragraphs():
    jats = "<jats:sec><jats:title>Background</jats:title><jats:p>One <jats:bold>two</jats:bold>.</jats:p></jats:sec>"
    assert jats_to_text(jats + "<jats:p>Three &lt; four</jats:p>") == "One two.\n\nThree < four"
    assert jats_to_text("<p>plain HTML</p>") == "plain HTML"


def test_fetch_crossref_names_every_doi_that_gave_no_record(crossref):
    records, problems = fetch_crossref(
        ["https://doi.org/10.1109/CVPR.2016.90", "doi:10.0000/missing", "not-a-doi", "10.48550/arXiv.2104.12255"],
        crossref,
    )

    assert [r.bibtex_key for r in records] == ["10.1109/cvpr.2016.90"]
    assert records[0].aliases == []
    assert [str(p) for p in problems] == [
        "doi:10.0000/missing: DOI not found at Crossref",
        "not-a-doi: not a DOI",
        "10.48550/arXiv.2104.12255: an arXiv DOI: Crossref does not hold it, import it from arXiv",
    ]
    assert crossref.requested == [work_url("10.1109/cvpr.2016.90"), work_url("10.0000/missing")]


def test_fetch_crossref_keeps_the_asked_doi_as_alias_when_crossref_answers_another(crossref):
    [record], problems = fetch_crossref(["10.9999/old-alias"], crossref)
    assert problems == []
    assert record.bibtex_key == "10.1109/cvpr.2016.90"
    assert record.aliases == ["10.9999/old-alias"]


def test_fetch_crossref_reports_failed_requests_and_error_answers():
    def unreachable(request):
        raise OSError("Network is unreachable")

    client = HttpClient(transport=unreachable, retries=1, sleep=lambda seconds: None)
    records, [problem] = fetch_crossref(["10.1109/cvpr.2016.90"], client)
    assert records == []
    assert problem.reason == (
        "Crossref request failed: connection failed (Network is unreachable), gave up after 2 attempts"
    )

    client = HttpClient(transport=lambda request: Response(500, {}, b"Internal Server Error\n<html>", request.url))
    records, [problem] = fetch_crossref(["10.1109/cvpr.2016.90"], client)
    assert problem.reason == "Crossref answered HTTP 500: Internal Server Error"


def test_work_url_escapes_reserved_characters_but_not_slashes():
    assert work_url("10.1002/(sici)1097-4571(199806)49:8<693::aid-asi4>3.0.co;2-0") == (
        "https://api.crossref.org/works/10.1002/%28sici%291097-4571%28199806%2949%3A8%3C693%3A%3Aaid-asi4%3E3.0.co%3B2-0"
    )


def test_crossref_client_is_polite(settings):
    settings.HTTP_USER_AGENT = "ShortScience/1 (mailto:ops@example.org)"
    client = crossref_client()
    assert client.user_agent == "ShortScience/1 (mailto:ops@example.org)"
    assert client.min_interval >= 1.0
    assert client.timeout > 0


# --- import_doi command ---------------------------------------------------------------------------------------


@pytest.fixture
def command_sources(monkeypatch, crossref):
    """The command's Crossref client replays recorded answers; its arXiv client serves 2104.12255."""
    arxiv = replay_client(default=(200, "arxiv_api/id_2104.12255v1.xml"))
    monkeypatch.setattr("papers.management.commands.import_doi.crossref_client", lambda: crossref)
    monkeypatch.setattr("papers.management.commands.import_doi.arxiv_client", lambda: arxiv)
    crossref.arxiv_requested = arxiv.requested
    return crossref


@pytest.mark.django_db
def test_import_doi_imports_every_doi_form(command_sources):
    out, err, status = run_command("import_doi", "https://doi.org/10.1109/CVPR.2016.90", "doi:10.5555/12345678")

    assert (status, err) == (0, "")
    assert "2 imported, 0 updated, 0 unchanged, 0 skipped" in out
    paper = Paper.objects.get(bibtex_key="10.1109/cvpr.2016.90")
    assert paper.author_names == ["Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun"]
    assert (paper.source, paper.doi, paper.year) == ("crossref", "10.1109/cvpr.2016.90", 2016)
    assert Paper.objects.resolve("10.5555/12345678").title.startswith("Toward a Unified Theory")


@pytest.mark.django_db
def test_import_doi_twice_changes_nothing(command_sources):
    run_command("import_doi", "10.1109/CVPR.2016.90")
    modified = Paper.objects.get().modified_at

    out, err, status = run_command("import_doi", "10.1109/CVPR.2016.90")

    assert (status, err) == (0, "")
    assert "0 imported, 0 updated, 1 unchanged, 0 skipped" in out
    assert Paper.objects.get().modified_at == modified


@pytest.mark.django_db
def test_import_doi_fetches_arxiv_dois_from_arxiv(command_sources):
    out, err, status = run_command("import_doi", "10.48550/arXiv.2104.12255")

    assert (status, err) == (0, "")
    assert command_sources.requested == []
    assert command_sources.arxiv_requested == ["https://export.arxiv.org/api/query?id_list=2104.12255&max_results=1"]
    assert Paper.objects.get().bibtex_key == "journals/corr/2104.12255"


@pytest.mark.django_db
def test_import_doi_takes_one_arxiv_doi_given_in_two_forms_once(command_sources):
    out, err, status = run_command(
        "import_doi", "10.48550/arXiv.2104.12255", "https://doi.org/10.48550/ARXIV.2104.12255"
    )

    assert (status, err) == (0, "")
    assert command_sources.requested == []  # neither form went to Crossref
    assert len(command_sources.arxiv_requested) == 1
    assert Paper.objects.get().bibtex_key == "journals/corr/2104.12255"


@pytest.mark.django_db
def test_import_doi_exits_non_zero_when_a_doi_is_skipped(command_sources):
    out, err, status = run_command("import_doi", "10.1109/CVPR.2016.90", "10.0000/missing", "nonsense")

    assert status == 1
    assert "skipped 10.0000/missing: DOI not found at Crossref" in err
    assert "skipped nonsense: not a DOI" in err
    assert "1 imported, 0 updated, 0 unchanged, 2 skipped" in out
    assert Paper.objects.filter(bibtex_key="10.1109/cvpr.2016.90").exists()


@pytest.mark.django_db
def test_import_doi_dry_run_writes_nothing(command_sources):
    out, err, status = run_command("import_doi", "--dry-run", "10.1109/CVPR.2016.90")

    assert status == 0
    assert "Dry run, nothing written: 1 imported" in out
    assert not Paper.objects.exists()


@pytest.mark.django_db
def test_import_doi_stores_a_searchable_paper(command_sources):
    run_command("import_doi", "10.1109/CVPR.2016.90")
    assert finds(Paper.objects.all(), "residual Kaiming")
