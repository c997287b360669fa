import pytest

from papers.identifiers import (
    arxiv_bibtex_key,
    doi_refusal,
    normalize_name,
    normalize_title,
    parse_arxiv_id,
    parse_doi,
    venue_key_for,
)


@pytest.mark.parametrize(
    ("text", "title", "name"),
    [
        ("Calculation of prompt diphoton production: LHC", "calculation of prompt diphoton production lhc", None),
        ("Dollár's théorème", "dollar s theoreme", None),
        ("ÅNGSTRÖM", "angstrom", None),
        ("$\\Lambda_{\\alpha}$ x", "lambda_ alpha x", None),
        ("C.-P. Yuan", "c p yuan", "c -p yuan"),
        ("", "", None),
    ],
)
def test_normalizers_fold_accents_case_and_punctuation(text, title, name):
    """The lookup keys every importer (bulk included) stores: ASCII and accented input take different paths."""
    assert normalize_title(text) == title
    assert normalize_name(text) == (name if name is not None else title)


@pytest.mark.parametrize(
    ("text", "arxiv_id"),
    [
        ("1512.03385", "1512.03385"),
        ("1512.03385v2", "1512.03385"),
        ("arXiv:0704.0001", "0704.0001"),
        ("hep-th/9901001v1", "hep-th/9901001"),
        ("math.GT/0309136", "math.GT/0309136"),
        ("https://arxiv.org/abs/1706.03762", "1706.03762"),
        ("https://export.arxiv.org/pdf/1706.03762v5.pdf", "1706.03762"),
        ("conf/nips/RenHGS15", None),
        ("1512.033", None),
    ],
)
def test_parse_arxiv_id_takes_ids_versions_and_urls(text, arxiv_id):
    assert parse_arxiv_id(text) == arxiv_id


def test_parse_doi_lower_cases_bare_prefixed_and_url_forms():
    for text in ("10.1109/CVPR.2016.90", "doi:10.1109/CVPR.2016.90", "https://doi.org/10.1109/CVPR.2016.90"):
        assert parse_doi(text) == "10.1109/cvpr.2016.90"
    assert parse_doi("not a doi") is None


def test_venue_key_and_arxiv_key_of_a_paper():
    assert venue_key_for("conf/nips/RenHGS15") == "conf/nips"
    assert venue_key_for("journals/corr/1512.03385") == "journals/corr"
    assert venue_key_for("DBLP:conf/nips/RenHGS15") is None and venue_key_for("10.1109/cvpr.2016.90") is None
    assert arxiv_bibtex_key("1512.03385") == "journals/corr/1512.03385"


@pytest.mark.parametrize(
    "doi, refused",
    [
        ("10.1109/cvpr.2016.90", None),
        ("10.1002/(sici)1097-4636(199706)35:4<507::aid-jbm11>3.0.co;2-d", None),  # old Wiley DOIs are real
        ("10.1000.10/abc", None),  # a registrant with a subdivision
        ("10.1234/../../../x", "a DOI has no . or .. path segments"),
        ("10.1234/a/./b", "a DOI has no . or .. path segments"),
        ("10.1234/a..b", None),  # dots inside a segment are fine
        ("10.1234/a\tb", "a DOI has no spaces or control characters"),
        ("10.1234/a\u200bb", "a DOI has no spaces or control characters"),
        ("10.1234/" + "x" * 193, "a DOI is at most 200 characters long"),
        ("10.12/x", "a DOI is 10.<registrant digits>/<suffix>"),
        ("10.1234/", "a DOI is 10.<registrant digits>/<suffix>"),
    ],
)
def test_doi_refusal(doi, refused):
    assert doi_refusal(doi) == refused
