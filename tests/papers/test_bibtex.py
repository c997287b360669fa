"""The BibTeX parser on real dblp, Bibsonomy and JabRef exports (tests/fixtures/bibtex/README.md)."""

import re

import pytest

from papers.importers.bibtex import parse_bibtex


def _parse(fixture_bytes, name):
    records, problems = parse_bibtex(fixture_bytes(f"bibtex/{name}"))
    return {record.bibtex_key: record for record in records}, problems


def _block(text, key):
    """The text of the entry `key` cut out of a larger file."""
    start = text.index("{" + key + ",")
    return text[text.rindex("@", 0, start) : text.index("\n}", start) + 2]


@pytest.mark.parametrize(
    ("name", "key", "author"),
    [
        ("dblp_journals_ws_JaschkeHSGS08.bib", "journals/ws/JaschkeHSGS08", "Robert Jäschke"),
        ("dblp_journals_logcom_BelohlavekV11.bib", "journals/logcom/BelohlavekV11", "Radim Belohlávek"),
        ("dblp_conf_icassp_AlmeidaK14.bib", "conf/icassp/AlmeidaK14", "André Lima Férrer de Almeida"),
        ("hand_made_broken_entries.bib", "conf/iccv/HeGDG17", "Piotr Dollár"),
        ("jabref-authors_dblp_212entries.bib", "BrochEllingsenForbordEtAl2013", "Aleksander Handå"),
        ("puma_bibsonomy_export_elsner2019bottom.bib", "elsner2019bottom", "Stefan Drößler"),
    ],
)
def test_parse_bibtex_decodes_latex_accents_in_authors(fixture_bytes, name, key, author):
    records, _ = _parse(fixture_bytes, name)

    assert author in records[key].authors


def test_parse_bibtex_decodes_accent_on_dotless_i(fixture_bytes):
    text = fixture_bytes("bibtex/dblp_withcrossref_export_157entries.bib").decode()

    records, problems = parse_bibtex(_block(text, "DBLP:conf/lata/2009"))

    assert records[0].authors[-1] == "Carlos Martín-Vide"
    assert problems == []


def test_parse_bibtex_removes_protecting_braces_from_titles(fixture_bytes):
    records, _ = _parse(fixture_bytes, "jabref-authors_dblp_212entries.bib")

    assert records["journals/tcas/GarridoKKG16"].title == "CORDIC II: A New Improved CORDIC Algorithm"


def test_parse_bibtex_collapses_newlines_in_titles(fixture_bytes):
    records, _ = _parse(fixture_bytes, "bibsonomy_export_aqua_guidelines.bib")

    assert records["aqua_guidelines"].title == "Aqua Human Interface Guidelines"


def test_parse_bibtex_keeps_math_in_titles(fixture_bytes):
    records, _ = _parse(fixture_bytes, "jabref-authors_dblp_212entries.bib")

    title = records["journals/tcas/AfzalWG14"].title
    assert title == "Reducing Complexity and Power of Digital Multibit Error-Feedback $\\Delta$$\\Sigma$ Modulators"


def test_parse_bibtex_keeps_percent_signs_literal():
    records, _ = parse_bibtex("@article{k, title = {A 50% faster {GPU} sort}, year = 2020}")

    assert records[0].title == "A 50% faster GPU sort"


def test_parse_bibtex_stores_dblp_key_with_file_key_as_alias(fixture_bytes):
    records, _ = _parse(fixture_bytes, "dblp_journals_logcom_BelohlavekV11.bib")

    record = records["journals/logcom/BelohlavekV11"]
    assert record.aliases == ["DBLP:journals/logcom/BelohlavekV11"]
    assert record.source == "dblp"
    assert record.keywords == ["dblp"]


def test_parse_bibtex_maps_dblp_org_biburl_to_dblp_key(fixture_bytes):
    records, _ = _parse(fixture_bytes, "jabref-authors_dblp_212entries.bib")

    record = records["journals/tcas/GarridoKKG16"]
    assert record.aliases == ["GarridoKallstromKummEtAl2016"]
    assert record.source == "dblp"


def test_parse_bibtex_maps_uni_trier_biburl_to_dblp_key():
    text = "@article{Mine, title = {T}, biburl = {http://dblp.uni-trier.de/rec/bib/conf/chi/WalberSS14}}"

    records, _ = parse_bibtex(text)

    assert records[0].bibtex_key == "conf/chi/WalberSS14"
    assert records[0].aliases == ["Mine"]


def test_parse_bibtex_keeps_other_keys_and_marks_them_bibsonomy(fixture_bytes):
    records, _ = _parse(fixture_bytes, "bibsonomy_export_aqua_guidelines.bib")

    record = records["aqua_guidelines"]
    assert record.aliases == []
    assert record.source == "bibsonomy"


def test_parse_bibtex_splits_bibsonomy_keywords_on_whitespace(fixture_bytes):
    records, _ = _parse(fixture_bytes, "bibsonomy_export_aqua_guidelines.bib")

    assert records["aqua_guidelines"].keywords[:4] == ["apple", "aqua", "evaluated", "gui"]
    assert "prio:1" in records["aqua_guidelines"].keywords


