"""`manage.py import_bibtex` on the fixture files: what ends up in the catalogue and what is reported."""

import pytest

from papers import services
from papers.importers.records import PaperRecord
from papers.models import Author, Paper, PaperAlias, PaperAuthor
from tests.commands import run_command
from tests.factories import make_paper

pytestmark = pytest.mark.django_db


def import_bibtex(fixture_path, *names, dry_run=False) -> tuple[str, str, int]:
    """Runs the command on files of tests/fixtures/bibtex/; returns (stdout, stderr, exit status)."""
    paths = [str(fixture_path(f"bibtex/{name}")) for name in names]
    return run_command("import_bibtex", *paths, *(["--dry-run"] if dry_run else []))


def _counts():
    return (
        Paper.objects.count(),
        Author.objects.count(),
        PaperAuthor.objects.count(),
        PaperAlias.objects.count(),
    )


def test_import_bibtex_stores_dblp_paper_under_dblp_key(fixture_path):
    _, _, status = import_bibtex(fixture_path, "dblp_journals_logcom_BelohlavekV11.bib")

    paper = Paper.objects.get(bibtex_key="journals/logcom/BelohlavekV11")
    assert status == 0
    assert paper.author_names == ["Radim Belohlávek", "Vilém Vychodil"]
    assert (paper.year, paper.published_in, paper.source) == (2011, "J. Log. Comput.", "dblp")
    assert paper.venue.key == "journals/logcom"


def test_import_bibtex_dblp_key_alias_resolves(fixture_path):
    import_bibtex(fixture_path, "dblp_journals_ws_JaschkeHSGS08.bib")

    paper = Paper.objects.resolve("DBLP:journals/ws/JaschkeHSGS08")
    assert paper.bibtex_key == "journals/ws/JaschkeHSGS08"
    assert paper.author_names[0] == "Robert Jäschke"


def test_import_bibtex_biburl_alias_resolves(fixture_path, tmp_path):
    text = fixture_path("bibtex/jabref-authors_dblp_212entries.bib").read_text()
    start = text.index("{GarridoKallstromKummEtAl2016,")
    entry = tmp_path / "one.bib"
    entry.write_text(text[text.rindex("@", 0, start) : text.index("\n}", start) + 2])

    _, err, status = run_command("import_bibtex", str(entry))

    assert status == 0, err
    assert Paper.objects.resolve("GarridoKallstromKummEtAl2016").bibtex_key == "journals/tcas/GarridoKKG16"


def test_import_bibtex_imports_whole_jabref_library(fixture_path):
    out, _, status = import_bibtex(fixture_path, "jabref-authors_dblp_212entries.bib")

    assert status == 0
    assert Paper.objects.count() == 212
    assert "212 imported, 0 updated, 0 unchanged, 0 skipped" in out


def test_import_bibtex_prints_progress(fixture_path):
    out, _, _ = import_bibtex(fixture_path, "dblp_standard_export_118entries.bib")

    assert "100/118 (85%)" in out
    assert "118/118 (100%)" in out


def test_import_bibtex_does_not_store_crossref_proceedings(fixture_path):
    _, _, status = import_bibtex(fixture_path, "dblp_withcrossref_export_157entries.bib")

    assert status == 0
    assert Paper.objects.count() == 118
    assert Paper.objects.resolve("DBLP:conf/stoc/2024") is None
    assert not Paper.objects.filter(entry_type="proceedings").exists()


def test_import_bibtex_fills_crossref_fields_from_same_file(fixture_path):
    import_bibtex(fixture_path, "dblp_crossref_with_proceedings.bib")

    paper = Paper.objects.resolve("DBLP:conf/wicsa/ZimmermannWKG15")
    assert paper.published_in.startswith("12th Working IEEE/IFIP Conference on Software Architecture")
    assert paper.year == 2015
    assert Paper.objects.count() == 3


def test_import_bibtex_keeps_entries_with_dangling_crossref(fixture_path):
    _, _, status = import_bibtex(fixture_path, "dblp_two_entries_dangling_crossref.bib")

    assert status == 0
    assert Paper.objects.resolve("DBLP:conf/chi/WalberSS14").doi == "10.1145/2556288.2557025"
    assert Paper.objects.count() == 2


def test_import_bibtex_reports_skipped_entries_with_key_and_line(fixture_path):
    _, err, _ = import_bibtex(fixture_path, "hand_made_broken_entries.bib")

    assert "unbalanced2019 (line 16)" in err
    assert "notitle2021 (line 30): no title" in err
    assert "good2020 (line 35): duplicate key" in err


def test_import_bibtex_exits_non_zero_after_importing_good_entries(fixture_path):
    out, _, status = import_bibtex(fixture_path, "hand_made_broken_entries.bib")

    assert status == 1
    assert set(Paper.objects.values_list("bibtex_key", flat=True)) == {
        "conf/iccv/HeGDG17",
        "good2020",
        "lastgood",
    }
    assert "3 imported, 0 updated, 0 unchanged, 3 skipped" in out


