import pytest

from papers.models import Author, Paper, PaperAuthor
from tests.commands import run_command
from tests.http_replay import arxiv_replay_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def arxiv_requests(monkeypatch):
    """Replace the command's arXiv client by one replaying the recorded responses; gives the URLs asked."""
    client = arxiv_replay_client()
    monkeypatch.setattr("papers.management.commands.import_arxiv.arxiv_client", lambda: client)
    return client.requested


def test_import_arxiv_from_files(fixture_path):
    out, err, status = run_command(
        "import_arxiv",
        "--from-file",
        str(fixture_path("arxiv_api/search_testing_start0_max10.xml")),
        str(fixture_path("arxiv_api/legacy2016_id_list_1111.2011v2.xml")),
    )

    assert (status, err) == (0, "")
    assert "11 imported, 0 updated, 0 unchanged, 0 skipped" in out
    assert Paper.objects.count() == 11
    paper = Paper.objects.get(bibtex_key="journals/corr/2405.13786")
    assert paper.author_names == ["Aurora Ramírez", "Mario Berrios", "José Raúl Romero", "Robert Feldt"]
    assert paper.source == "arxiv"
    assert paper.venue.key == "journals/corr"
    assert Paper.objects.get(arxiv_id="1111.2011").doi == "10.1103/physrevb.85.115117"


def test_import_arxiv_by_id_resolves_versioned_ids_and_urls(arxiv_requests):
    out, err, status = run_command("import_arxiv", "2104.12255v1", "https://arxiv.org/abs/astro-ph/0601001v1")

    assert (status, err) == (0, "")
    assert arxiv_requests == ["https://export.arxiv.org/api/query?id_list=2104.12255,astro-ph/0601001&max_results=2"]
    assert "2 imported" in out
    assert set(Paper.objects.values_list("bibtex_key", flat=True)) == {
        "journals/corr/2104.12255",
        "journals/corr/astro-ph/0601001",
    }
    paper = Paper.objects.resolve("2104.12255v1")
    assert paper.bibtex_key == "journals/corr/2104.12255"
    assert paper.title == "0"
    assert Paper.objects.resolve("https://arxiv.org/pdf/astro-ph/0601001v1.pdf").arxiv_id == "astro-ph/0601001"


def test_import_arxiv_twice_changes_nothing(arxiv_requests, fixture_path):
    saved = str(fixture_path("arxiv_api/legacy2016_search_au_del_maestro_AND_ti_checkerboard.xml"))
    run_command("import_arxiv", "2104.12255", "astro-ph/0601001", "1111.2011v2", "--from-file", saved)
    rows = Paper.objects.count(), Author.objects.count(), PaperAuthor.objects.count()
    modified = dict(Paper.objects.values_list("bibtex_key", "modified_at"))

    out, err, status = run_command(
        "import_arxiv", "2104.12255", "astro-ph/0601001", "1111.2011v2", "--from-file", saved
    )

    assert (status, err) == (0, "")
    assert "0 imported, 0 updated, 4 unchanged, 0 skipped" in out
    assert (Paper.objects.count(), Author.objects.count(), PaperAuthor.objects.count()) == rows == (4, 10, 11)
    assert dict(Paper.objects.values_list("bibtex_key", "modified_at")) == modified


def test_import_arxiv_exits_non_zero_when_an_id_is_skipped(arxiv_requests):
    out, err, status = run_command("import_arxiv", "2104.12255", "0000.0000", "not-an-id")

    assert status == 1
    assert "skipped 0000.0000: not found on arXiv" in err
    assert "skipped not-an-id: not an arXiv id or arXiv URL" in err
    assert "1 imported, 0 updated, 0 unchanged, 2 skipped" in out
    assert Paper.objects.filter(bibtex_key="journals/corr/2104.12255").exists()


def test_import_arxiv_reports_an_error_response_file(fixture_path):
    error_file = str(fixture_path("arxiv_api/error_400_incorrect_id_format_abc.xml"))

    out, err, status = run_command(
        "import_arxiv", "--from-file", error_file, str(fixture_path("arxiv_api/empty_id_0000.0000.xml"))
    )

    assert status == 1
    error_id = "https://arxiv.org/api/errors#incorrect_id_format_for_abc"
    assert f"skipped {error_file}: {error_id}: incorrect id format for abc" in err
    assert "0 imported" in out


def test_import_arxiv_reports_a_missing_file(tmp_path):
    out, err, status = run_command("import_arxiv", "--from-file", str(tmp_path / "missing.xml"))

    assert status == 1
    assert "missing.xml: cannot read the file" in err


def test_import_arxiv_dry_run_writes_nothing(arxiv_requests):
    out, err, status = run_command("import_arxiv", "--dry-run", "2104.12255")

    assert status == 0
    assert "Dry run, nothing written: 1 imported" in out
    assert not Paper.objects.exists()


def test_import_arxiv_needs_ids_or_files():
    out, err, status = run_command("import_arxiv")

    assert status == 1
    assert "Give arXiv ids, or saved responses with --from-file." in err