def test_parse_bibtex_splits_comma_separated_keywords(fixture_bytes):
    records, _ = _parse(fixture_bytes, "hand_made_broken_entries.bib")

    assert records["good2020"].keywords == ["tag1", "tag two"]


def test_parse_bibtex_fills_venue_and_year_from_crossref(fixture_bytes):
    records, _ = _parse(fixture_bytes, "edge_cases/crossref_entries.bib")

    assert records["cr1"].published_in == "Graphs of the Continent"
    assert records["cr1"].year == 1974
    assert records["cr6"].published_in == "Manual booktitle"  # its own booktitle wins


def test_parse_bibtex_does_not_return_crossref_targets_as_papers(fixture_bytes):
    records, problems = _parse(fixture_bytes, "edge_cases/crossref_entries.bib")

    assert sorted(records) == ["cr1", "cr2", "cr3", "cr4", "cr5", "cr6", "cr7", "cr8"]
    assert problems == []


def test_parse_bibtex_drops_dblp_proceedings_targeted_by_crossref(fixture_bytes):
    records, problems = _parse(fixture_bytes, "dblp_crossref_with_proceedings.bib")

    assert sorted(records) == ["Article2016", "InProceedings2015", "conf/wicsa/ZimmermannWKG15"]
    assert records["conf/wicsa/ZimmermannWKG15"].published_in.startswith("12th Working IEEE/IFIP Conference")
    assert problems == []


def test_parse_bibtex_reads_with_crossref_export_as_the_standard_export(fixture_bytes):
    with_crossref, problems = _parse(fixture_bytes, "dblp_withcrossref_export_157entries.bib")
    standard, _ = _parse(fixture_bytes, "dblp_standard_export_118entries.bib")

    assert len(with_crossref) == 118
    assert with_crossref.keys() == standard.keys()
    assert all(record.year and record.published_in for record in with_crossref.values())
    assert problems == []


def test_parse_bibtex_keeps_entries_whose_crossref_is_missing(fixture_bytes):
    records, problems = _parse(fixture_bytes, "dblp_two_entries_dangling_crossref.bib")

    assert sorted(records) == ["conf/acl/PickhardtGKWSS14", "conf/chi/WalberSS14"]
    assert records["conf/acl/PickhardtGKWSS14"].authors[2] == "Martin Körner"
    assert records["conf/chi/WalberSS14"].published_in.startswith("CHI Conference on Human Factors")
    assert problems == []


def test_parse_bibtex_imports_standalone_proceedings_with_editors_as_authors(fixture_bytes):
    records, _ = _parse(fixture_bytes, "dblp_proceedings_conf_jeri_2019.bib")

    record = records["conf/jeri/2019"]
    assert record.authors == [
        "Abdelmalek Amine",
        "Reda Mohamed Hamou",
        "Mebarka Yahlali",
        "Mohamed Amine Boudia",
    ]
    assert record.title.startswith("3rd edition of the National Study Day on Research on Computer Sciences (JERI 2019)")


def test_parse_bibtex_applies_string_macros(fixture_bytes):
    records, _ = _parse(fixture_bytes, "edge_cases/string.bib")

    assert records["cha:oakland15"].published_in == "Proceedings of the IEEE Symposium on Security and Privacy"
    assert records["cha:oakland15"].title == "Program-Adaptive Mutational Fuzzing"


def test_parse_bibtex_ignores_comments_and_preambles(fixture_bytes):
    records, problems = _parse(fixture_bytes, "edge_cases/features.bib")

    assert list(records) == ["mykey"]
    assert records["mykey"].published_in == "My International Conference"
    assert records["mykey"].year == 2014
    assert problems == []


def test_parse_bibtex_joins_concatenated_values():
    text = '@string{proc = "Proceedings of "}\n@inproceedings{k, title = "A" # { B}, booktitle = proc # {X}}'

    records, _ = parse_bibtex(text)

    assert (records[0].title, records[0].published_in) == ("A B", "Proceedings of X")


def test_parse_bibtex_drops_and_others(fixture_bytes):
    records, _ = _parse(fixture_bytes, "jabref-authors_dblp_212entries.bib")

    authors = records["BrochEllingsenForbordEtAl2013"].authors
    assert len(authors) == 10
    assert authors[-1] == "KIR Reitan"


def test_parse_bibtex_reorders_last_jr_first_names(fixture_bytes):
    records, _ = _parse(fixture_bytes, "hand_made_broken_entries.bib")

    assert records["good2020"].authors == ["John Smith Jr", "Jane Doe"]


def test_parse_bibtex_splits_authors_on_capital_and(fixture_bytes):
    records, _ = _parse(fixture_bytes, "edge_cases/book_capital_AND.bib")

    assert records["Bird1987"].authors == ["R.B. Bird", "R.C. Armstrong", "O. Hassager"]