def test_import_bibtex_exits_non_zero_on_unknown_entry_type(fixture_path):
    _, err, status = import_bibtex(fixture_path, "edge_cases/wrong.bib")

    assert status == 1
    assert "foo (line 3): unknown entry type @wrong" in err
    assert Paper.objects.count() == 0


def test_import_bibtex_exits_non_zero_on_missing_file(fixture_path):
    _, err, status = import_bibtex(fixture_path, "no_such_file.bib")

    assert status == 1
    assert "cannot read" in err


def test_import_bibtex_second_run_changes_nothing(fixture_path):
    import_bibtex(fixture_path, "dblp_standard_export_118entries.bib", "jabref-authors_dblp_212entries.bib")
    counts = _counts()

    out, _, status = import_bibtex(
        fixture_path, "dblp_standard_export_118entries.bib", "jabref-authors_dblp_212entries.bib"
    )

    assert status == 0
    assert "0 imported, 0 updated, 118 unchanged, 0 skipped" in out
    assert "0 imported, 0 updated, 212 unchanged, 0 skipped" in out
    assert _counts() == counts


def test_import_bibtex_dry_run_writes_nothing(fixture_path):
    out, _, status = import_bibtex(fixture_path, "dblp_standard_export_118entries.bib", dry_run=True)

    assert status == 0
    assert "118 imported" in out
    assert "dry run" in out
    assert _counts() == (0, 0, 0, 0)


def test_import_bibtex_dry_run_looks_up_all_keys_in_one_query(fixture_path, django_assert_num_queries):
    with django_assert_num_queries(1):
        out, _, status = import_bibtex(fixture_path, "dblp_standard_export_118entries.bib", dry_run=True)
    assert status == 0 and "118 imported, 0 updated, 0 unchanged" in out
    import_bibtex(fixture_path, "dblp_standard_export_118entries.bib")
    with django_assert_num_queries(1):
        out, _, status = import_bibtex(fixture_path, "dblp_standard_export_118entries.bib", dry_run=True)
    assert status == 0 and "0 imported, 0 updated, 118 unchanged" in out


def test_dry_run_counts_each_record_across_chunks(monkeypatch, django_assert_num_queries):
    make_paper(bibtex_key="conf/x/Stored")
    monkeypatch.setattr(services, "DRY_RUN_CHUNK", 2)
    keys = ["conf/x/Stored", "conf/x/New", "conf/x/New", "conf/x/Other", "conf/x/Stored"]
    with django_assert_num_queries(3):  # one a chunk of two
        result = services.papers_import(
            records=[PaperRecord(bibtex_key=k, title=k, source="dblp") for k in keys], dry_run=True
        )
    assert (result.created, result.updated, result.unchanged) == (3, 0, 2)


def test_import_bibtex_reads_several_files(fixture_path):
    _, _, status = import_bibtex(
        fixture_path,
        "edge_cases/article_start_with_bom.bib",
        "edge_cases/string.bib",
        "edge_cases/features.bib",
    )

    assert status == 0
    assert set(Paper.objects.values_list("bibtex_key", flat=True)) == {"Cesar2013", "cha:oakland15", "mykey"}
    assert Paper.objects.get(bibtex_key="cha:oakland15").author_names == [
        "Sang Kil Cha",
        "Maverick Woo",
        "David Brumley",
    ]


def test_import_bibtex_keeps_a_paper_whose_author_name_is_too_long_shortening_the_name(fixture_path, tmp_path):
    # The real dblp entry, its second author replaced by a 400-character name (a consortium's member list written
    # without "and"): once, the whole paper was dropped ("value too long for type character varying(300)").
    real = fixture_path("bibtex/dblp_conf_icassp_AlmeidaK14.bib").read_text(encoding="utf-8")
    long_name = "Kibangou " + "Consortium Member " * 22
    edited = tmp_path / "long_author.bib"
    edited.write_text(real.replace("Alain Y. Kibangou", long_name), encoding="utf-8")

    out, err, status = run_command("import_bibtex", str(edited))

    assert status == 0, err
    assert "1 imported, 0 updated, 0 unchanged, 0 skipped, 1 shortened to fit" in out
    note = "long_author.bib: kept conf/icassp/AlmeidaK14: an author name longer than 300 characters shortened"
    assert f"{note}: Kibangou Consortium Member" in err
    paper = Paper.objects.get(bibtex_key="conf/icassp/AlmeidaK14")
    first, second = paper.author_names
    assert first == "André Lima Férrer de Almeida"
    assert len(second) == 300 and second.endswith("…") and second.startswith("Kibangou Consortium Member")