def test_parse_bibtex_reads_file_starting_with_bom(fixture_bytes):
    records, problems = _parse(fixture_bytes, "edge_cases/article_start_with_bom.bib")

    assert list(records) == ["Cesar2013"]
    assert records["Cesar2013"].authors == ["Jean César"]
    assert problems == []


def test_parse_bibtex_reads_comma_first_layout(fixture_bytes):
    records, problems = _parse(fixture_bytes, "edge_cases/article_comma_first.bib")

    assert sorted(records) == ["Baltazar2013", "Cesar2013"]
    assert records["Baltazar2013"].published_in == "Nice Journal"
    assert problems == []


def test_parse_bibtex_reads_quoted_values(fixture_bytes):
    records, _ = _parse(fixture_bytes, "edge_cases/article_no_braces.bib")

    record = records["Cesar2013"]
    assert (record.title, record.year, record.authors) == ("An amazing title", 2013, ["Jean Césarü"])
    assert record.abstract.endswith("multilines... and with a french érudit word")


def test_parse_bibtex_reads_arxiv_id_from_eprint(fixture_bytes):
    records, _ = _parse(fixture_bytes, "dblp_standard_export_118entries.bib")

    record = records["journals/corr/abs-2408-03465"]
    assert (record.arxiv_id, record.published_in) == ("2408.03465", "CoRR")
    assert record.doi == "10.48550/arxiv.2408.03465"


def test_parse_bibtex_reads_arxiv_id_from_arxiv_doi():
    records, _ = parse_bibtex("@article{k, title = {T}, doi = {https://doi.org/10.48550/arXiv.1512.03385}}")

    assert (records[0].arxiv_id, records[0].doi) == ("1512.03385", "10.48550/arxiv.1512.03385")


def test_parse_bibtex_stores_doi_bare_and_lower_case(fixture_bytes):
    records, _ = _parse(fixture_bytes, "dblp_standard_export_118entries.bib")

    assert records["journals/algorithmica/ChauguleL24"].doi == "10.1007/s00453-024-01221-8"
    assert records["conf/lata/LimayeM09"].doi == "10.1007/978-3-642-00982-2_42"


def test_parse_bibtex_reads_record_fields(fixture_bytes):
    records, _ = _parse(fixture_bytes, "puma_bibsonomy_export_elsner2019bottom.bib")

    record = records["elsner2019bottom"]
    assert (record.year, record.entry_type, record.doi) == (2019, "article", "10.5282/o-bib/2019h2s80-91")
    assert record.published_in == "o-bib. Das offene Bibliotheksjournal / Herausgeber VDB"
    assert record.urls == ["https://www.o-bib.de/article/view/5484"]
    assert record.abstract.startswith("In den meisten Universitäten sind Dienste")


def test_parse_bibtex_reports_malformed_entries_and_keeps_the_rest(fixture_bytes):
    records, problems = _parse(fixture_bytes, "hand_made_broken_entries.bib")

    assert list(records) == ["conf/iccv/HeGDG17", "good2020", "lastgood"]
    assert records["good2020"].title == "Still Imported after the broken one"
    assert [(p.ref, p.line) for p in problems] == [
        ("unbalanced2019", 16),
        ("notitle2021", 30),
        ("good2020", 35),
    ]
    assert re.search("brace", problems[0].reason)
    assert "title" in problems[1].reason
    assert "duplicate" in problems[2].reason


def test_parse_bibtex_reports_unknown_entry_type(fixture_bytes):
    records, problems = _parse(fixture_bytes, "edge_cases/wrong.bib")

    assert records == {}
    assert [(p.ref, p.line) for p in problems] == [("foo", 3), ("bar", 7)]
    assert "@wrong" in problems[0].reason


def test_parse_bibtex_reports_malformed_value():
    text = "@article{nocomma, title = {No comma} author = {Y}}\n@article{ok, title = {Fine}}"

    records, problems = parse_bibtex(text)

    assert [r.bibtex_key for r in records] == ["ok"]
    assert [(p.ref, p.line) for p in problems] == [("nocomma", 1)]


def test_parse_bibtex_reports_second_entry_for_the_same_dblp_record():
    text = (
        "@article{DBLP:conf/x/Y15, title = {T}}\n"
        "@article{Mine15, title = {T}, biburl = {https://dblp.org/rec/conf/x/Y15.bib}}"
    )

    records, problems = parse_bibtex(text)

    assert [r.bibtex_key for r in records] == ["conf/x/Y15"]
    assert [(p.ref, p.line) for p in problems] == [("Mine15", 2)]


def test_parse_bibtex_reads_latin_1_files():
    records, _ = parse_bibtex("@article{k, title = {Caf\xe9}}".encode("latin-1"))

    assert records[0].title == "Café"


def test_parse_bibtex_reads_whole_jabref_library(fixture_bytes):
    records, problems = _parse(fixture_bytes, "jabref-authors_dblp_212entries.bib")

    assert len(records) == 212
    assert problems == []
    assert sum(record.source == "dblp" for record in records.values()) == 157
